package org.gproc.client.internal.inventory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules an inventory's {@code relay} keys obey: a relay is a node of the same inventory, never the node itself,
 * and following relays from any node ends at a node reached directly (no cycle). A node's own {@code relay} wins over
 * its group's. Each broken rule is reported with the node and the key that broke it.
 */
final class RelayRules {
    /** Where a relay was set, for the error message: the node or group key, and its line. */
    record Setting(String relay, String definedBy, ConfigTree.Item item) {
    }

    interface Errors {
        RuntimeException at(ConfigTree.Item item, String key, String message);
    }

    private RelayRules() {
    }

    /**
     * The node-to-relay map: per-node settings over group settings; checks that every relay names a node
     * ({@code nodes}), that none relays itself and that relays form no cycle.
     */
    static Map<String, String> resolve(Map<String, Setting> byNode, Map<String, Setting> byGroup,
            Set<String> nodes, Errors errors) {
        Map<String, Setting> merged = new LinkedHashMap<>(byGroup);
        merged.putAll(byNode);
        Map<String, String> relayOf = new LinkedHashMap<>();
        for (Map.Entry<String, Setting> e : merged.entrySet()) {
            String node = e.getKey();
            Setting s = e.getValue();
            if (!nodes.contains(s.relay())) {
                throw errors.at(s.item(), "relay", where(node, s) + "relay '" + s.relay()
                        + "' is not a node of the inventory" + Suggest.hint(s.relay(), nodes,
                        "a relay is a node of the same inventory"));
            }
            if (s.relay().equals(node)) {
                throw errors.at(s.item(), "relay", where(node, s) + "relay '" + s.relay()
                        + "' is the node itself (a node cannot relay for itself)");
            }
            relayOf.put(node, s.relay());
        }
        for (String node : relayOf.keySet()) {
            List<String> cycle = cycleFrom(node, relayOf);
            if (!cycle.isEmpty()) {
                Setting s = merged.get(cycle.get(0));
                throw errors.at(s.item(), "relay", "relays form a cycle: " + String.join(" -> ", cycle)
                        + " (each node's relay must lead to a node reached directly)");
            }
        }
        return relayOf;
    }

    /** The cycle reached from {@code start}, first node repeated at the end; empty when the chain ends. */
    private static List<String> cycleFrom(String start, Map<String, String> relayOf) {
        Set<String> seen = new LinkedHashSet<>();
        String at = start;
        while (at != null && seen.add(at)) {
            at = relayOf.get(at);
        }
        if (at == null) {
            return List.of();
        }
        List<String> cycle = new ArrayList<>();
        boolean in = false;
        for (String s : seen) {
            in |= s.equals(at);
            if (in) {
                cycle.add(s);
            }
        }
        cycle.add(at);
        return cycle;
    }

    private static String where(String node, Setting s) {
        return s.definedBy().equals(node) ? "node '" + node + "': " : "node '" + node + "' (from '"
                + s.definedBy() + "'): ";
    }
}
