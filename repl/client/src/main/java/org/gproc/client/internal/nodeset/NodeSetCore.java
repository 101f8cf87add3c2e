package org.gproc.client.internal.nodeset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * Node set arithmetic, a port of ClusterShell 1.9's {@code NodeSetBase}: a map from pattern key to its indexes, a
 * {@link RangeSet} for one dimension, a {@link RangeSetNd} for several, {@code null} for a name without digits.
 * Mutable: the operations update in place, exactly as the original's {@code *_update} methods (and touch the raw or
 * folded nD structure exactly where it does), which is what makes multi-dimensional results match ClusterShell's.
 */
public final class NodeSetCore implements Iterable<String> {
    /** Key order is ClusterShell's {@code sorted(patterns)}. */
    private TreeMap<String, Object> patterns = new TreeMap<>();

    public NodeSetCore() {
    }

    /** One pattern with its indexes (ownership of {@code indexes} is taken). */
    static NodeSetCore of(String key, Object indexes) {
        NodeSetCore core = new NodeSetCore();
        core.patterns.put(key, indexes);
        return core;
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    public long size() {
        long n = 0;
        for (Object rs : patterns.values()) {
            n = Math.addExact(n, count(rs));
        }
        return n;
    }

    private static long count(Object rs) {
        if (rs == null) {
            return 1;
        }
        return rs instanceof RangeSet r ? r.size() : ((RangeSetNd) rs).size();
    }

    private static boolean truthy(Object rs) {
        if (rs == null) {
            return false;
        }
        return rs instanceof RangeSet r ? !r.isEmpty() : ((RangeSetNd) rs).truthy();
    }

    /** Folds every nD part now, so that later reads never modify this object (and it can be shared). */
    public NodeSetCore foldAll() {
        for (Object rs : patterns.values()) {
            if (rs instanceof RangeSetNd nd) {
                nd.vectors();
            }
        }
        return this;
    }

    public NodeSetCore copy() {
        NodeSetCore copy = new NodeSetCore();
        for (Map.Entry<String, Object> e : patterns.entrySet()) {
            Object rs = e.getValue();
            copy.patterns.put(e.getKey(), rs instanceof RangeSetNd nd ? nd.copy() : rs);
        }
        return copy;
    }

    private void add(String key, Object rs, boolean copy) {
        if (patterns.containsKey(key)) {
            Object existing = patterns.get(key);
            if ((existing == null) != (rs == null)) {
                throw new IllegalStateException("pattern " + key + " mixes indexed and plain names");
            }
            if (truthy(existing)) {
                if (existing instanceof RangeSet r) {
                    patterns.put(key, r.union((RangeSet) rs));
                } else {
                    ((RangeSetNd) existing).update((RangeSetNd) rs);
                }
            }
        } else {
            patterns.put(key, copy && rs instanceof RangeSetNd nd && nd.truthy() ? nd.copy() : rs);
        }
    }

    public void update(NodeSetCore other) {
        for (Map.Entry<String, Object> e : List.copyOf(other.patterns.entrySet())) {
            add(e.getKey(), e.getValue(), true);
        }
    }

    /**
     * {@link #update} with each of {@code others} in turn; one-dimensional parts are merged in one pass (their union
     * is order-independent), so the union of 10,000 single names is linear, not quadratic.
     */
    public void updateAll(List<NodeSetCore> others) {
        if (others.size() == 1) {
            update(others.get(0));
            return;
        }
        Map<String, RangeSet.LongList> pending = new TreeMap<>();
        for (NodeSetCore other : others) {
            for (Map.Entry<String, Object> e : List.copyOf(other.patterns.entrySet())) {
                if (e.getValue() instanceof RangeSet r && r.packed()) {
                    RangeSet.LongList keys = pending.computeIfAbsent(e.getKey(), k -> new RangeSet.LongList());
                    for (int i = 0; i < r.size(); i++) {
                        keys.add(r.key(i));
                    }
                } else {
                    add(e.getKey(), e.getValue(), true);
                }
            }
        }
        pending.forEach((key, keys) -> add(key, RangeSet.of(keys), true));
    }

    public void intersectionUpdate(NodeSetCore other) {
        if (other == this) {
            return;
        }
        TreeMap<String, Object> result = new TreeMap<>();
        for (Map.Entry<String, Object> e : other.patterns.entrySet()) {
            String key = e.getKey();
            Object irs = e.getValue();
            Object rs = patterns.get(key);
            if (truthy(rs)) {
                Object inter;
                if (rs instanceof RangeSet r) {
                    inter = r.intersection((RangeSet) irs);
                } else {
                    RangeSetNd nd = ((RangeSetNd) rs).copy();
                    nd.intersectionUpdate((RangeSetNd) irs);
                    inter = nd;
                }
                if (count(inter) > 0) {
                    result.put(key, inter);
                }
            } else if (!truthy(irs) && patterns.containsKey(key)) {
                result.put(key, null);
            }
        }
        patterns = result;
    }

    public void differenceUpdate(NodeSetCore other) {
        List<String> purge = new ArrayList<>();
        for (Map.Entry<String, Object> e : other.patterns.entrySet()) {
            String key = e.getKey();
            Object rs = patterns.get(key);
            if (truthy(rs)) {
                if (rs instanceof RangeSet r) {
                    rs = r.difference((RangeSet) e.getValue());
                    patterns.put(key, rs);
                } else {
                    ((RangeSetNd) rs).differenceUpdate((RangeSetNd) e.getValue());
                }
                if (count(rs) == 0) {
                    purge.add(key);
                }
            } else if (patterns.containsKey(key)) {
                purge.add(key);
            }
        }
        purge.forEach(patterns::remove);
    }

    public void symmetricDifferenceUpdate(NodeSetCore other) {
        List<String> purge = new ArrayList<>();
        for (Map.Entry<String, Object> e : patterns.entrySet()) {
            Object brs = other.patterns.get(e.getKey());
            if (truthy(brs)) {
                if (e.getValue() instanceof RangeSet r) {
                    e.setValue(r.symmetricDifference((RangeSet) brs));
                } else {
                    ((RangeSetNd) e.getValue()).symmetricDifferenceUpdate((RangeSetNd) brs);
                }
            } else if (other.patterns.containsKey(e.getKey())) {
                purge.add(e.getKey());
            }
        }
        for (Map.Entry<String, Object> e : other.patterns.entrySet()) {
            if (!truthy(patterns.get(e.getKey())) && !patterns.containsKey(e.getKey())) {
                add(e.getKey(), e.getValue(), true);
            }
        }
        for (Map.Entry<String, Object> e : patterns.entrySet()) {
            if (e.getValue() != null && count(e.getValue()) == 0) {
                purge.add(e.getKey());
            }
        }
        purge.forEach(patterns::remove);
    }

    /** ClusterShell's {@code issuperset}. */
    public boolean containsAll(NodeSetCore other) {
        for (Map.Entry<String, Object> e : other.patterns.entrySet()) {
            Object rs = patterns.get(e.getKey());
            boolean ok;
            if (truthy(rs)) {
                ok = rs instanceof RangeSet r ? ((RangeSet) e.getValue()).isSubsetOf(r)
                        : ((RangeSetNd) rs).containsAll((RangeSetNd) e.getValue());
            } else {
                ok = patterns.containsKey(e.getKey());
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The folded form, e.g. {@code n[1-4,7],r[1-2]n[1-8]}. */
    @Override
    public String toString() {
        List<String> results = new ArrayList<>();
        for (Map.Entry<String, Object> e : patterns.entrySet()) {
            Object rs = e.getValue();
            if (rs == null) {
                results.add(Pattern.unescape(e.getKey()));
            } else if (rs instanceof RangeSet r) {
                String folded = r.toString();
                results.add(Pattern.of(e.getKey()).format(r.size() > 1 ? "[" + folded + "]" : folded));
            } else {
                Pattern pattern = Pattern.of(e.getKey());
                for (RangeSet[] vec : ((RangeSetNd) rs).vectors()) {
                    String[] args = new String[vec.length];
                    for (int d = 0; d < vec.length; d++) {
                        args[d] = vec[d].size() > 1 ? "[" + vec[d] + "]" : vec[d].toString();
                    }
                    results.add(pattern.format(args));
                }
            }
        }
        return String.join(",", results);
    }

    /**
     * The folded form as ClusterShell's nodeset prints it with {@code --autostep} (its internal threshold, see
     * {@link RangeSet#pieces(long)}) and {@code --axis} ({@code foldAxis}: 0-based axes to fold, negative ones counted
     * from the end; null folds every axis): a range on an axis not folded is written one index at a time.
     */
    public String toString(long autostep, int[] foldAxis) {
        List<String> results = new ArrayList<>();
        for (Map.Entry<String, Object> e : patterns.entrySet()) {
            Object rs = e.getValue();
            Pattern pattern = Pattern.of(e.getKey());
            if (rs == null) {
                results.add(Pattern.unescape(e.getKey()));
            } else if (rs instanceof RangeSet r) {
                boolean fold = foldAxis == null || Arrays.stream(foldAxis).anyMatch(x -> x >= -1 && x < 1);
                if (fold) {
                    String folded = r.toString(autostep);
                    results.add(pattern.format(r.size() > 1 ? "[" + folded + "]" : folded));
                } else {
                    for (int i = 0; i < r.size(); i++) {
                        results.add(pattern.format(r.string(i)));
                    }
                }
            } else {
                List<RangeSet[]> vectors = ((RangeSetNd) rs).vectors();
                int dims = vectors.isEmpty() ? 0 : vectors.get(0).length;
                boolean[] folded = new boolean[dims];
                for (int d = 0; d < dims; d++) {
                    folded[d] = foldAxis == null;
                }
                if (foldAxis != null) {
                    for (int x : foldAxis) {
                        if (x >= -dims && x < dims) {
                            folded[Math.floorMod(x, dims)] = true;
                        }
                    }
                }
                for (RangeSet[] vec : vectors) {
                    List<List<String>> args = new ArrayList<>();
                    args.add(new ArrayList<>());
                    for (int d = 0; d < vec.length; d++) {
                        List<String> choices = new ArrayList<>();
                        if (vec[d].size() > 1 && !folded[d]) {
                            for (int i = 0; i < vec[d].size(); i++) {
                                choices.add(vec[d].string(i));
                            }
                        } else if (vec[d].size() > 1) {
                            choices.add("[" + vec[d].toString(autostep) + "]");
                        } else {
                            choices.add(vec[d].toString(autostep));
                        }
                        List<List<String>> next = new ArrayList<>();
                        for (String c : choices) {
                            for (List<String> a : args) {
                                List<String> b = new ArrayList<>(a);
                                b.add(c);
                                next.add(b);
                            }
                        }
                        args = next;
                    }
                    for (List<String> a : args) {
                        results.add(pattern.format(a.toArray(String[]::new)));
                    }
                }
            }
        }
        return String.join(",", results);
    }

    /** ClusterShell's {@code contiguous()}: one set per pattern and run of consecutive indexes. */
    public List<NodeSetCore> contiguous() {
        List<NodeSetCore> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : patterns.entrySet()) {
            Object rs = e.getValue();
            if (rs == null) {
                out.add(of(e.getKey(), null));
            } else if (rs instanceof RangeSet r) {
                for (RangeSet part : r.contiguous()) {
                    out.add(of(e.getKey(), part));
                }
            } else {
                List<RangeSet[]> vectors = new ArrayList<>();
                for (RangeSet[] v : ((RangeSetNd) rs).vectors()) {
                    vectors.add(v.clone());
                }
                int dims = vectors.isEmpty() ? 0 : vectors.get(0).length;
                for (int d = 0; d < dims; d++) {
                    List<RangeSet[]> next = new ArrayList<>();
                    for (RangeSet[] v : vectors) {
                        for (RangeSet part : v[d].contiguous()) {
                            RangeSet[] w = v.clone();
                            w[d] = part;
                            next.add(w);
                        }
                    }
                    vectors = next;
                }
                for (RangeSet[] v : vectors) {
                    out.add(of(e.getKey(), new RangeSetNd(v)));
                }
            }
        }
        return out;
    }

    /** Node names in ClusterShell's order. Reading a dirty nD part folds it first, as ClusterShell does. */
    @Override
    public Iterator<String> iterator() {
        Iterator<Map.Entry<String, Object>> entries = patterns.entrySet().iterator();
        return new Iterator<>() {
            private Iterator<String> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && entries.hasNext()) {
                    Map.Entry<String, Object> e = entries.next();
                    current = names(e.getKey(), e.getValue());
                }
                return current.hasNext();
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    private static Iterator<String> names(String key, Object rs) {
        if (rs == null) {
            return List.of(Pattern.unescape(key)).iterator();
        }
        Pattern pattern = Pattern.of(key);
        if (rs instanceof RangeSet r) {
            return new Iterator<>() {
                private int i;

                @Override
                public boolean hasNext() {
                    return i < r.size();
                }

                @Override
                public String next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return pattern.format(r.string(i++));
                }
            };
        }
        return new ProductIterator(pattern, ((RangeSetNd) rs).vectors());
    }

    /** {@code itertools.product} over each vector in turn: the last dimension varies fastest. */
    private static final class ProductIterator implements Iterator<String> {
        private final Pattern pattern;
        private final Iterator<RangeSet[]> vectors;
        private RangeSet[] vec;
        private int[] at;

        ProductIterator(Pattern pattern, List<RangeSet[]> vectors) {
            this.pattern = pattern;
            this.vectors = vectors.iterator();
        }

        @Override
        public boolean hasNext() {
            while (vec == null) {
                if (!vectors.hasNext()) {
                    return false;
                }
                RangeSet[] v = vectors.next();
                if (Arrays.stream(v).noneMatch(RangeSet::isEmpty)) {
                    vec = v;
                    at = new int[v.length];
                }
            }
            return true;
        }

        @Override
        public String next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String[] args = new String[vec.length];
            for (int d = 0; d < vec.length; d++) {
                args[d] = vec[d].string(at[d]);
            }
            int d = vec.length - 1;
            while (d >= 0 && ++at[d] == vec[d].size()) {
                at[d] = 0;
                d--;
            }
            if (d < 0) {
                vec = null;
            }
            return pattern.format(args);
        }
    }
}
