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

    public NodeSet union(Object other) {
        Map<String, Node> all = new LinkedHashMap<>(nodes);
        for (Node n : resolve(other)) {
            all.put(n.getName(), n);
        }
        return new NodeSet(cluster, all.values());
    }

    public NodeSet difference(Object other) {
        NodeSet o = resolve(other);
        return findAll(n -> !o.contains(n.getName()));
    }

    public NodeSet intersection(Object other) {
        NodeSet o = resolve(other);
        return findAll(n -> o.contains(n.getName()));
    }

    public NodeSet symmetricDifference(Object other) {
        NodeSet o = resolve(other);
        return difference(o).union(o.difference(this));
    }

    // Groovy operators: a + b, a - b, a & b, a ^ b
    public NodeSet plus(Object other) { return union(other); }
    public NodeSet minus(Object other) { return difference(other); }
    public NodeSet and(Object other) { return intersection(other); }
    public NodeSet xor(Object other) { return symmetricDifference(other); }

    private NodeSet resolve(Object other) {
        if (other instanceof NodeSet set) {
            return set;
        }
        if (other instanceof Node node) {
            return new NodeSet(cluster, List.of(node));
        }
        return cluster.getAll().getAt(String.valueOf(other));
    }

    /** Pushes {@code paths} (the first is the program) to every node; configure the launch, then {@code run()}. */
    public Launch<Job> push(Object... paths) {
        if (paths.length == 0) {
            throw new IllegalArgumentException("push: name at least the program to push");
        }
        List<Path> files = Arrays.stream(paths)
                .map(p -> Path.of(String.valueOf(p))).toList();
        return new Launch<>(null, files, this::startJob);
    }

    public Launch<Job> command(String path) {
        return new Launch<>(path, List.of(), this::startJob);
    }

    /** Runs the nodes' own program at {@code path} everywhere in this set. */
    public Job run(String path, Object... args) {
        return command(path).args(args).run();
    }

    private Job startJob(Launch<Job> launch) {
        return cluster.startJob(this, launch);
    }

    /**
     * Places {@code files} in every node's cache (Slurm's sbcast): node name to bytes sent (0: it had them), or to
     * the error that stopped it.
     */
    public Map<String, Object> preload(Object... files) {
        List<LocalBlob> blobs = LocalBlob.allOf(files);
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

    /** Every node's rows of the process table (nodes that cannot answer are skipped and reported on stderr). */
    public List<ProcessInfo> ps() {
        List<CompletableFuture<List<ProcessInfo>>> rows = stream().map(Node::psAsync).toList();
        List<ProcessInfo> all = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            try {
                all.addAll(getAt(i).await(rows.get(i), "ps"));
            } catch (IllegalStateException e) {
                System.err.println(e.getMessage());
            }
        }
        return all;
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
