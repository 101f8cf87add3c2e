package org.gproc.client.internal.inventory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.gproc.client.NodeAddress;
import org.gproc.client.Hostlist;

/**
 * Writes the compact inventory format, every key and value single-quoted, with every setting the reader takes: the
 * {@code cluster} keys ({@code knownHosts}, {@code identity}, {@code certificate}, {@code tree}, {@code confirmAbove}),
 * each node's address, route ({@code via}) and relay ({@code relay}), and the groups, so a file read and written back
 * means the same. Consecutive nodes share one node set key
 * in the two cases the reader expands: on one host with counting ports
 * ({@code 'n[1-4]' { host = '127.0.0.1'; port = 17001 }}), or each its own host (host = name) on one port
 * ({@code 'gpu[1-4]' { port = 5640 }}).
 */
public final class InventoryWriter {
    private InventoryWriter() {
    }

    /** The {@code cluster {}} settings; paths may be null, numbers 0 when unset. */
    public record Settings(Path knownHosts, Path identity, Path certificate, int treeWidth, int confirmAbove) {
    }

    /** @param relayOf each node's relays (the first live one is used), for the nodes that have one */
    public static String write(List<NodeAddress> nodes, Map<String, String> groups, Settings cluster,
            Map<String, List<String>> relayOf, Path baseDir) {
        Path knownHosts = cluster.knownHosts();
        Path identity = cluster.identity();
        Path certificate = cluster.certificate();
        StringBuilder out = new StringBuilder();
        out.append("// gproc inventory: node names -> node daemon host and port; groups are node sets used as @name.\n");
        if (knownHosts != null || identity != null || certificate != null || cluster.treeWidth() > 0
                || cluster.confirmAbove() > 0) {
            out.append("cluster {\n");
            if (knownHosts != null) {
                out.append("    knownHosts = ").append(quote(relative(knownHosts, baseDir))).append('\n');
            }
            if (identity != null) {
                out.append("    identity = ").append(quote(relative(identity, baseDir))).append('\n');
            }
            if (certificate != null) {
                out.append("    certificate = ").append(quote(relative(certificate, baseDir))).append('\n');
            }
            if (cluster.treeWidth() > 0) {
                out.append("    tree { width = ").append(cluster.treeWidth()).append(" }\n");
            }
            if (cluster.confirmAbove() > 0) {
                out.append("    confirmAbove = ").append(cluster.confirmAbove()).append('\n');
            }
            out.append("}\n");
        }
        out.append("nodes {\n");
        for (List<NodeAddress> run : runs(nodes, relayOf)) {
            NodeAddress first = run.get(0);
            String key = run.size() == 1 ? first.name() : fold(run);
            List<String> relays = relayOf.get(first.name());
            String tail = via(first.via()) + (relays == null || relays.isEmpty() ? "" : "; relay = " + names(relays))
                    + " }\n";
            if (run.size() > 1 && ownHosts(run)) {
                out.append("    ").append(quote(key)).append(" { port = ").append(first.port()).append(tail);
            } else {
                out.append("    ").append(quote(key)).append(" { host = ").append(quote(first.host()))
                        .append("; port = ").append(first.port()).append(tail);
            }
        }
        out.append("}\n");
        if (!groups.isEmpty()) {
            out.append("groups {\n");
            groups.forEach((name, expression) -> {
                if (isIdentifier(name)) {
                    out.append("    ").append(name).append(" = ").append(quote(expression)).append('\n');
                }
            });
            out.append("}\n");
            groups.forEach((name, expression) -> {
                if (!isIdentifier(name)) {
                    out.append("groups.").append(quote(name)).append(" = ").append(quote(expression)).append('\n');
                }
            });
        }
        return out.toString();
    }

    /**
     * Maximal runs of nodes that one node set key can stand for: same host, ports one apart, and a key that expands
     * back to exactly those names in that order (the reader hands out ports in expansion order).
     */
    private static List<List<NodeAddress>> runs(List<NodeAddress> nodes, Map<String, List<String>> relayOf) {
        List<List<NodeAddress>> runs = new ArrayList<>();
        List<NodeAddress> run = new ArrayList<>();
        for (NodeAddress node : nodes) {
            if (!run.isEmpty()) {
                NodeAddress last = run.get(run.size() - 1);
                // a run keeps the kind its first two nodes give it: one host, or each node its own host
                boolean fits = run.size() == 1 ? sharedHost(last, node) || ownHosts(last, node)
                        : ownHosts(run.get(0), run.get(1)) ? ownHosts(last, node) : sharedHost(last, node);
                boolean extends_ = fits && stem(last.name()).equals(stem(node.name())) && last.via().equals(node.via())
                        && Objects.equals(relayOf.get(last.name()), relayOf.get(node.name()));
                if (!extends_) {
                    close(run, runs);
                    run = new ArrayList<>();
                }
            }
            run.add(node);
        }
        if (!run.isEmpty()) {
            close(run, runs);
        }
        return runs;
    }

    /** Two nodes on one host, the second on the next port: a node set key with {@code host =}. */
    private static boolean sharedHost(NodeAddress a, NodeAddress b) {
        return a.host().equals(b.host()) && a.port() + 1 == b.port();
    }

    /** Two nodes each its own host (host = name) on one port: a node set key without {@code host =}. */
    private static boolean ownHosts(NodeAddress a, NodeAddress b) {
        return a.host().equals(a.name()) && b.host().equals(b.name()) && a.port() == b.port();
    }

    private static boolean ownHosts(List<NodeAddress> run) {
        return run.size() > 1 && ownHosts(run.get(0), run.get(1));
    }

    private static void close(List<NodeAddress> run, List<List<NodeAddress>> runs) {
        if (run.size() > 1 && !Hostlist.parse(fold(run)).expand().equals(run.stream().map(NodeAddress::name).toList())) {
            run.forEach(n -> runs.add(List.of(n)));
        } else {
            runs.add(run);
        }
    }

    private static String fold(List<NodeAddress> run) {
        return Hostlist.fromList(run.stream().map(NodeAddress::name).toList()).fold();
    }

    /** The name without its last digit run: names with the same stem differ in one index only. */
    private static String stem(String name) {
        int end = name.length();
        while (end > 0 && !Character.isDigit(name.charAt(end - 1))) {
            end--;
        }
        int start = end;
        while (start > 0 && Character.isDigit(name.charAt(start - 1))) {
            start--;
        }
        return name.substring(0, start) + "#" + name.substring(end);
    }

    /** {@code ; via = 'gw'} or {@code ; via = ['gwa', 'gwb']}: the whole route, so it reads back the same. */
    private static String via(List<String> via) {
        if (via.isEmpty()) {
            return "";
        }
        return "; via = " + names(via);
    }

    /** {@code 'a'} for one name, {@code ['a', 'b']} for several. */
    private static String names(List<String> names) {
        return names.size() == 1 ? quote(names.get(0))
                : "[" + String.join(", ", names.stream().map(InventoryWriter::quote).toList()) + "]";
    }

    private static boolean isIdentifier(String name) {
        return name.matches("[A-Za-z_][A-Za-z0-9_]*");
    }

    private static String relative(Path path, Path baseDir) {
        Path abs = path.toAbsolutePath().normalize();
        if (baseDir != null && abs.startsWith(baseDir.toAbsolutePath().normalize())) {
            return baseDir.toAbsolutePath().normalize().relativize(abs).toString();
        }
        return abs.toString();
    }

    static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
    }
}
