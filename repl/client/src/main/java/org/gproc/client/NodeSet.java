package org.gproc.client;

import org.gproc.client.internal.exec.Futures;
import org.gproc.client.internal.exec.LocalBlob;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A set of the cluster's nodes, named in the hostlist syntax of ClusterShell and Slurm ({@code n[1-4,8]}, see
 * {@link Hostlist}). Iterable in node order; {@code nodes['n[1-4]']} selects, {@code nodes.n1} is one node;
 * {@code push}/{@code run} broadcast and return a {@link Job}; {@code +}, {@code -}, {@code &}, {@code ^} are the
 * set algebra. Results of a job ({@code job.failed}) are node sets too, so {@code job.failed.run(...)} works.
 */
public final class NodeSet implements Iterable<Node> {
    private final Cluster cluster;
    private final Map<String, Node> nodes;
    private final Hostlist names;

    NodeSet(Cluster cluster, Collection<Node> members) {
        this.cluster = cluster;
        Map<String, Node> byName = new LinkedHashMap<>();
        for (Node n : members) {
            byName.put(n.getName(), n);
        }
        this.names = Hostlist.fromList(byName.keySet());
        this.nodes = new LinkedHashMap<>();
        for (String name : names) {
            nodes.put(name, byName.get(name));
        }
    }

    /** The names, e.g. for {@code fold()}/{@code expand()}. */
    public Hostlist getNames() {
        return names;
    }

    /** This set (so {@code job.failed.nodes.run(...)} reads as DESIGN.md writes it). */
    public NodeSet getNodes() {
        return this;
    }

    public int size() {
        return nodes.size();
    }

    public boolean isEmpty() {
        return nodes.isEmpty();
    }

    public boolean contains(String name) {
        return nodes.containsKey(name);
    }

    @Override
    public Iterator<Node> iterator() {
        return List.copyOf(nodes.values()).iterator();
    }

    public Stream<Node> stream() {
        return nodes.values().stream();
    }

    /** One node by name; in Groovy also {@code nodes.n1}. */
    public Node get(String name) {
        Node node = nodes.get(name);
        if (node == null) {
            throw new NoSuchElementException("no node '" + name + "' in " + this);
        }
        return node;
    }

    /** The members named by a hostlist expression ({@code nodes['n[1-4]']}, {@code nodes['@rack1!n3']}). */
    public NodeSet getAt(String expression) {
        Hostlist wanted = cluster.parse(expression);
        Hostlist missing = wanted.difference(names);
        if (!missing.isEmpty()) {
            throw new NoSuchElementException("'" + expression + "': " + missing.fold() + " not in " + this);
        }
        List<Node> selected = new ArrayList<>();
        for (String name : wanted) {
            selected.add(nodes.get(name));
        }
        return new NodeSet(cluster, selected);
    }

    public Node getAt(int index) {
        List<Node> list = List.copyOf(nodes.values());
        if (index < 0) {
            index += list.size();
        }
        if (index < 0 || index >= list.size()) {
            throw new IndexOutOfBoundsException("node index " + index + " out of " + list.size() + " in " + this);
        }
        return list.get(index);
    }

    public NodeSet findAll(Predicate<Node> condition) {
        return new NodeSet(cluster, stream().filter(condition).toList());
    }

    /*
     * The set algebra takes another node set, a node, node names (any Iterable of nodes or names) or a hostlist
     * expression. Each operator has an overload per argument type rather than one Object parameter: Groovy picks the
     * most specific method, and its own Iterable.plus/minus/intersect (which return an ArrayList) would otherwise win
     * over an Object parameter whenever the argument is Iterable, as a node set is.
     */

    public NodeSet union(NodeSet other) { return unite(other); }
    public NodeSet union(Node other) { return unite(resolve(other)); }
    public NodeSet union(Iterable<?> other) { return unite(resolve(other)); }
    public NodeSet union(CharSequence other) { return unite(resolve(other)); }

    public NodeSet difference(NodeSet other) { return subtract(other); }
    public NodeSet difference(Node other) { return subtract(resolve(other)); }
    public NodeSet difference(Iterable<?> other) { return subtract(resolve(other)); }
    public NodeSet difference(CharSequence other) { return subtract(resolve(other)); }

    public NodeSet intersection(NodeSet other) { return intersect(other); }
    public NodeSet intersection(Node other) { return intersect(other); }
    public NodeSet intersection(Iterable<?> other) { return intersect(other); }
    public NodeSet intersection(CharSequence other) { return intersect(other); }

    public NodeSet symmetricDifference(NodeSet other) { return xorWith(other); }
    public NodeSet symmetricDifference(Node other) { return xorWith(resolve(other)); }
    public NodeSet symmetricDifference(Iterable<?> other) { return xorWith(resolve(other)); }
    public NodeSet symmetricDifference(CharSequence other) { return xorWith(resolve(other)); }

    /** Groovy's name for intersection ({@code a.intersect(b)}), kept a node set. */
    public NodeSet intersect(NodeSet other) { return keepCommon(other); }
    public NodeSet intersect(Node other) { return keepCommon(resolve(other)); }
    public NodeSet intersect(Iterable<?> other) { return keepCommon(resolve(other)); }
    public NodeSet intersect(CharSequence other) { return keepCommon(resolve(other)); }

