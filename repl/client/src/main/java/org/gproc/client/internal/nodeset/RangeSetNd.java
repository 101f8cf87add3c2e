package org.gproc.client.internal.nodeset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of n-dimensional index vectors ({@code r[1-2]n[1-4]} has two dimensions), a line-by-line port of
 * ClusterShell 1.9's {@code RangeSetND}: a list of vectors of {@link RangeSet}s folded lazily by the same
 * univariate and multivariate algorithms, so node order and folded strings match ClusterShell's.
 *
 * <p>Mutable and not thread-safe, like the original: folding happens in place when the set is read while dirty.
 * {@link NodeSetCore} wraps it and {@code org.gproc.client.Hostlist} only ever exposes folded (clean) instances,
 * which reads no longer change.
 */
final class RangeSetNd {
    private List<RangeSet[]> vecs = new ArrayList<>();
    private boolean dirty = true;
    private boolean multivarHint;

    RangeSetNd() {
    }

    /** Takes ownership of {@code vector}. */
    RangeSetNd(RangeSet[] vector) {
        vecs.add(vector);
    }

    /** Python's {@code bool(rnd)}: looks at the raw vectors, no folding. */
    boolean truthy() {
        return !vecs.isEmpty();
    }

    int dim() {
        return vecs.isEmpty() ? 0 : vecs.get(0).length;
    }

    /** The folded vectors (ClusterShell's {@code veclist} property). */
    List<RangeSet[]> vectors() {
        if (dirty) {
            fold();
        }
        return vecs;
    }

    boolean isClean() {
        return !dirty;
    }

    RangeSetNd copy() {
        vectors();
        RangeSetNd copy = new RangeSetNd();
        for (RangeSet[] v : vecs) {
            copy.vecs.add(v.clone());
        }
        copy.dirty = dirty;
        return copy;
    }

    long size() {
        long total = 0;
        for (RangeSet[] v : vectors()) {
            long product = 1;
            for (RangeSet rg : v) {
                product = Math.multiplyExact(product, rg.size());
            }
            total = Math.addExact(total, product);
        }
        return total;
    }

    /** Every vector of the raw list, expanded (ClusterShell's {@code _iter}). */
    private Set<List<Object>> points() {
        Set<List<Object>> points = new LinkedHashSet<>();
        for (RangeSet[] v : vecs) {
            int[] at = new int[v.length];
            boolean empty = Arrays.stream(v).anyMatch(RangeSet::isEmpty);
            while (!empty) {
                List<Object> point = new ArrayList<>(v.length);
                for (int d = 0; d < v.length; d++) {
                    point.add(v[d].element(at[d]));
                }
                points.add(point);
                int d = v.length - 1;
                while (d >= 0 && ++at[d] == v[d].size()) {
                    at[d] = 0;
                    d--;
                }
                if (d < 0) {
                    break;
                }
            }
        }
        return points;
    }

    private void fold() {
        if (vecs.size() > 1) {
            if (!foldUnivariate()) {
                foldMultivariate();
            }
        } else {
            dirty = false;
        }
    }

    /** When every vector differs in one dimension only, merge them along it. */
    private boolean foldUnivariate() {
        int dim = dim();
        int vardim = 0;
        int dimdiff = 0;
        if (dim > 1) {
            for (int i = 0; i < dim; i++) {
                RangeSet first = vecs.get(0)[i];
                boolean same = true;
                for (RangeSet[] v : vecs) {
                    if (!v[i].equals(first)) {
                        same = false;
                        break;
                    }
                }
                if (!same) {
                    dimdiff++;
                    if (dimdiff > 1) {
                        break;
                    }
                    vardim = i;
                }
            }
        }
        boolean univar = dim == 1 || dimdiff == 1;
        if (univar) {
            RangeSet[] first = vecs.get(0).clone();
            for (int k = 1; k < vecs.size(); k++) {
                first[vardim] = first[vardim].union(vecs.get(k)[vardim]);
            }
            vecs = new ArrayList<>();
            vecs.add(first);
            dirty = false;
        }
        multivarHint = !univar;
        return univar;
    }

    /** Expand to single points, then merge vectors that differ in one dimension, as ClusterShell does. */
    private void foldMultivariate() {
        List<RangeSet[]> expanded = new ArrayList<>();
        for (List<Object> point : points()) {
            RangeSet[] v = new RangeSet[point.size()];
            for (int d = 0; d < v.length; d++) {
                v[d] = RangeSet.singleElement(point.get(d));
            }
            expanded.add(v);
        }
        vecs = expanded;
        merge();
        dirty = false;
    }

