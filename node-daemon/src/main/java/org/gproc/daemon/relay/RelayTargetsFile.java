package org.gproc.daemon.relay;

import org.gproc.client.Inventory;
import org.gproc.client.InventoryException;
import org.gproc.client.NodeAddress;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** Reads {@code --relay-for}: an inventory in the client's format, read by the client's own reader. */
final class RelayTargetsFile {

    private RelayTargetsFile() {
    }

    static RelayTargets read(Path file) throws IOException {
        Inventory inventory;
        try {
            inventory = Inventory.load(file);
        } catch (InventoryException e) {
            throw new IOException("--relay-for " + file + ": " + e.getMessage(), e);
        }
        Set<String> places = new HashSet<>();
        for (NodeAddress node : inventory.addresses()) {
            places.add(RelayTargets.place(node.host(), node.port()));
        }
        if (places.isEmpty()) {
            throw new IOException("--relay-for " + file + ": the inventory names no nodes, so no child could be named");
        }
        return new RelayTargets(file.toString(), places);
    }
}
