package org.gproc.client.internal.nodeset;

import org.gproc.client.GroupResolver;

import java.util.ArrayList;
import java.util.List;

/**
 * What ClusterShell's {@code nodeset} command computes on: a node set, or with {@code -R} a range set of plain
 * indexes, with the command's operations (the set algebra, slicing by position, splitting, contiguous runs) and its
 * ways of printing (folded with autostep and fold axes, expanded, counted). Mutable, as the command's own set is.
 */
public final class CliSet {
    private final NodeSetParser parser;
    private NodeSetCore nodes;
    private RangeSet ranges;
    /** ClusterShell's public autostep value (null: off). */
    private Long autostep;
    /** 0-based axes to fold, or null for all. */
    private int[] foldAxis;

    private CliSet(NodeSetParser parser, NodeSetCore nodes, RangeSet ranges) {
        this.parser = parser;
        this.nodes = nodes;
        this.ranges = ranges;
    }

    /** An empty node set whose expressions resolve groups with {@code groups}. */
    public static CliSet nodes(GroupResolver groups) {
        return new CliSet(new NodeSetParser(groups), new NodeSetCore(), null);
    }

    /** An empty range set ({@code nodeset -R}). */
    public static CliSet ranges() {
        return new CliSet(null, null, RangeSet.EMPTY);
    }

    private boolean isRanges() {
        return ranges != null;
    }

    /** A new set of the same kind from one expression (ClusterShell's {@code class_set(text)}). */
    public CliSet parse(String text) {
        if (isRanges()) {
            try {
                return new CliSet(null, null, RangeSet.parse(text));
            } catch (RangeSyntaxException e) {
                throw new NodeSetSyntax(e.reason + " : \"" + e.part + "\"");
            }
        }
        NodeSetCore parsed = parser.parse(text);
        return new CliSet(parser, parsed, null);
    }

    /** The union of the lines' sets (ClusterShell's {@code fromlist}). */
    public CliSet fromList(List<String> lines) {
        CliSet result = empty();
        for (String line : lines) {
            result.update(parse(line));
        }
        return result;
    }

    public CliSet empty() {
        return isRanges() ? ranges() : new CliSet(parser, new NodeSetCore(), null);
    }

    public void update(CliSet other) {
        if (isRanges()) {
            ranges = ranges.union(other.ranges);
        } else {
            nodes.update(other.nodes);
        }
    }

    public void intersectionUpdate(CliSet other) {
        if (isRanges()) {
            ranges = ranges.intersection(other.ranges);
        } else {
            nodes.intersectionUpdate(other.nodes);
        }
    }

    public void differenceUpdate(CliSet other) {
        if (isRanges()) {
            ranges = ranges.difference(other.ranges);
        } else {
            nodes.differenceUpdate(other.nodes);
        }
    }

    public void symmetricDifferenceUpdate(CliSet other) {
        if (isRanges()) {
            ranges = ranges.symmetricDifference(other.ranges);
        } else {
            nodes.symmetricDifferenceUpdate(other.nodes);
        }
    }

    public long size() {
        return isRanges() ? ranges.size() : nodes.size();
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** Names (or indexes) in ClusterShell's order. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        if (isRanges()) {
            for (int i = 0; i < ranges.size(); i++) {
                out.add(ranges.string(i));
            }
        } else {
            nodes.forEach(out::add);
        }
        return out;
    }

    /** The set of the members at positions [from, to) of {@link #names()}, keeping this set's autostep. */
    public CliSet slice(int from, int to) {
        CliSet out = empty();
        out.autostep = autostep;
        if (isRanges()) {
            out.ranges = ranges.slice(from, to, 1);
            return out;
        }
        List<String> all = names();
        List<NodeSetCore> parts = new ArrayList<>();
        for (int i = Math.max(0, from); i < Math.min(to, all.size()); i++) {
            parts.add(parser.parseSingle(all.get(i)));
        }
        out.nodes.updateAll(parts);
        return out;
    }

    /** ClusterShell's {@code split(n)}: at most n sets of sizes differing by at most one. */
    public List<CliSet> split(int n) {
        List<CliSet> out = new ArrayList<>();
        long len = size();
        long sliceSize = len / n;
        long left = len % n;
        int begin = 0;
        for (int i = 0; i < Math.min(n, len); i++) {
            int length = (int) (sliceSize + (i < left ? 1 : 0));
            out.add(slice(begin, begin + length));
            begin += length;
        }
        return out;
    }

    /** ClusterShell's {@code contiguous()}: runs of consecutive indexes, per pattern; no autostep, no fold axes. */
    public List<CliSet> contiguous() {
        List<CliSet> out = new ArrayList<>();
        if (isRanges()) {
            for (RangeSet part : ranges.contiguous()) {
                out.add(new CliSet(null, null, part));
            }
        } else {
            for (NodeSetCore part : nodes.contiguous()) {
                out.add(new CliSet(parser, part, null));
            }
        }
        return out;
    }

    /** ClusterShell's public autostep value: a run of at least this many indexes one step apart folds as a-b/step. */
    public void autostep(Long threshold) {
        this.autostep = threshold;
    }

    public void foldAxis(int[] axes) {
        this.foldAxis = axes == null ? null : axes.clone();
    }

    /** The folded text, as {@code str()} of ClusterShell's set. */
    public String folded() {
        long internal = autostep == null ? RangeSet.NO_AUTOSTEP : autostep - 1;
        if (isRanges()) {
            return ranges.toString(internal);
        }
        return nodes.toString(internal, foldAxis);
    }

    /** A node set of these names, with this set's autostep (ClusterShell's {@code _fromlist1}). */
    public CliSet ofNames(List<String> names) {
        CliSet out = empty();
        out.autostep = autostep;
        List<NodeSetCore> parts = new ArrayList<>();
        for (String name : names) {
            parts.add(parser.parseSingle(name));
        }
        out.nodes.updateAll(parts);
        return out;
    }

    /** Whether every member of {@code other} is in this set. */
    public boolean containsAll(CliSet other) {
        return nodes.containsAll(other.nodes);
    }

    /** A bad range in range set mode, worded as ClusterShell's parse errors. */
    public static final class NodeSetSyntax extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NodeSetSyntax(String message) {
            super(message, null, false, false);
        }
    }
}
