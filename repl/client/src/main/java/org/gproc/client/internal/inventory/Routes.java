package org.gproc.client.internal.inventory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gproc.client.GroupResolver;
import org.gproc.client.Hostlist;
import org.gproc.client.NodeAddress;

/**
 * Turns {@code via} settings into each node's route: the gateways to go through, first hop first. A node's own
 * {@code via} wins over its groups'; two groups giving one node different gateways is an error; a group's gateway
 * does not apply to itself (a group may include its gateway). A route is the first hop's own route followed by the
 * hops as written, so a gateway behind another gateway needs only its own {@code via}. Every name must be a node of
 * the inventory, and no route may come back to where it started.
 */
final class Routes {
    private Routes() {
    }

    static List<NodeAddress> resolve(List<NodeAddress> nodes, Map<String, String> groups,
                                     Map<String, InventoryReader.Via> explicit,
                                     Map<String, InventoryReader.Via> byGroup, InventoryReader.Errors errors) {
        Map<String, NodeAddress> byName = new LinkedHashMap<>();
        nodes.forEach(n -> byName.put(n.name(), n));
        Map<String, InventoryReader.Via> written = new LinkedHashMap<>(explicit);
        Map<String, String> from = new LinkedHashMap<>();
        GroupResolver resolver = GroupResolver.of(groups, List.of(Hostlist.fromList(byName.keySet()).fold()));
        for (Map.Entry<String, InventoryReader.Via> g : byGroup.entrySet()) {
            for (String member : Hostlist.parse("@" + g.getKey(), resolver)) {
                if (explicit.containsKey(member) || g.getValue().names().contains(member)) {
                    continue;
                }
                InventoryReader.Via before = written.putIfAbsent(member, g.getValue());
                if (before != null && !before.names().equals(g.getValue().names())) {
                    throw errors.error(g.getValue().item(), g.getKey(), "node '" + member + "' is in "
                            + from.get(member) + " (via " + before.names() + ") and in " + g.getValue().owner()
                            + " (via " + g.getValue().names() + "): give it its own via");
                }
                from.putIfAbsent(member, g.getValue().owner());
            }
        }
        for (InventoryReader.Via via : new LinkedHashSet<>(written.values())) {
            for (String gateway : via.names()) {
                if (!byName.containsKey(gateway)) {
                    throw errors.error(via.item(), "via", via.owner() + ": via '" + gateway
                            + "' is not a node of this inventory" + Suggest.hint(gateway, byName.keySet(),
                            "via names nodes of the same inventory"));
                }
            }
        }
        Map<String, List<String>> routes = new LinkedHashMap<>();
        List<NodeAddress> out = new ArrayList<>(nodes.size());
        for (NodeAddress node : nodes) {
            out.add(node.via(route(node.name(), written, routes, new LinkedHashSet<>(), errors)));
        }
        return out;
    }

    private static List<String> route(String name, Map<String, InventoryReader.Via> written,
                                      Map<String, List<String>> routes, Set<String> visiting,
                                      InventoryReader.Errors errors) {
        List<String> known = routes.get(name);
        if (known != null) {
            return known;
        }
        InventoryReader.Via via = written.get(name);
        if (via == null) {
            routes.put(name, List.of());
            return List.of();
        }
        if (via.names().contains(name)) {
            throw errors.error(via.item(), "via", via.owner() + ": node '" + name + "' would be reached through"
                    + " itself");
        }
        if (!visiting.add(name)) {
            throw errors.error(via.item(), "via", "via loop: " + String.join(" -> ", visiting) + " -> " + name
                    + " (a node cannot be reached through itself)");
        }
        List<String> route = new ArrayList<>(route(via.names().get(0), written, routes, visiting, errors));
        route.addAll(via.names());
        if (route.contains(name)) {
            throw errors.error(via.item(), "via", via.owner() + ": node '" + name + "' would be reached through"
                    + " itself (" + String.join(" -> ", route) + ")");
        }
        visiting.remove(name);
        routes.put(name, List.copyOf(route));
        return routes.get(name);
    }
}
