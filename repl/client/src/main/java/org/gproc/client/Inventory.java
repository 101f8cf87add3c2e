package org.gproc.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.gproc.client.internal.inventory.InventoryReader;
import org.gproc.client.internal.inventory.InventoryWriter;
import org.gproc.client.internal.inventory.NodesSpec;

/**
 * The nodes of a cluster (name, host and port of each node daemon), node groups, and the client's key files.
 *
 * <p>Sources, first found wins ({@link #locate}):
 * <ol>
 *   <li>an explicit file ({@code gproc -i FILE});</li>
 *   <li>{@code GPROC_NODES}: {@code n[1-4]=127.0.0.1:17001} (nodes on one host, ports counting up in node set order)
 *       or {@code node[01-16]} / {@code node[01-16]:6000} (each node its own host); entries separated by spaces or
 *       {@code ;};</li>
 *   <li>inside a Slurm allocation where {@code gproc slurm up} started the job's daemons ({@code SLURM_JOB_ID} set
 *       and {@code ~/.gproc/slurm/JOBID/inventory.groovy} present): that file, with the job's own keys;</li>
 *   <li>{@code SLURM_JOB_NODELIST} inside a Slurm allocation: each node of the hostlist is its own host;</li>
 *   <li>{@code ~/.gproc/inventory.groovy}.</li>
 * </ol>
 * {@code GPROC_PORT} sets the default port (5640) for sources 2 and 3.
 *
 * <p>The file format is Groovy ConfigSlurper, the one {@code gprocd --write-inventory} writes:
 * <pre>
 * cluster { knownHosts = 'known_hosts'; identity = 'id_ed25519' }   // optional, relative to this file
 * cluster.certificate = 'alice-cert.pub'   // optional; default: IDENTITY-cert.pub beside the identity, if it exists
 * nodes {
 *     n1 { host = '10.0.0.1'; port = 5640 }                         // port defaults to 5640, host to the name
 *     'n[2-1000]' { host = '127.0.0.1'; port = 17002 }             // one host: first node's port, +1 per node
 *     'gpu[1-4]' { port = 5640 }                                     // no host: each name its own host, same port
 * }
 * groups { compute = 'n[2-1000]' }                                  // node sets, used as @compute
 * groups.'gpu-nodes' = 'n[2-9]'                                     // a group name that is not an identifier
 * </pre>
 * Nodes behind a gateway (a bastion, another site) name it with {@code via}, on the node or on a group block; the
 * gateway is a node of the same inventory running {@code gprocd --gateway-for}, and the node's host and port are
 * as the gateway sees them. A list is several hops, first hop first:
 * <pre>
 * nodes {
 *     gwb { host = 'gw.site-b.example'; port = 5640 }
 *     'b[1-64]' { host = '10.2.0.1'; port = 17001; via = 'gwb' }       // or via = ['gwa', 'gwb']
 * }
 * groups { siteb { nodes = 'b[1-64]'; via = 'gwb' } }                  // the same, for a whole group
 * </pre>
 * Plain declarations like these are read directly (a 10,000-node file in milliseconds); a file using more Groovy
 * (variables, loops) is run by ConfigSlurper. Key files not named by the source default to
 * {@code ~/.gproc/known_hosts} and {@code ~/.gproc/id_ed25519}.
 */
public final class Inventory {
    public static final int DEFAULT_PORT = 5640;
    public static final String NODES_ENV = "GPROC_NODES";
    public static final String PORT_ENV = "GPROC_PORT";
    public static final String SLURM_ENV = "SLURM_JOB_NODELIST";
    public static final String SLURM_JOB_ENV = "SLURM_JOB_ID";
    /** The file {@code gproc slurm up} writes in the job directory once the job's daemons serve. */
    public static final String SLURM_JOB_INVENTORY = "inventory.groovy";

    private final String source;
    private final Map<String, NodeAddress> nodes;
    private final Hostlist names;
    private final Map<String, String> groups;
    private final Path knownHosts;
    private final Path identity;
    private final Path certificate;
    private final GroupResolver resolver;
    private final Routing routing;
    /** Every node of the source, also those a {@link #subset} left out: gateways on a route are looked up here. */
    private final Map<String, NodeAddress> everyNode;

    /**
     * Which nodes are reached through a relay: each node's explicit relay, the automatic tree's width (0: none), and
     * the address of every node that may relay, kept when {@link #subset} drops it from the nodes. Also the
     * cluster's {@code confirmAbove} (0: never ask), which travels with every copy of the inventory as routing does.
     */
    private record Routing(Map<String, List<String>> relayOf, int treeWidth, Map<String, NodeAddress> every,
                           int confirmAbove) {
        static final Routing NONE = new Routing(Map.of(), 0, Map.of(), 0);
    }

