package org.gproc.client.internal.inventory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
                           Path certificate, Map<String, List<String>> relays, int treeWidth, int confirmAbove) {
    }

    /** The smallest {@code cluster.tree.width}: a relay with one child saves nothing. */
    public static final int MIN_TREE_WIDTH = 2;

    private final Map<String, RelayRules.Setting> nodeRelays = new LinkedHashMap<>();
    private final Map<String, RelayRules.Setting> groupRelays = new LinkedHashMap<>();

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
        int treeWidth = 0;
        int confirmAbove = 0;
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
                            case "tree" -> treeWidth = treeWidth(c.getValue());
                            case "confirmAbove" -> confirmAbove = confirmAbove(c.getValue());
                            default -> throw error(c.getValue(), c.getKey(), "unknown setting 'cluster." + c.getKey()
                                    + "'" + Suggest.hint(c.getKey(), List.of("knownHosts", "identity", "certificate",
                                    "tree", "confirmAbove"),
                                    "cluster takes knownHosts, identity, certificate, tree and confirmAbove"));
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
        Map<String, List<String>> relays = RelayRules.resolve(nodeRelays, groupRelays,
                new LinkedHashSet<>(nodes.stream().map(NodeAddress::name).toList()), this::error);
        return new Contents(nodes, groups, knownHosts, identity, certificate, relays, treeWidth, confirmAbove);
    }

    /** {@code cluster { confirmAbove = 256 }}: a whole number of nodes, at least 1. */
    private int confirmAbove(ConfigTree.Item item) {
        if (!(item instanceof ConfigTree.Value v && v.value() instanceof Integer n) || n < 1) {
            throw error(item, "confirmAbove", "cluster.confirmAbove must be a number of nodes of at least 1"
                    + " (leave it out to never ask)");
        }
        return n;
    }

    /** {@code cluster { tree { width = 32 } }}: every node without its own relay joins a tree of that width. */
    private int treeWidth(ConfigTree.Item item) {
        ConfigTree.Block tree = block(item, "cluster.tree");
        int width = 0;
        for (Map.Entry<String, ConfigTree.Item> t : tree.items().entrySet()) {
            if (!t.getKey().equals("width")) {
                throw error(t.getValue(), t.getKey(), "unknown setting 'cluster.tree." + t.getKey() + "'"
                        + Suggest.hint(t.getKey(), List.of("width"), "cluster.tree takes width"));
            }
            if (!(t.getValue() instanceof ConfigTree.Value v && v.value() instanceof Integer w)
                    || w < MIN_TREE_WIDTH) {
                throw error(t.getValue(), "width", "cluster.tree.width must be a number of at least "
                        + MIN_TREE_WIDTH + " (the children each relay serves)");
            }
            width = w;
        }
        if (width == 0) {
            throw error(tree, "tree", "cluster.tree needs a width, e.g. tree { width = 32 }");
        }
        return width;
    }

    /** {@code relay = 'r1'} or {@code relay = ['r1', 'r2']}: the relays to use, first choice first. */
    private List<String> relayNames(ConfigTree.Item v, String owner) {
        if (v instanceof ConfigTree.Value val && val.value() instanceof List<?> list) {
            if (list.isEmpty()) {
                throw error(v, "relay", owner + ": relay list is empty: name at least one relay, e.g."
                        + " relay = ['r1', 'r2'] (leave relay out to reach the node directly)");
            }
            List<String> names = new ArrayList<>();
            for (Object x : list) {
                if (!(x instanceof String r) || r.isBlank()) {
                    throw error(v, "relay", owner + ": relay list holds " + (x instanceof String ? "an empty name"
                            : "'" + x + "'") + ": each relay is a node name in quotes, e.g. relay = ['r1', 'r2']");
                }
                if (names.contains(r.strip())) {
                    throw error(v, "relay", owner + ": relay list names '" + r.strip() + "' twice");
                }
                names.add(r.strip());
            }
            return List.copyOf(names);
        }
        if (!(v instanceof ConfigTree.Value val && val.value() instanceof String r) || r.isBlank()) {
            throw error(v, "relay", owner + ": relay must be a node name in quotes or a list of them, first choice"
                    + " first, e.g. relay = 'r1' or relay = ['r1', 'r2']");
        }
        return List.of(r.strip());
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
            List<String> relay = null;
            ConfigTree.Item relayItem = null;
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
                    case "relay" -> {
                        relay = relayNames(v, "node '" + key + "'");
                        relayItem = v;
                    }
                    case "via" -> via = viaNames(v, "node '" + key + "'");
                    default -> throw error(v, s.getKey(), "node '" + key + "': unknown setting '" + s.getKey() + "'"
                            + Suggest.hint(s.getKey(), List.of("host", "port", "relay", "via"),
                            "a node takes host, port, relay and via"));
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
                if (relay != null) {
                    nodeRelays.put(name, new RelayRules.Setting(relay, key, relayItem));
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
            if (item instanceof ConfigTree.Block settings) {
                groups.put(name, groupBlock(name, settings));
                continue;
            }
            if (!(item instanceof ConfigTree.Value v && v.value() instanceof String expression)) {
                throw error(item, name, "group '" + name + "' must be a node set in quotes, e.g. " + name
                        + " = 'n[1-4]', or a block: " + name + " { nodes = 'n[1-4]'; relay = 'r1' }");
            }
            groups.put(name, expression);
        }
        Hostlist all = Hostlist.fromList(nodes.stream().map(NodeAddress::name).toList());
        GroupResolver resolver = GroupResolver.of(groups, List.of(all.fold()));
        Map<String, RelayRules.Setting> relayByGroup = new LinkedHashMap<>(groupRelays);
        groupRelays.clear();
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
            RelayRules.Setting relay = relayByGroup.get(g.getKey());
            if (relay != null) {
                for (String member : members) {
                    if (relay.relays().contains(member)) {
                        continue; // the group's relays may be its members; they are reached without themselves
                    }
                    RelayRules.Setting earlier = groupRelays.put(member, relay);
                    if (earlier != null && !earlier.relays().equals(relay.relays())) {
                        throw error(relay.item(), "relay", "node '" + member + "' is in " + earlier.definedBy()
                                + " (relay " + quoted(earlier.relays()) + ") and @" + g.getKey() + " (relay "
                                + quoted(relay.relays()) + "): give the node its own relay setting");
                    }
                }
            }
        }
        return groups;
    }

    /** {@code 'r1'}, or {@code ['r1', 'r2']} for a list, as written in the file. */
    private static String quoted(List<String> relays) {
        List<String> q = relays.stream().map(r -> "'" + r + "'").toList();
        return q.size() == 1 ? q.get(0) : "[" + String.join(", ", q) + "]";
    }

    /** {@code rack1 { nodes = 'n[1-100]'; relay = 'r1' }}: a group whose members are reached through a relay. */
    private String groupBlock(String name, ConfigTree.Block settings) {
        String expression = null;
        for (Map.Entry<String, ConfigTree.Item> s : settings.items().entrySet()) {
            ConfigTree.Item v = s.getValue();
            switch (s.getKey()) {
                case "nodes" -> {
                    if (!(v instanceof ConfigTree.Value val && val.value() instanceof String e) || e.isBlank()) {
                        throw error(v, "nodes", "group '" + name + "': nodes must be a node set in quotes, e.g."
                                + " nodes = 'n[1-4]'");
                    }
                    expression = e;
                }
                case "relay" -> groupRelays.put(name, new RelayRules.Setting(relayNames(v, "group '" + name + "'"),
                        "@" + name, v));
                case "via" -> groupVia.put(name, new Via(viaNames(v, "group '" + name + "'"), settings,
                        "group '" + name + "'"));
                default -> throw error(v, s.getKey(), "group '" + name + "': unknown setting '" + s.getKey() + "'"
                        + Suggest.hint(s.getKey(), List.of("nodes", "relay", "via"),
                        "a group block takes nodes, relay and via"));
            }
        }
        if (expression == null) {
            throw error(settings, name, "group '" + name + "' needs its nodes, e.g. " + name
                    + " { nodes = 'n[1-4]'; relay = 'r1' }");
        }
        return expression;
    }
}
