package org.gproc.client.internal.inventory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gproc.client.InventoryException;
import org.gproc.client.NodeAddress;
import org.gproc.client.Hostlist;
import org.gproc.client.NodeSetException;

/**
 * The {@code GPROC_NODES} syntax: entries separated by whitespace or {@code ;}, each either
 * <ul>
 *   <li>{@code NODESET=HOST[:PORT]}: the nodes of NODESET all on HOST, ports PORT, PORT+1, ... in node set order
 *       ({@code n[1-4]=127.0.0.1:17001}); or</li>
 *   <li>{@code NODESET[:PORT]}: every node is its own host, all on PORT ({@code node[01-16]},
 *       {@code node[01-16]:6000}).</li>
 * </ul>
 * PORT defaults to the default port. HOST may be an IPv6 address in brackets ({@code n1=[::1]:17001}).
 */
public final class NodesSpec {
    private NodesSpec() {
    }

    public static List<NodeAddress> parse(String spec, String source, int defaultPort) {
        Map<String, NodeAddress> nodes = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        for (String entry : spec.strip().split("[\\s;]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String setText;
            String host = null;
            int port;
            if (eq >= 0) {
                setText = entry.substring(0, eq);
                String address = entry.substring(eq + 1);
                int colon = address.startsWith("[") ? address.indexOf("]:") + 1 : address.lastIndexOf(':');
                if (address.startsWith("[") && colon == 0) {
                    colon = -1;
                }
                host = colon > 0 ? address.substring(0, colon) : address;
                port = colon > 0 ? port(address.substring(colon + 1), entry, source) : defaultPort;
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                if (host.isEmpty()) {
                    throw new InventoryException(source + ": entry '" + entry + "' has no host after '='");
                }
            } else {
                int colon = entry.lastIndexOf(':');
                setText = colon >= 0 ? entry.substring(0, colon) : entry;
                port = colon >= 0 ? port(entry.substring(colon + 1), entry, source) : defaultPort;
            }
            Hostlist names;
            try {
                names = Hostlist.parse(setText);
            } catch (NodeSetException e) {
                throw new InventoryException(source + ": entry '" + entry + "': "
                        + e.getMessage().replaceFirst("^nodeset: ", ""));
            }
            if (names.isEmpty()) {
                throw new InventoryException(source + ": entry '" + entry + "' names no node");
            }
            int next = port;
            for (String name : names) {
                if (next > 65535) {
                    throw new InventoryException(source + ": entry '" + entry + "': ports run past 65535");
                }
                NodeAddress node = new NodeAddress(name, host == null ? name : host, next);
                if (host != null) {
                    next++;
                }
                if (nodes.putIfAbsent(name, node) != null) {
                    throw new InventoryException(source + ": node '" + name + "' is named twice");
                }
            }
            keys.add(setText);
        }
        if (nodes.isEmpty()) {
            throw new InventoryException(source + ": names no node");
        }
        List<NodeAddress> ordered = new ArrayList<>();
        for (String name : Hostlist.fromList(keys)) {
            ordered.add(nodes.get(name));
        }
        return ordered;
    }

    private static int port(String text, String entry, String source) {
        if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw new InventoryException(source + ": entry '" + entry + "': port '" + text
                    + "' is not a number in 1-65535");
        }
        return Integer.parseInt(text);
    }
}