    private Inventory(String source, List<NodeAddress> nodes, Map<String, String> groups, Path knownHosts,
            Path identity) {
        this(source, nodes, groups, knownHosts, identity, null, Routing.NONE, null);
    }

    private Inventory(String source, List<NodeAddress> nodes, Map<String, String> groups, Path knownHosts,
            Path identity, Path certificate, Routing routing, Map<String, NodeAddress> everyNode) {
        this.source = source;
        this.routing = routing;
        Map<String, NodeAddress> byName = new LinkedHashMap<>();
        for (NodeAddress node : nodes) {
            if (byName.put(node.name(), node) != null) {
                throw new InventoryException(source + ": node '" + node.name() + "' is named twice");
            }
        }
        this.nodes = Collections.unmodifiableMap(byName);
        this.everyNode = everyNode != null ? everyNode : this.nodes;
        this.names = Hostlist.fromList(byName.keySet());
        this.groups = Collections.unmodifiableMap(new TreeMap<>(groups));
        this.knownHosts = knownHosts;
        this.identity = identity;
        this.certificate = certificate;
        this.resolver = GroupResolver.of(this.groups, names.isEmpty() ? List.of() : List.of(names.fold()));
    }

    /** An inventory built in code (tests, the embedded demo). */
    public static Inventory of(String source, Collection<NodeAddress> nodes, Map<String, String> groups) {
        return new Inventory(source, List.copyOf(nodes), groups, null, null);
    }

