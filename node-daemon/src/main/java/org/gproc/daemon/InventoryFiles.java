package org.gproc.daemon;

import org.gproc.transport.ssh.KnownHosts;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gproc.client.Inventory;
import org.gproc.client.NodeAddress;

/**
 * The client inventory a daemon writes for its own nodes (the client's own writer, so both ends agree on the
 * format), and the known_hosts file beside it. Both are written to a temporary file and renamed, so a client
 * polling for the file never reads half of it.
 */
final class InventoryFiles {

    private InventoryFiles() {
    }

    /** The host a client should dial: the listen host, or this machine's name for a wildcard listen. */
    static String clientHost(String listenHost) {
        try {
            InetAddress address = InetAddress.getByName(listenHost);
            if (address.isAnyLocalAddress()) {
                return InetAddress.getLocalHost().getHostName();
            }
        } catch (IOException e) {
            // keep what was given
        }
        return listenHost;
    }

    static Path write(Path file, String host, int firstPort, int count, PublicKey hostKey) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path knownHosts = absolute.resolveSibling(absolute.getFileName() + ".known_hosts");
        List<String> known = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            known.add(KnownHosts.line(host, firstPort + i, hostKey));
        }
        List<NodeAddress> nodes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            nodes.add(new NodeAddress("n" + (i + 1), host, firstPort + i));
        }
        String text = "// written by gprocd --write-inventory: " + count + " node(s) on " + host + "\n"
                + Inventory.of("gprocd", nodes, Map.of()).withKnownHosts(knownHosts)
                        .toText(absolute.getParent());
        writeAtomically(knownHosts, String.join("\n", known) + "\n");
        writeAtomically(absolute, text);
        return absolute;
    }

    private static void writeAtomically(Path target, String text) throws IOException {
        Path dir = target.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
