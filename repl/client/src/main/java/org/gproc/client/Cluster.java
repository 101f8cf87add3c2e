package org.gproc.client;

import java.io.IOException;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.gproc.client.internal.exec.BlobPush;
import org.gproc.client.internal.exec.ExecEngine;
import org.gproc.client.internal.exec.ExecRequest;
import org.gproc.client.internal.exec.Futures;
import org.gproc.client.internal.exec.LocalBlob;
import org.gproc.client.internal.exec.NodeChannel;
import org.gproc.client.internal.exec.SessionProcess;
import org.gproc.client.internal.route.RelayTree;
import org.gproc.client.internal.route.RouteOpener;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.xcpu.SessionVerb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The cluster as one process space: one 9P-over-SSH connection per node reached directly, opened in parallel and
 * kept; nodes behind a relay share the relay's connection ({@code relay = 'r1'} or {@code cluster.tree.width} in the
 * inventory). Nodes that cannot be reached within the connect deadline are listed in {@link #getDown()} with the
 * reason; they never stop the others.
 */
public final class Cluster implements AutoCloseable {
    private final Inventory inventory;
    private final ClusterOptions options;
    private final NodeConnector connector;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final AtomicInteger jobs = new AtomicInteger();
    /** Jobs started one node at a time ({@link Launch#inJob}): how many of their processes have started. */
    private final Map<String, AtomicInteger> placedJobs = new ConcurrentHashMap<>();
    private final ExecEngine engine;
    private volatile boolean closing;
    /** The dry run under way (its body may launch from any thread, e.g. a script's), or null. */
    private final AtomicReference<DryRun> dryRun = new AtomicReference<>();
    /** Every connection this cluster opened (a relay's is shared by its children); closed once, last. */
    private final Set<NinePClient> connections = Collections.synchronizedSet(
            new java.util.LinkedHashSet<>());

    private Cluster(Inventory inventory, ClusterOptions options, NodeConnector connector) {
        this.inventory = inventory;
        this.options = options;
        this.connector = connector;
        this.engine = new ExecEngine(options.listener());
    }

    /** Connects over SSH with the identity and known_hosts the options (or the inventory) name. */
    public static Cluster connect(Inventory inventory, ClusterOptions options) {
        return connect(inventory, options, SshNodeConnector.create(inventory, options));
    }

    /** Connects through {@code connector}; the cluster closes it when it is closed. */
    public static Cluster connect(Inventory inventory, ClusterOptions options, NodeConnector connector) {
        Cluster cluster = new Cluster(inventory, options, connector);
        cluster.open();
        return cluster;
    }

    private void open() {
        RelayTree tree = RelayTree.of(inventory);
        long timeout = options.connectTimeout().toMillis();
        RouteOpener opener = new RouteOpener(tree, this::connectDirectly, connector::keySpec);
        List<NodeAddress> addresses = List.copyOf(inventory.addresses());
        List<CompletableFuture<NodeChannel>> attempts = new ArrayList<>(addresses.size());
        AtomicInteger connected = new AtomicInteger();
        for (NodeAddress address : addresses) {
            int hops = opener.depth(address.name());
            CompletableFuture<NodeChannel> attempt = opener.channel(address.name());
            if (hops > 0) {
                // each relay on the way may take a connect deadline to reach its child
                attempt = attempt.orTimeout(timeout * opener.deadlines(address.name()), TimeUnit.MILLISECONDS);
            }
            attempts.add(attempt.whenComplete((c, e) -> options.progress().progress("connecting",
                    connected.incrementAndGet(), addresses.size())));
        }
        for (int i = 0; i < addresses.size(); i++) {
            NodeAddress address = addresses.get(i);
            String name = address.name();
            try {
                nodes.put(name, new Node(this, name, attempts.get(i).join(), null));
            } catch (RuntimeException e) {
                String reason = !(Futures.cause(e) instanceof TimeoutException) ? Futures.message(e)
                        : opener.depth(name) == 0
                        ? "no answer from " + address.hostAndPort() + " within " + options.connectTimeout().toSeconds() + " s"
                        : "no answer through relay " + tree.parent(name) + " within "
                        + options.connectTimeout().toSeconds() * opener.deadlines(name) + " s";
                nodes.put(name, new Node(this, name, null, reason));
            }
        }
        if (tree.hasRelays()) {
            new RelayFailover(tree, nodes, opener, this::connectDirectly, () -> closing).watch(
                    opener.alternativesChosen());
        }
    }

    private CompletableFuture<NinePClient> connectDirectly(NodeAddress address) {
        return connector.connect(address)
                .thenApply(client -> {
                    connections.add(client);
                    return client;
                })
                .orTimeout(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    if (Futures.cause(e) instanceof TimeoutException) {
                        throw new CompletionException(new IOException("no answer from "
                                + address.hostAndPort() + " within " + options.connectTimeout().toSeconds() + " s"));
                    }
                    throw Futures.unwrapped(e);
                });
    }

    public Inventory getInventory() {
        return inventory;
    }

    public ClusterOptions getOptions() {
        return options;
    }

    public ProcessTracker getTracker() {
        return options.tracker();
    }

    /** The nodes that are up. */
    public NodeSet getNodes() {
        return new NodeSet(this, nodes.values().stream().filter(Node::isUp).toList());
    }

    /** The nodes that could not be reached (or whose connection closed). */
    public NodeSet getDown() {
        return new NodeSet(this, nodes.values().stream().filter(n -> !n.isUp()).toList());
    }

    /** Every node of the inventory, up or down. */
    public NodeSet getAll() {
        return new NodeSet(this, nodes.values());
    }

    /** Why each down node is down. */
    public Map<String, String> getDownReasons() {
        Map<String, String> reasons = new LinkedHashMap<>();
        for (Node n : getDown()) {
            reasons.put(n.getName(), n.getDownReason());
        }
        return reasons;
    }

    public Node node(String name) {
        Node node = nodes.get(name);
        if (node == null) {
            throw new NoSuchElementException("no node '" + name + "' in the inventory ("
                    + inventory.source() + ")");
        }
        return node;
    }

    Hostlist parse(String expression) {
        return Hostlist.parse(expression, inventory.groupResolver());
    }

    /**
     * Runs {@code body} (a closure in Groovy: {@code cluster.dryRun { nodes.push('./sim').run() }}) without starting
     * anything: every launch on this cluster while it runs (from any thread) is recorded, with its node, arch,
     * command line and the files it would send (their sizes, and whether each node already has them), and returns a
     * process that failed with {@code dry run: not started}, so the body goes on. Nothing is pushed: only the nodes'
     * caches are looked up. A dry run inside another records into its own report until it ends.
     */
    public DryRun dryRun(Runnable body) {
        DryRun report = new DryRun();
        DryRun outer = dryRun.getAndSet(report);
        try {
            body.run();
        } finally {
            dryRun.set(outer);
        }
        return report;
    }

    /** A new job id, for launches a caller starts one node at a time ({@link Launch#inJob}). */
    public String newJob() {
        return String.valueOf(jobs.incrementAndGet());
    }

    /**
     * Asks the guard before {@code what} starts on {@code targets} when they are more than the inventory's
     * {@code confirmAbove} (never in a dry run); throws {@link IllegalStateException} when it is not confirmed.
     * Launches on node sets ask by themselves; a caller that starts a job one node at a time asks here first.
     */
    public void confirm(NodeSet targets, String what) {
        int limit = inventory.confirmAbove();
        if (dryRun.get() == null && limit > 0 && targets.size() > limit
                && !options.guard().approve(targets, what, limit)) {
            throw new IllegalStateException(what + ": not started on " + targets.size() + " nodes: not confirmed");
        }
    }

    Job startJob(NodeSet targets, Launch<Job> launch) {
        DryRun report = dryRun.get();
        confirm(targets, launch.toString());
        String id = newJob();
        List<Node> placed = List.copyOf(targets.stream().toList());
        List<CompletableFuture<String>> arches = archesOf(placed, launch, report != null);
        List<SessionProcess> started = new ArrayList<>(placed.size());
        if (report != null) {
            for (int rank = 0; rank < placed.size(); rank++) {
                started.add(plan(report, placed.get(rank), launch, id, rank, placed.size(), arches.get(rank)));
            }
            return new Job(this, id, List.copyOf(started));
        }
        options.progress().progress("starting", 0, placed.size());
        Runnable loopDone = engine.holdUploads(); // every relayed link line is sent before the bytes it forwards
        try {
            for (int rank = 0; rank < placed.size(); rank++) {
                started.add(startPlaced(placed.get(rank), launch, id, rank, placed.size(), arches.get(rank)));
            }
        } finally {
            loopDone.run();
        }
        AtomicInteger running = new AtomicInteger();
        for (SessionProcess p : started) {
            getTracker().started(p, launch.background());
            p.started().whenComplete((pid, e) -> options.progress().progress("starting",
                    running.incrementAndGet(), started.size()));
        }
        return new Job(this, id, List.copyOf(started));
    }

    /** One node's launch, a job of its own (rank 0 of 1). */
    RemoteProcess startOne(Node node, Launch<RemoteProcess> launch) {
        Launch.Place place = launch.place() != null ? launch.place() : new Launch.Place(newJob(), 0, 1);
        DryRun report = dryRun.get();
        CompletableFuture<String> arch = archesOf(List.of(node), launch, report != null).get(0);
        if (report != null) {
            return plan(report, node, launch, place.job(), place.rank(), place.size(), arch);
        }
        AtomicInteger running = launch.place() == null ? null : placedJobs.computeIfAbsent(place.job(), j -> {
            options.progress().progress("starting", 0, place.size());
            return new AtomicInteger();
        });
        SessionProcess p = startPlaced(node, launch, place.job(), place.rank(), place.size(), arch);
        getTracker().started(p, launch.background());
        if (running != null) {
            p.started().whenComplete((pid, e) -> {
                int n = running.incrementAndGet();
                options.progress().progress("starting", n, place.size());
                if (n >= place.size()) {
                    placedJobs.remove(place.job());
                }
            });
        }
        return p;
    }

    /** Each node's arch, read in parallel, when the launch must choose or check a binary by it (or always); else nulls. */
    private List<CompletableFuture<String>> archesOf(List<Node> placed, Launch<?> launch, boolean always) {
        List<CompletableFuture<String>> arches = new ArrayList<>(placed.size());
        for (Node node : placed) {
            arches.add((always || launch.needsArch()) && node.isUp() ? node.archAsync()
                    : CompletableFuture.completedFuture(null));
        }
        return arches;
    }

    /** A dry run's record of the launch at this place; the process returned has failed without starting. */
    private SessionProcess plan(DryRun report, Node node, Launch<?> launch, String job, int rank, int size,
                                CompletableFuture<String> arch) {
        String nodeArch = null;
        try {
            if (!node.isUp()) {
                throw new IllegalStateException("node is down: " + node.getDownReason());
            }
            nodeArch = node.await(arch, "reading its arch");
            ExecRequest request = launch.request(new Launch.Placement(job, rank, size, node.getName(), nodeArch));
            List<CompletableFuture<Boolean>> cached = new ArrayList<>();
            for (LocalBlob blob : request.blobs()) {
                cached.add(BlobPush.isCached(node.channel(), blob));
            }
            List<DryRun.Send> sends = new ArrayList<>();
            for (int i = 0; i < cached.size(); i++) {
                LocalBlob blob = request.blobs().get(i);
                sends.add(new DryRun.Send(blob.name(), blob.data().length, node.await(cached.get(i), "its cache")));
            }
            report.add(new DryRun.Entry(node.getName(), nodeArch, request.commandLine(), sends, null));
        } catch (IllegalStateException refused) {
            report.add(new DryRun.Entry(node.getName(), nodeArch, launch.toString(), List.of(), refused.getMessage()));
        }
        return SessionProcess.failed(engine, node.getName(), "dry run: not started", launch.unplaced());
    }

    private SessionProcess startPlaced(Node node, Launch<?> launch, String job, int rank, int size,
                                       CompletableFuture<String> arch) {
        ExecRequest request;
        try {
            String nodeArch = node.await(arch, "reading its arch");
            request = launch.request(new Launch.Placement(job, rank, size, node.getName(), nodeArch));
        } catch (IllegalStateException refused) {
            return SessionProcess.failed(engine, node.getName(), refused.getMessage(), launch.unplaced());
        }
        return node.startQuietly(request);
    }

    /**
     * The 9P bytes this cluster has written on its connections (-1 when the connector does not count): what left the
     * control node. A push through a relay adds its blob once per relay connection, not once per node behind it.
     */
    public long getBytesSent() {
        return connector.bytesSent();
    }

    /** The running processes of every node that is up. */
    public List<ProcessInfo> ps() {
        return ps(false);
    }

    /** With {@code all}, exited processes too (until their session is wiped). */
    public List<ProcessInfo> ps(boolean all) {
        return getNodes().ps(all);
    }

    /** The running processes of the nodes {@code expression} names. */
    public List<ProcessInfo> ps(String expression) {
        return ps(expression, false);
    }

    public List<ProcessInfo> ps(String expression, boolean all) {
        return getNodes().getAt(expression).ps(all);
    }

    /** Signals the process of session {@code node:session}, e.g. {@code kill('n3:12', 'TERM')}. */
    public void kill(String nodeSession, String signal) {
        int colon = nodeSession.lastIndexOf(':');
        if (colon <= 0 || colon == nodeSession.length() - 1) {
            throw new IllegalArgumentException("kill: '" + nodeSession + "' is not NODE:SESSION (e.g. n3:12)");
        }
        Node node = node(nodeSession.substring(0, colon));
        String session = nodeSession.substring(colon + 1);
        if (!session.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("kill: session '" + session + "' in '" + nodeSession
                    + "' is not a number");
        }
        node.await(requireUp(node).writeText(session + "/ctl", SessionVerb.SIGNAL.line(signal)),
                "kill " + signal + " " + nodeSession);
    }

    /**
     * Follows every process this principal started on the nodes that are up, as an earlier control node left them:
     * their output is read again from offset 0 and their exit status is kept. Only sessions that ran a process are
     * followed (those {@code ps(true)} lists), once each: a spare session or one whose exec failed has no process to
     * follow, and the rows of a session's children and orphans are not sessions of their own.
     */
    public List<RemoteProcess> reattach() {
        List<ProcessInfo> rows = ps(true).stream().filter(ProcessInfo::isSessionProcess).toList();
        List<RemoteProcess> found = new ArrayList<>(rows.size());
        for (ProcessInfo row : rows) {
            found.add(reattach(row));
        }
        // A process listed as exited has its status on the node already: wait for it, so the list says how each ended.
        for (int i = 0; i < rows.size(); i++) {
            if (!rows.get(i).isRunning()) {
                Node node = node(rows.get(i).getNode());
                node.await(found.get(i).onExit(), "reattach to session " + rows.get(i).getSession());
            }
        }
        return found;
    }

    /** Follows the process of one row of {@link #ps(boolean)}. */
    public RemoteProcess reattach(ProcessInfo row) {
        Node node = node(row.getNode());
        return SessionProcess.reattach(engine, requireUp(node), row.getSession(), row.getArgv().isEmpty() ? "?" : row.getArgv());
    }

    private static NodeChannel requireUp(Node node) {
        if (!node.isUp()) {
            throw new IllegalStateException(node.getName() + " is down: " + node.getDownReason());
        }
        return node.channel();
    }

    @Override
    public void close() {
        closing = true;
        for (Node n : nodes.values()) {
            if (n.channel() != null) {
                n.channel().release(); // wipes its spare session before the connection goes
            }
        }
        if (!connector.keepsConnections()) {
            List<NinePClient> open;
            synchronized (connections) {
                open = List.copyOf(connections);
            }
            open.forEach(NinePClient::close);
        }
        connector.close();
        engine.close();
    }

    /** What this cluster's launches share: timers, stdin pumps, the listener; closed with the cluster. */
    ExecEngine engine() {
        return engine;
    }

    @Override
    public String toString() {
        return "cluster of " + nodes.size() + " nodes from " + inventory.source() + ": up " + getNodes()
                + (getDown().isEmpty() ? "" : ", down " + getDown());
    }
}
