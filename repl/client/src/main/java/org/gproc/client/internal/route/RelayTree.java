package org.gproc.client.internal.route;

import org.gproc.client.Inventory;
import org.gproc.client.NodeAddress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who reaches whom: each node's relay, from the inventory's {@code relay} keys and, for the other nodes, the automatic
 * tree of {@code width}: the first {@code width} nodes (in node set order) are reached directly and node {@code i}
 * after them through node {@code (i - width) / width}, a complete tree as BProc's and Slurm's TreeWidth fan-out, so
 * every relay serves at most {@code width} children and 10,000 nodes at width 100 are 100 connections. A node with
 * a relay list ({@code relay = ['r1', 'r2']}) has its first choice as parent and the others as alternatives, used in
 * order when the ones before cannot be reached.
 */
public final class RelayTree {
    private final Map<String, String> parentOf;
    private final Map<String, List<String>> listed;
    private final Map<String, NodeAddress> addresses;

    private RelayTree(Map<String, String> parentOf, Map<String, List<String>> listed,
            Map<String, NodeAddress> addresses) {
        this.parentOf = parentOf;
        this.listed = listed;
        this.addresses = addresses;
    }

    /** The tree for the inventory's nodes; relays outside them (a subset's) are added as connection-only nodes. */
    public static RelayTree of(Inventory inventory) {
        Map<String, String> parentOf = new LinkedHashMap<>();
        Map<String, List<String>> listed = new LinkedHashMap<>();
        Map<String, NodeAddress> addresses = new LinkedHashMap<>();
        List<NodeAddress> treeMembers = new ArrayList<>();
        for (NodeAddress a : inventory.addresses()) {
            addresses.put(a.name(), a);
            List<String> relays = inventory.relaysOf(a.name());
            if (!relays.isEmpty()) {
                parentOf.put(a.name(), relays.get(0));
                listed.put(a.name(), relays);
            } else {
                treeMembers.add(a);
            }
        }
        int width = inventory.treeWidth();
        if (width > 0) {
            for (int i = width; i < treeMembers.size(); i++) {
                parentOf.put(treeMembers.get(i).name(), treeMembers.get((i - width) / width).name());
            }
        }
        // a relay the selection left out is still needed on the way; so are its own relays and the alternatives
        List<String> pending = new ArrayList<>(parentOf.values());
        listed.values().forEach(pending::addAll);
        while (!pending.isEmpty()) {
            String relay = pending.remove(pending.size() - 1);
            if (addresses.containsKey(relay)) {
                continue;
            }
            NodeAddress a = inventory.relayAddress(relay).orElseThrow(() -> new IllegalStateException(
                    "relay '" + relay + "' is not a node of the inventory (" + inventory.source() + ")"));
            addresses.put(relay, a);
            List<String> up = inventory.relaysOf(relay);
            if (!up.isEmpty()) {
                parentOf.put(relay, up.get(0));
                listed.put(relay, up);
                pending.addAll(up);
            }
        }
        return new RelayTree(parentOf, listed, addresses);
    }

    /**
     * The relays the inventory lists for {@code node}, first choice first ({@code relay = ['r1', 'r2']}); empty for
     * a node reached directly or placed by the automatic tree.
     */
    public List<String> listed(String node) {
        return listed.getOrDefault(node, List.of());
    }

    /** The relay {@code node} is reached through; null when direct. */
    public String parent(String node) {
        return parentOf.get(node);
    }

    /** Every node to connect, the inventory's and the relays on their way. */
    public Map<String, NodeAddress> addresses() {
        return addresses;
    }

    /** The path prefix of {@code node} on the connection its route starts with: "", "n/b17/", "n/r2/n/b17/". */
    public String prefix(String node) {
        StringBuilder prefix = new StringBuilder();
        for (String at = node; parentOf.get(at) != null; at = parentOf.get(at)) {
            prefix.insert(0, "n/" + at + "/");
        }
        return prefix.toString();
    }

    /** True when some node is reached through a relay. */
    public boolean hasRelays() {
        return !parentOf.isEmpty();
    }
}
