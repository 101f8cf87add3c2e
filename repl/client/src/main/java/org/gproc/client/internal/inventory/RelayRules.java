package org.gproc.client.internal.inventory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules an inventory's {@code relay} keys obey: each relay a node lists ({@code relay = 'r1'} or, for
 * alternatives, {@code relay = ['r1', 'r2']}) is a node of the same inventory, never the node itself, and following
 * relays from any node, whichever alternative is taken, ends at a node reached directly (no cycle). A node's own
 * {@code relay} wins over its group's. Each broken rule is reported with the node and the key that broke it.
 */
final class RelayRules {
    /** Where a relay list was set, for the error message: the node or group key, and its line. */
    record Setting(List<String> relays, String definedBy, ConfigTree.Item item) {
    }

    interface Errors {
        RuntimeException at(ConfigTree.Item item, String key, String message);
    }

    private RelayRules() {
    }

    /**
     * The node-to-relays map (first choice first): per-node settings over group settings; checks that every relay
     * names a node ({@code nodes}), that none relays itself and that relays form no cycle.
     */
    static Map<String, List<String>> resolve(Map<String, Setting> byNode, Map<String, Setting> byGroup,
            Set<String> nodes, Errors errors) {
        Map<String, Setting> merged = new LinkedHashMap<>(byGroup);
        merged.putAll(byNode);
        Map<String, List<String>> relaysOf = new LinkedHashMap<>();
        for (Map.Entry<String, Setting> e : merged.entrySet()) {
            String node = e.getKey();
            Setting s = e.getValue();
            for (String relay : s.relays()) {
                if (!nodes.contains(relay)) {
                    throw errors.at(s.item(), "relay", where(node, s) + "relay '" + relay
                            + "' is not a node of the inventory" + Suggest.hint(relay, nodes,
                            "a relay is a node of the same inventory"));
                }
                if (relay.equals(node)) {
                    throw errors.at(s.item(), "relay", where(node, s) + "relay '" + relay
                            + "' is the node itself (a node cannot relay for itself)");
                }
            }
            relaysOf.put(node, List.copyOf(s.relays()));
        }
        Set<String> done = new HashSet<>();
        for (String node : relaysOf.keySet()) {
            List<String> cycle = cycleFrom(node, relaysOf, new LinkedHashSet<>(), done);
            if (!cycle.isEmpty()) {
                Setting s = merged.get(cycle.get(0));
                String relay = cycle.get(1);
                throw errors.at(s.item(), "relay", where(cycle.get(0), s) + "relay '" + relay + "' is itself relayed"
                        + " through '" + cycle.get(0) + "': relays form a cycle: " + String.join(" -> ", cycle)
                        + " (each node's relays must lead to a node reached directly)");
            }
        }
        return relaysOf;
    }

    /**
     * A cycle reachable from {@code at} over every listed alternative, its first node repeated at the end; empty when
     * every chain ends. {@code done} holds nodes already known to lead nowhere back.
     */
    private static List<String> cycleFrom(String at, Map<String, List<String>> relaysOf, Set<String> path,
            Set<String> done) {
        if (done.contains(at)) {
            return List.of();
        }
        if (!path.add(at)) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (String s : path) {
                in |= s.equals(at);
                if (in) {
                    cycle.add(s);
                }
            }
            cycle.add(at);
            return cycle;
        }
        for (String relay : relaysOf.getOrDefault(at, List.of())) {
            List<String> cycle = cycleFrom(relay, relaysOf, path, done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.remove(at);
        done.add(at);
        return List.of();
    }

    private static String where(String node, Setting s) {
        return s.definedBy().equals(node) ? "node '" + node + "': " : "node '" + node + "' (from '"
                + s.definedBy() + "'): ";
    }
}