    // Groovy operators: a + b, a - b, a & b, a ^ b
    public NodeSet plus(NodeSet other) { return union(other); }
    public NodeSet plus(Node other) { return union(other); }
    public NodeSet plus(Iterable<?> other) { return union(other); }
    public NodeSet plus(CharSequence other) { return union(other); }
    public NodeSet minus(NodeSet other) { return difference(other); }
    public NodeSet minus(Node other) { return difference(other); }
    public NodeSet minus(Iterable<?> other) { return difference(other); }
    public NodeSet minus(CharSequence other) { return difference(other); }
    public NodeSet and(NodeSet other) { return intersection(other); }
    public NodeSet and(Node other) { return intersection(other); }
    public NodeSet and(Iterable<?> other) { return intersection(other); }
    public NodeSet and(CharSequence other) { return intersection(other); }
    public NodeSet xor(NodeSet other) { return symmetricDifference(other); }
    public NodeSet xor(Node other) { return symmetricDifference(other); }
    public NodeSet xor(Iterable<?> other) { return symmetricDifference(other); }
    public NodeSet xor(CharSequence other) { return symmetricDifference(other); }

    private NodeSet unite(NodeSet other) {
        Map<String, Node> all = new LinkedHashMap<>(nodes);
        for (Node n : other) {
            all.put(n.getName(), n);
        }
        return new NodeSet(cluster, all.values());
    }

    private NodeSet subtract(NodeSet other) {
        return findAll(n -> !other.contains(n.getName()));
    }

    private NodeSet keepCommon(NodeSet other) {
        return findAll(n -> other.contains(n.getName()));
    }

    private NodeSet xorWith(NodeSet other) {
        return subtract(other).unite(other.subtract(this));
    }

    private NodeSet resolve(Node node) {
        return new NodeSet(cluster, List.of(node));
    }

    private NodeSet resolve(CharSequence expression) {
        return cluster.getAll().getAt(expression.toString());
    }

    /** Nodes, node sets or names, in any mix; a name must be a node of the cluster. */
    private NodeSet resolve(Iterable<?> members) {
        if (members instanceof NodeSet set) {
            return set;
        }
        List<Node> found = new ArrayList<>();
        for (Object member : members) {
            if (member instanceof Node node) {
                found.add(node);
            } else if (member instanceof NodeSet set) {
                set.forEach(found::add);
            } else if (member instanceof CharSequence name) {
                resolve(name).forEach(found::add);
            } else {
                throw new IllegalArgumentException("node set algebra: '" + member
                        + "' is neither a node, a node set nor a node name");
            }
        }
        return new NodeSet(cluster, found);
    }

    /** Pushes {@code paths} (the first is the program) to every node; configure the launch, then {@code run()}. */
    public Launch<Job> push(Object... paths) {
        if (paths.length == 0) {
            throw new IllegalArgumentException("push: name at least the program to push");
        }
        List<Path> files = Arrays.stream(paths)
                .map(p -> Path.of(String.valueOf(p))).toList();
        return new Launch<>(null, files, cluster.engine().blobs(), this::startJob);
    }

    /**
     * A push with options: {@code push('./sim', libs: true)} pushes the program's shared-library closure too (found
     * as the control node's loader finds it) and starts it so that it loads only those files;
     * {@code push(x86_64: 'build/sim.x86_64', aarch64: 'build/sim.aarch64')} gives each node the binary for the arch
     * it reports, and a node whose arch has none is reported and sent nothing. An ELF binary's machine is checked
     * against the node's arch before a byte is sent. Java: {@code push(Map.of("aarch64", "sim.arm"))},
     * {@code push("./sim").libs(true)}.
     */
    public Launch<Job> push(Map<String, ?> options, Object... paths) {
        return Launch.pushing(options, paths, cluster.engine().blobs(), this::startJob);
    }

    public Launch<Job> command(String path) {
        return new Launch<>(path, List.of(), cluster.engine().blobs(), this::startJob);
    }

    /** Runs the nodes' own program at {@code path} everywhere in this set. */
    public Job run(String path, Object... args) {
        return command(path).args(args).run();
    }

    /**
     * Runs the nodes' program at {@code path} (or a bare name in their PATH) everywhere, configured by {@code spec}:
     * {@code nodes.run("/bin/sh", l -> l.args("-c", "make").env("JOBS", "4").timeout(Duration.ofMinutes(5)))}.
     */
    public Job run(String path, Consumer<? super Launch<Job>> spec) {
        Launch<Job> launch = command(path);
        spec.accept(launch);
        return launch.run();
    }

    private Job startJob(Launch<Job> launch) {
        return cluster.startJob(this, launch);
    }

    /**
     * Places {@code files} in every node's cache (Slurm's sbcast): node name to bytes sent (0: it had them), or to
     * the error that stopped it.
     */
    public Map<String, Object> preload(Object... files) {
        List<LocalBlob> blobs = cluster.engine().blobs().readAll(files);
        Map<String, CompletableFuture<Long>> sent = new LinkedHashMap<>();
        for (Node node : this) {
            sent.put(node.getName(), node.preload(blobs));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        sent.forEach((name, f) -> {
            try {
                result.put(name, f.join());
            } catch (RuntimeException e) {
                result.put(name, Futures.cause(e));
            }
        });
        return result;
    }

    /** Every node's running processes (nodes that cannot answer are skipped and reported on stderr). */
    public List<ProcessInfo> ps() {
        return ps(false);
    }

    /** As {@link #ps()}; with {@code all}, also the processes that have exited (until their session is wiped). */
    public List<ProcessInfo> ps(boolean all) {
        List<CompletableFuture<List<ProcessInfo>>> rows = stream().map(n -> n.psAsync(all)).toList();
        List<ProcessInfo> table = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            try {
                table.addAll(getAt(i).await(rows.get(i), "ps"));
            } catch (IllegalStateException e) {
                System.err.println(e.getMessage());
            }
        }
        return table;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeSet other && other.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    /** The folded form, e.g. {@code n[1-4,8]}. */
    @Override
    public String toString() {
        return names.isEmpty() ? "(no nodes)" : names.fold();
    }
}