    /** Reads an inventory file; errors name the file and line. */
    public static Inventory load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InventoryException("inventory: " + file + ": no such file");
        } catch (IOException e) {
            throw new InventoryException("inventory: cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file);
    }

    /** Reads inventory text as if it were {@code file} (relative key paths resolve against its directory). */
    public static Inventory parse(String text, Path file) {
        InventoryReader.Contents c = InventoryReader.read(text, file, DEFAULT_PORT);
        Map<String, NodeAddress> every = new LinkedHashMap<>();
        if (!c.relays().isEmpty() || c.treeWidth() > 0) {
            c.nodes().forEach(n -> every.put(n.name(), n));
        }
        return new Inventory(file.toString(), c.nodes(), c.groups(), c.knownHosts(), c.identity(), c.certificate(),
                new Routing(Map.copyOf(c.relays()), c.treeWidth(), Collections.unmodifiableMap(every),
                        c.confirmAbove()), null);
    }

    /** Nodes from the {@code GPROC_NODES} syntax (see the class comment). */
    public static Inventory fromNodesSpec(String spec, int defaultPort) {
        return new Inventory(NODES_ENV, NodesSpec.parse(spec, NODES_ENV, defaultPort), Map.of(), null, null);
    }

    /** Nodes of a Slurm hostlist ({@code SLURM_JOB_NODELIST}), each its own host on {@code port}. */
    public static Inventory fromSlurm(String nodelist, int port) {
        Hostlist names;
        try {
            names = Hostlist.parse(nodelist);
        } catch (NodeSetException e) {
            throw new InventoryException(SLURM_ENV + ": " + e.getMessage().replaceFirst("^nodeset: ", ""));
        }
        if (names.isEmpty()) {
            throw new InventoryException(SLURM_ENV + " names no node");
        }
        return new Inventory(SLURM_ENV, names.stream().map(n -> new NodeAddress(n, n, port)).toList(), Map.of(),
                null, null);
    }

    /**
     * The inventory this client should use: {@code explicit} if given, else {@code GPROC_NODES}, else the inventory
     * of {@code gproc slurm up} for {@code SLURM_JOB_ID}, else {@code SLURM_JOB_NODELIST}, else
     * {@code HOME/.gproc/inventory.groovy}; key files the source does not name default to
     * {@code HOME/.gproc/known_hosts} and {@code HOME/.gproc/id_ed25519}.
     */
    public static Inventory locate(Path explicit, Map<String, String> env, Path home) {
        return locate(explicit, env, home, Inventory::load);
    }

    /**
     * As {@link #locate(Path, Map, Path)}, reading inventory files with {@code loader} (the control-node agent's
     * keeps each file's inventory while the file is unchanged).
     */
    public static Inventory locate(Path explicit, Map<String, String> env, Path home,
                                   java.util.function.Function<Path, Inventory> loader) {
        Path dotGproc = home.resolve(".gproc");
        Inventory found;
        if (explicit != null) {
            found = loader.apply(explicit);
        } else if (!blank(env.get(NODES_ENV))) {
            found = fromNodesSpec(env.get(NODES_ENV), defaultPort(env));
        } else if (!blank(env.get(SLURM_JOB_ENV))
                && Files.isRegularFile(slurmJobDir(home, env.get(SLURM_JOB_ENV)).resolve(SLURM_JOB_INVENTORY))) {
            found = loader.apply(slurmJobDir(home, env.get(SLURM_JOB_ENV)).resolve(SLURM_JOB_INVENTORY));
        } else if (!blank(env.get(SLURM_ENV))) {
            found = fromSlurm(env.get(SLURM_ENV), defaultPort(env));
        } else if (Files.isRegularFile(dotGproc.resolve("inventory.groovy"))) {
            found = loader.apply(dotGproc.resolve("inventory.groovy"));
        } else {
            throw new InventoryException("no inventory: pass -i FILE, set " + NODES_ENV
                    + " (e.g. 'n[1-4]=127.0.0.1:17001'), run inside a Slurm allocation, or write "
                    + dotGproc.resolve("inventory.groovy"));
        }
        return new Inventory(found.source, List.copyOf(found.nodes.values()), found.groups,
                found.knownHosts != null ? found.knownHosts : dotGproc.resolve("known_hosts"),
                found.identity != null ? found.identity : dotGproc.resolve("id_ed25519"), found.certificate,
                found.routing, found.everyNode);
    }

    /**
     * Where {@code gproc slurm up} keeps job {@code jobId}'s keys, logs and inventory: {@code HOME/.gproc/slurm/JOBID}.
     * A job id that is not a plain Slurm id (digits, optionally {@code _N} of an array) is refused.
     */
    public static Path slurmJobDir(Path home, String jobId) {
        String id = jobId.strip();
        if (!id.matches("[0-9]+(_[0-9]+)?")) {
            throw new InventoryException(SLURM_JOB_ENV + ": '" + jobId + "' is not a Slurm job id (digits)");
        }
        return home.resolve(".gproc").resolve("slurm").resolve(id);
    }

    private static int defaultPort(Map<String, String> env) {
        String port = env.get(PORT_ENV);
        if (blank(port)) {
            return DEFAULT_PORT;
        }
        if (!port.strip().matches("[0-9]{1,5}") || Integer.parseInt(port.strip()) < 1
                || Integer.parseInt(port.strip()) > 65535) {
            throw new InventoryException(PORT_ENV + ": '" + port + "' is not a port number in 1-65535");
        }
        return Integer.parseInt(port.strip());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Where the nodes came from: a file path, {@code GPROC_NODES} or {@code SLURM_JOB_NODELIST}. */
    public String source() {
        return source;
    }

    /** Every node name. */
    public Hostlist nodes() {
        return names;
    }

    /** Every node's address, in node set order. */
    public Collection<NodeAddress> addresses() {
        return nodes.values();
    }

    /**
     * The same inventory narrowed to the nodes {@code expression} selects (groups, known_hosts and identity kept), so
     * a command on {@code -w n[1-4]} connects to four nodes, not to every node of a large inventory.
     */
    public Inventory subset(String expression) {
        Hostlist selected = select(expression);
        List<NodeAddress> chosen = new ArrayList<>(selected.size());
        for (String name : selected) {
            chosen.add(nodes.get(name));
        }
        return new Inventory(source, chosen, groups, knownHosts, identity, certificate, routing, everyNode);
    }

    /**
     * The gateways to go through to reach {@code node}, first hop first (empty when the control node dials it
     * itself): the nodes its {@code via} names, with the address each is reached at from the hop before.
     */
    public List<NodeAddress> route(NodeAddress node) {
        List<NodeAddress> hops = new ArrayList<>(node.via().size());
        for (String name : node.via()) {
            NodeAddress hop = everyNode.get(name);
            if (hop == null) {
                throw new InventoryException(source + ": node '" + node.name() + "': via '" + name
                        + "' is not a node of this inventory");
            }
            hops.add(hop);
        }
        return hops;
    }

    public Optional<NodeAddress> address(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    /** Group name (without {@code @}) to node set expression. */
    public Map<String, String> groups() {
        return groups;
    }

    /** Resolves this inventory's {@code @groups}, {@code @*} and wildcards. */
    public GroupResolver groupResolver() {
        return resolver;
    }

    /**
     * The nodes an expression selects ({@code n[1-4]}, {@code @compute!n3}, {@code n*}); names outside the
     * inventory are an error naming them.
     */
    public Hostlist select(String expression) {
        Hostlist selected = Hostlist.parse(expression, resolver);
        Hostlist unknown = selected.difference(names);
        if (!unknown.isEmpty()) {
            throw new NodeSetException("nodeset: " + unknown.fold() + (unknown.size() == 1 ? " is" : " are")
                    + " not in the inventory (" + source + ")", unknown.fold());
        }
        return selected;
    }

    public Optional<Path> knownHosts() {
        return Optional.ofNullable(knownHosts);
    }

    public Optional<Path> identity() {
        return Optional.ofNullable(identity);
    }

    /**
     * The user certificate to log in with; when empty, {@code IDENTITY-cert.pub} beside the identity is used if it
     * exists (as OpenSSH does).
     */
    public Optional<Path> certificate() {
        return Optional.ofNullable(certificate);
    }

    public Inventory withKnownHosts(Path file) {
        return new Inventory(source, List.copyOf(nodes.values()), groups, Objects.requireNonNull(file), identity,
                certificate, routing, everyNode);
    }

    /** Another identity; the file's certificate belonged to the old one, so the new one's is found beside it. */
    public Inventory withIdentity(Path file) {
        return new Inventory(source, List.copyOf(nodes.values()), groups, knownHosts, Objects.requireNonNull(file),
                null, routing, everyNode);
    }

    public Inventory withCertificate(Path file) {
        return new Inventory(source, List.copyOf(nodes.values()), groups, knownHosts, identity,
                Objects.requireNonNull(file), routing, everyNode);
    }

    /**
     * The relay {@code node} is reached through ({@code relay = 'r1'} on it or its group, or the first of
     * {@code relay = ['r1', 'r2']}), if any.
     */
    public Optional<String> relayOf(String node) {
        List<String> relays = routing.relayOf().get(node);
        return relays == null ? Optional.empty() : Optional.of(relays.get(0));
    }

    /** Every relay {@code node} may be reached through, first choice first; empty when it has no relay key. */
    public List<String> relaysOf(String node) {
        return routing.relayOf().getOrDefault(node, List.of());
    }

    /** Node to its relays (first choice first), for every node with an explicit relay. */
    public Map<String, List<String>> relays() {
        return routing.relayOf();
    }

    /** {@code cluster { tree { width = N } }}: 0 when the nodes without a relay of their own are reached directly. */
    /**
     * {@code cluster { confirmAbove = 256 }}: a launch on more nodes than this shows its targets and asks first
     * ({@link ClusterOptions#withGuard}; {@code --yes} skips it); 0 never asks.
     */
    public int confirmAbove() {
        return routing.confirmAbove();
    }

    public int treeWidth() {
        return routing.treeWidth();
    }

    /**
     * The same inventory with an automatic relay tree of {@code width} (the CLI's {@code --tree-width}); 0 turns it
     * off. Nodes with their own relay keep it.
     */
    public Inventory withTreeWidth(int width) {
        if (width != 0 && width < InventoryReader.MIN_TREE_WIDTH) {
            throw new InventoryException("tree width " + width + ": a relay tree needs a width of at least "
                    + InventoryReader.MIN_TREE_WIDTH + " (the children each relay serves)");
        }
        Map<String, NodeAddress> every = new LinkedHashMap<>(routing.every());
        nodes.values().forEach(n -> every.putIfAbsent(n.name(), n));
        return new Inventory(source, List.copyOf(nodes.values()), groups, knownHosts, identity, certificate,
                new Routing(routing.relayOf(), width, Collections.unmodifiableMap(every),
                        routing.confirmAbove()), everyNode);
    }

    /** The address of {@code node}, also when it is a relay that {@link #subset} left out of the nodes. */
    public Optional<NodeAddress> relayAddress(String node) {
        NodeAddress own = nodes.get(node);
        return own != null ? Optional.of(own) : Optional.ofNullable(routing.every().get(node));
    }

    /** The compact file text ({@code 'n[1-4]' { host = '127.0.0.1'; port = 17001 }}), paths relative to baseDir. */
    public String toText(Path baseDir) {
        return InventoryWriter.write(List.copyOf(nodes.values()), groups, new InventoryWriter.Settings(knownHosts,
                identity, certificate, routing.treeWidth(), routing.confirmAbove()), routing.relayOf(), baseDir);
    }

    /** Writes {@link #toText} to {@code file} (key paths relative to its directory when under it). */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.writeString(file, toText(dir), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Inventory{" + source + ": " + names.fold() + "}";
    }
}