    private void merge() {
        boolean full = false; // easy O(n) passes first, then O(n^2) ones
        boolean chg = true;
        while (chg) {
            chg = false;
            vecs.sort(VECTOR_ORDER);
            int index1 = 0;
            while (index1 + 1 < vecs.size()) {
                RangeSet[] item1 = vecs.get(index1);
                int index2 = index1 + 1;
                index1++;
                while (index2 < vecs.size()) {
                    RangeSet[] item2 = vecs.get(index2);
                    index2++;
                    RangeSet[] merged = new RangeSet[item1.length];
                    int nbDiff = 0;
                    for (int pos = 0; pos < item1.length; pos++) {
                        RangeSet rg1 = item1[pos];
                        RangeSet rg2 = item2[pos];
                        if (rg1.equals(rg2)) {
                            merged[pos] = rg1;
                        } else if (rg1.isDisjoint(rg2)) {
                            if (++nbDiff > 1) {
                                break;
                            }
                            merged[pos] = rg1.union(rg2);
                        } else if (rg2.isProperSubsetOf(rg1) || rg1.isProperSubsetOf(rg2)) {
                            if (++nbDiff > 1) {
                                break;
                            }
                            merged[pos] = rg1.isProperSubsetOf(rg2) ? rg2 : rg1; // Python's max(rg1, rg2)
                        } else {
                            nbDiff = 2;
                            break;
                        }
                    }
                    if (nbDiff <= 1) {
                        chg = true;
                        item1 = merged;
                        vecs.set(index1 - 1, merged);
                        index2--;
                        vecs.remove(index2);
                    } else if (!full) {
                        break;
                    }
                }
            }
            if (!chg && !full) {
                chg = true;
                full = true;
            }
        }
    }

    /**
     * ClusterShell's {@code _sort} key: larger vectors first, then per dimension larger sets first, then the first
     * and last index compared as strings (so "10" sorts before "9", as in Python).
     */
    private static final Comparator<RangeSet[]> VECTOR_ORDER = (a, b) -> {
        int c = Long.compare(product(b), product(a));
        if (c != 0) {
            return c;
        }
        for (int d = 0; d < Math.min(a.length, b.length); d++) {
            c = Integer.compare(b[d].size(), a[d].size());
            if (c == 0) {
                c = a[d].first().compareTo(b[d].first());
            }
            if (c == 0) {
                c = a[d].last().compareTo(b[d].last());
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length, b.length);
    };

    private static long product(RangeSet[] v) {
        long p = 1;
        for (RangeSet rg : v) {
            p *= rg.size();
        }
        return p;
    }

    /** Adds the raw vectors of {@code other} (ClusterShell's {@code update}). */
    void update(RangeSetNd other) {
        update(other.vecs);
    }

    void update(List<RangeSet[]> vectors) {
        for (RangeSet[] v : List.copyOf(vectors)) {
            vecs.add(v.clone());
        }
        dirty = true;
        if (!multivarHint) {
            foldUnivariate();
        }
    }

    void differenceUpdate(RangeSetNd other) {
        List<RangeSet[]> result = new ArrayList<>();
        for (RangeSet[] rgvec1 : vecs) {
            List<RangeSet[]> proc = new ArrayList<>(List.<RangeSet[]>of(rgvec1));
            List<RangeSet[]> next = new ArrayList<>();
            for (RangeSet[] rgvec2 : other.vecs) {
                while (!proc.isEmpty()) {
                    RangeSet[] rgproc1 = proc.remove(0);
                    List<RangeSet[]> tmp = new ArrayList<>();
                    for (int pos = 0; pos < rgproc1.length; pos++) {
                        RangeSet rg1 = rgproc1[pos];
                        RangeSet rg2 = rgvec2[pos];
                        if (rg1.isSubsetOf(rg2)) {
                            continue;
                        }
                        if (!rg1.isDisjoint(rg2)) {
                            RangeSet[] split = rgproc1.clone();
                            split[pos] = rg1.difference(rg2);
                            tmp.add(split);
                        } else {
                            tmp = new ArrayList<>(List.<RangeSet[]>of(rgproc1));
                            break;
                        }
                    }
                    next.addAll(tmp);
                }
                if (!next.isEmpty()) {
                    proc = next;
                    next = new ArrayList<>();
                }
            }
            result.addAll(proc);
        }
        vecs = result;
        dirty = true;
    }

    void intersectionUpdate(RangeSetNd other) {
        if (other == this) {
            return;
        }
        RangeSetNd tmp = new RangeSetNd();
        for (RangeSet[] rgvec : vecs) {
            for (RangeSet[] ergvec : other.vecs) {
                RangeSet[] irgvec = new RangeSet[rgvec.length];
                boolean empty = false;
                for (int d = 0; d < rgvec.length; d++) {
                    irgvec[d] = rgvec[d].intersection(ergvec[d]);
                    empty |= irgvec[d].isEmpty();
                }
                if (!empty) {
                    tmp.update(List.<RangeSet[]>of(irgvec));
                }
            }
        }
        vecs = new ArrayList<>(tmp.vectors());
        dirty = true;
    }

    void symmetricDifferenceUpdate(RangeSetNd other) {
        RangeSetNd diff2 = other.copy();
        diff2.differenceUpdate(this);
        differenceUpdate(other);
        update(diff2);
    }

    /** Python's {@code issuperset} for nD sets. */
    boolean containsAll(RangeSetNd other) {
        vectors();
        if (!other.truthy()) {
            return true;
        }
        RangeSetNd test = other.copy();
        test.differenceUpdate(this);
        return !test.truthy();
    }
}
