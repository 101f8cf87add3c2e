package org.gproc.client.internal.inventory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.gproc.client.GroupResolver;
import org.gproc.client.Hostlist;
import org.gproc.client.InventoryException;
import org.gproc.client.NodeAddress;
import org.gproc.client.NodeSetException;

/**
 * Turns a parsed inventory file into nodes, groups and paths, checking every rule and naming file and line in each
 * error (for a ConfigSlurper fallback, which loses lines, the line is found by looking for the key in the text).
 */
public final class InventoryReader {
    /** What a file defines; paths are resolved against the file's directory. */
    public record Contents(List<NodeAddress> nodes, Map<String, String> groups, Path knownHosts, Path identity,
                           Path certificate) {
    }

    /** A {@code via} setting as written: the gateway names, and the block that wrote it (for its line). */
    record Via(List<String> names, ConfigTree.Item item, String owner) {
    }

    /** Builds the error for {@code item} (file and line first). */
    interface Errors {
        InventoryException error(ConfigTree.Item item, String key, String message);
    }

    private final String fileName;
    private final String text;
    private final Path dir;
    private final Map<String, Via> explicitVia = new LinkedHashMap<>();
    private final Map<String, Via> groupVia = new LinkedHashMap<>();

    private InventoryReader(String fileName, String text, Path dir) {
        this.fileName = fileName;
        this.text = text;
        this.dir = dir;
    }

