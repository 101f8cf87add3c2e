package org.gproc.client;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.gproc.client.internal.nodeset.NodeSetCore;
import org.gproc.client.internal.nodeset.NodeSetParser;

/**
 * An immutable set of node names in the hostlist syntax of ClusterShell, Slurm and pdsh, expanded and folded exactly
 * as ClusterShell 1.9's {@code nodeset} does.
 *
 * <ul>
 *   <li>Ranges: {@code n[01-64,80]} (zero padding kept), steps {@code n[1-10/2]}, several bracket groups
 *       {@code r[1-2]n[1-4]}, digits next to brackets {@code n1[0-5]}.</li>
 *   <li>Groups: {@code @compute} through a {@link GroupResolver} (usually the inventory's), {@code @*} for every
 *       node; wildcards {@code n*} and {@code r?n1} match every node the resolver knows.</li>
 *   <li>Set algebra evaluated left to right: {@code ,} union, {@code !} difference, {@code &} intersection,
 *       {@code ^} symmetric difference ({@code n[1-8]!n3&n[2-5]} is {@code n[2,4-5]}).</li>
 * </ul>
 *
 * <p>Iteration is in ClusterShell's order: by name pattern, then by index (n2 before n10; {@code n1}, {@code n01},
 * {@code n001} are three nodes). {@link #toString()} is the folded form. Parsing is linear in the number of nodes;
 * 10,000-node sets take milliseconds. Instances are immutable and safe to share between threads.
 */
public final class Hostlist implements Iterable<String> {
    private static final Hostlist EMPTY = new Hostlist(new NodeSetCore());

    /** Always folded ("clean"), so reading it never changes it. */
    private final NodeSetCore core;
    private final int size;
    private volatile String folded;
    private int hash;

    private Hostlist(NodeSetCore core) {
        this.core = core.foldAll();
        long n = core.size();
        if (n > Integer.MAX_VALUE) {
            throw new NodeSetException("nodeset: too many nodes (" + n + ")", core.toString());
        }
        this.size = (int) n;
    }

    public static Hostlist empty() {
        return EMPTY;
    }

    /**
     * Evaluates a node set expression without groups ({@code @x} is an unknown group, wildcards match nothing).
     *
     * @throws NodeSetException for bad syntax, naming the culprit
     */
    public static Hostlist parse(String expression) {
        return parse(expression, GroupResolver.NONE);
    }

    /** Evaluates a node set expression, resolving {@code @groups} and wildcards through {@code groups}. */
    public static Hostlist parse(String expression, GroupResolver groups) {
        Objects.requireNonNull(expression, "expression");
        NodeSetCore core = new NodeSetCore();
        core.update(new NodeSetParser(groups).parse(expression));
        return new Hostlist(core);
    }

    /** The union of several expressions (ClusterShell's {@code Hostlist.fromlist}). */
    public static Hostlist fromList(Iterable<? extends CharSequence> expressions) {
        return fromList(expressions, GroupResolver.NONE);
    }

    public static Hostlist fromList(Iterable<? extends CharSequence> expressions, GroupResolver groups) {
        NodeSetParser parser = new NodeSetParser(groups);
        List<NodeSetCore> parts = new ArrayList<>();
        for (Object expression : expressions) { // Object: Groovy hands in GStrings whatever the generics say
            parts.add(parser.parse(expression.toString()));
        }
        NodeSetCore core = new NodeSetCore();
        core.updateAll(parts);
        return new Hostlist(core);
    }

    /** The union of several expressions, as {@link #fromList(Iterable)}. */
    public static Hostlist of(String... expressions) {
        return fromList(List.of(expressions));
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Whether every node of {@code nodes} (a name or an expression without groups) is in this set. */
    public boolean contains(String nodes) {
        return containsAll(parse(nodes));
    }

    public boolean containsAll(Hostlist other) {
        return core.containsAll(other.core);
    }

    public Hostlist union(Hostlist other) {
        if (other.isEmpty()) {
            return this;
        }
        NodeSetCore result = core.copy();
        result.update(other.core);
        return new Hostlist(result);
    }

    public Hostlist difference(Hostlist other) {
        NodeSetCore result = core.copy();
        result.differenceUpdate(other.core);
        return new Hostlist(result);
    }

    public Hostlist intersection(Hostlist other) {
        NodeSetCore result = core.copy();
        result.intersectionUpdate(other.core);
        return new Hostlist(result);
    }

    public Hostlist symmetricDifference(Hostlist other) {
        NodeSetCore result = core.copy();
        result.symmetricDifferenceUpdate(other.core);
        return new Hostlist(result);
    }

    /** The folded form, as {@code nodeset -f}: {@code n[1-4,7]}. */
    public String fold() {
        String f = folded;
        if (f == null) {
            f = core.toString();
            folded = f;
        }
        return f;
    }

    /** Every node name, as {@code nodeset -e}, in ClusterShell's order. */
    public List<String> expand() {
        List<String> names = new ArrayList<>(size);
        core.forEach(names::add);
        return names;
    }

    @Override
    public Iterator<String> iterator() {
        return core.iterator();
    }

    public Stream<String> stream() {
        return StreamSupport.stream(
                Spliterators.spliterator(iterator(), size, Spliterator.DISTINCT | Spliterator.NONNULL
                        | Spliterator.ORDERED | Spliterator.IMMUTABLE), false);
    }

    /** Same nodes, whatever the folding. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Hostlist other && size == other.size && core.containsAll(other.core);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0 && size > 0) {
            for (String name : this) {
                h += name.hashCode();
            }
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        return fold();
    }
}