    public static Contents read(String text, Path file, int defaultPort) {
        String fileName = file.toString();
        ConfigTree.Block root;
        try {
            root = InventoryScript.parse(text);
        } catch (InventoryScript.Broken e) {
            throw new InventoryException(fileName + ":" + e.line + ": " + e.getMessage());
        } catch (InventoryScript.Unsupported notDeclarative) {
            try {
                root = SlurperFallback.parse(text, fileName);
            } catch (SlurperFallback.Failure e) {
                throw new InventoryException(e.getMessage());
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        return new InventoryReader(fileName, text, dir).contents(root, defaultPort);
    }

    InventoryException error(ConfigTree.Item item, String key, String message) {
        int line = item.line() > 0 ? item.line() : guessLine(key);
        return new InventoryException(fileName + (line > 0 ? ":" + line : "") + ": " + message);
    }

    /** The first line mentioning {@code key} as a name, for trees that lost their line numbers. */
    private int guessLine(String key) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.contains("'" + key + "'") || l.contains("\"" + key + "\"")
                    || l.matches(".*(^|[^\\w$])" + Pattern.quote(key) + "\\s*[={.].*")) {
                return i + 1;
            }
        }
        return 0;
    }

    private Contents contents(ConfigTree.Block root, int defaultPort) {
        Path knownHosts = null;
        Path identity = null;
        Path certificate = null;
        ConfigTree.Block nodesBlock = null;
        ConfigTree.Block groupsBlock = null;
        for (Map.Entry<String, ConfigTree.Item> e : root.items().entrySet()) {
            switch (e.getKey()) {
                case "cluster" -> {
                    ConfigTree.Block cluster = block(e.getValue(), "cluster");
                    for (Map.Entry<String, ConfigTree.Item> c : cluster.items().entrySet()) {
                        switch (c.getKey()) {
                            case "knownHosts" -> knownHosts = path(c.getValue(), "cluster.knownHosts");
                            case "identity" -> identity = path(c.getValue(), "cluster.identity");
                            case "certificate" -> certificate = path(c.getValue(), "cluster.certificate");
                            default -> throw error(c.getValue(), c.getKey(), "unknown setting 'cluster." + c.getKey()
                                    + "'" + Suggest.hint(c.getKey(), List.of("knownHosts", "identity", "certificate"),
                                    "cluster takes knownHosts, identity and certificate"));
                        }
                    }
                }
                case "nodes" -> nodesBlock = block(e.getValue(), "nodes");
                case "groups" -> groupsBlock = block(e.getValue(), "groups");
                default -> throw error(e.getValue(), e.getKey(), "unknown section '" + e.getKey() + "'"
                        + Suggest.hint(e.getKey(), List.of("cluster", "nodes", "groups"),
                        "an inventory has cluster, nodes and groups"));
            }
        }
        if (nodesBlock == null || nodesBlock.items().isEmpty()) {
            throw new InventoryException(fileName + ": defines no nodes (add a nodes { n1 { host = '...' } } block)");
        }
        List<NodeAddress> nodes = nodes(nodesBlock, defaultPort);
        Map<String, String> groups = groupsBlock == null ? Map.of() : groups(groupsBlock, nodes);
        if (!explicitVia.isEmpty() || !groupVia.isEmpty()) {
            nodes = Routes.resolve(nodes, groups, explicitVia, groupVia, this::error);
        }
        return new Contents(nodes, groups, knownHosts, identity, certificate);
    }

    /** {@code via = 'gw'} or {@code via = ['gwa', 'gwb']}: one or more node names, first hop first. */
    private List<String> viaNames(ConfigTree.Item item, String owner) {
        if (item instanceof ConfigTree.Value v) {
            if (v.value() instanceof String name && !name.isBlank()) {
                return List.of(name.strip());
            }
            if (v.value() instanceof List<?> list && !list.isEmpty()
                    && list.stream().allMatch(x -> x instanceof String name && !name.isBlank())) {
                return list.stream().map(x -> ((String) x).strip()).toList();
            }
        }
        throw error(item, "via", owner + ": via must be a node name in quotes or a list of them, first hop first,"
                + " e.g. via = 'gw' or via = ['gwa', 'gwb']");
    }

    private ConfigTree.Block block(ConfigTree.Item item, String name) {
        if (item instanceof ConfigTree.Block b) {
            return b;
        }
        throw error(item, name, "'" + name + "' must be a block: " + name + " { ... }");
    }

    private Path path(ConfigTree.Item item, String name) {
        if (item instanceof ConfigTree.Value v && v.value() instanceof String s && !s.isBlank()) {
            Path p = Path.of(s.startsWith("~/") ? System.getProperty("user.home") + s.substring(1) : s);
            return p.isAbsolute() ? p : dir.resolve(p).normalize();
        }
        throw error(item, name.substring(name.indexOf('.') + 1), name + " must be a path in quotes");
    }

    private List<NodeAddress> nodes(ConfigTree.Block block, int defaultPort) {
        Map<String, NodeAddress> byName = new LinkedHashMap<>();
        Map<String, String> definedBy = new TreeMap<>();
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, ConfigTree.Item> e : block.items().entrySet()) {
            String key = e.getKey();
            ConfigTree.Item item = e.getValue();
            Hostlist names;
            try {
                names = Hostlist.parse(key);
            } catch (NodeSetException ex) {
                throw error(item, key, "node key '" + key + "': " + ex.getMessage().replaceFirst("^nodeset: ", ""));
            }
            if (names.isEmpty()) {
                throw error(item, key, "node key '" + key + "' names no node");
            }
            if (!(item instanceof ConfigTree.Block settings)) {
                throw error(item, key, "node '" + key + "' must be a block: '" + key + "' { host = '...'; port = "
                        + defaultPort + " }");
            }
            String host = null;
            int port = defaultPort;
            List<String> via = null;
            for (Map.Entry<String, ConfigTree.Item> s : settings.items().entrySet()) {
                ConfigTree.Item v = s.getValue();
                switch (s.getKey()) {
                    case "host" -> {
                        if (!(v instanceof ConfigTree.Value val && val.value() instanceof String h) || h.isBlank()) {
                            throw error(v, "host", "node '" + key + "': host must be a name or address in quotes");
                        }
                        host = h.strip();
                    }
                    case "port" -> {
                        if (!(v instanceof ConfigTree.Value val && val.value() instanceof Integer p)) {
                            throw error(v, "port", "node '" + key + "': port must be a number");
                        }
                        port = p;
                    }
                    case "via" -> via = viaNames(v, "node '" + key + "'");
                    default -> throw error(v, s.getKey(), "node '" + key + "': unknown setting '" + s.getKey() + "'"
                            + Suggest.hint(s.getKey(), List.of("host", "port", "via"),
                            "a node takes host, port and via"));
                }
            }
            // one host for a whole node set means one daemon port per node on it; without a host each name is
            // its own host, and every one of them serves the same port
            boolean sharedHost = host != null && names.size() > 1;
            long last = sharedHost ? (long) port + names.size() - 1 : port;
            if (port < 1 || last > 65535) {
                String what = sharedHost ? "ports " + port + "-" + last : "port " + port;
                throw error(settings, key, "node '" + key + "': " + what + " out of range 1-65535");
            }
            int next = port;
            for (String name : names) {
                String previous = definedBy.putIfAbsent(name, key);
                if (previous != null) {
                    throw error(settings, key, "node '" + name + "' is defined twice (by '" + previous + "' and '"
                            + key + "')");
                }
                byName.put(name, new NodeAddress(name, host == null ? name : host, next));
                if (sharedHost) {
                    next++;
                }
                if (via != null) {
                    explicitVia.put(name, new Via(via, settings, "node '" + key + "'"));
                }
            }
            keys.add(key);
        }
        List<NodeAddress> ordered = new ArrayList<>(byName.size());
        for (String name : Hostlist.fromList(keys)) {
            ordered.add(byName.get(name));
        }
        return ordered;
    }

    private Map<String, String> groups(ConfigTree.Block block, List<NodeAddress> nodes) {
        Map<String, String> groups = new TreeMap<>();
        for (Map.Entry<String, ConfigTree.Item> e : block.items().entrySet()) {
            String name = e.getKey();
            ConfigTree.Item item = e.getValue();
            if (name.isEmpty() || name.chars().anyMatch(c -> "@,!&^*?[]% \t".indexOf(c) >= 0)) {
                throw error(item, name, "group name '" + name + "' may not contain any of @,!&^*?[]% or spaces");
            }
            String expression = null;
            if (item instanceof ConfigTree.Value v && v.value() instanceof String written) {
                expression = written;
            } else if (item instanceof ConfigTree.Block b) {
                for (Map.Entry<String, ConfigTree.Item> s : b.items().entrySet()) {
                    switch (s.getKey()) {
                        case "nodes" -> {
                            if (!(s.getValue() instanceof ConfigTree.Value v && v.value() instanceof String set)) {
                                throw error(s.getValue(), "nodes", "group '" + name + "': nodes must be a node set"
                                        + " in quotes, e.g. nodes = 'n[1-4]'");
                            }
                            expression = set;
                        }
                        case "via" -> groupVia.put(name, new Via(viaNames(s.getValue(), "group '" + name + "'"), b,
                                "group '" + name + "'"));
                        default -> throw error(s.getValue(), s.getKey(), "group '" + name + "': unknown setting '"
                                + s.getKey() + "'" + Suggest.hint(s.getKey(), List.of("nodes", "via"),
                                "a group block takes nodes and via"));
                    }
                }
                if (expression == null) {
                    throw error(item, name, "group '" + name + "' names no nodes: " + name
                            + " { nodes = 'n[1-4]'; via = 'gw' }");
                }
            }
            if (expression == null) {
                throw error(item, name, "group '" + name + "' must be a node set in quotes, e.g. " + name
                        + " = 'n[1-4]', or a block: " + name + " { nodes = 'n[1-4]'; via = 'gw' }");
            }
            groups.put(name, expression);
        }
        Hostlist all = Hostlist.fromList(nodes.stream().map(NodeAddress::name).toList());
        GroupResolver resolver = GroupResolver.of(groups, List.of(all.fold()));
        for (Map.Entry<String, String> g : groups.entrySet()) {
            ConfigTree.Item item = block.items().get(g.getKey());
            Hostlist members;
            try {
                members = Hostlist.parse("@" + g.getKey(), resolver);
            } catch (NodeSetException ex) {
                throw error(item, g.getKey(), "group '" + g.getKey() + "': "
                        + ex.getMessage().replaceFirst("^nodeset: ", "").replace(" (in group '@" + g.getKey() + "')", ""));
            }
            Hostlist unknown = members.difference(all);
            if (!unknown.isEmpty()) {
                throw error(item, g.getKey(), "group '" + g.getKey() + "' names nodes that are not in the inventory: "
                        + unknown.fold());
            }
        }
        return groups;
    }
}
