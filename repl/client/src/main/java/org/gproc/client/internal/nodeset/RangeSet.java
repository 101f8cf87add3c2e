package org.gproc.client.internal.nodeset;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Immutable set of node indexes, a port of ClusterShell 1.9's {@code RangeSet}: {@code 1}, {@code 01} and {@code 001}
 * are distinct indexes, the order is ClusterShell's, and {@link #toString()} folds exactly as ClusterShell does with
 * autostep disabled (its default): maximal runs of consecutive indexes that keep one padding.
 */
public final class RangeSet {
    /** Most indexes one range in brackets may produce ({@code n[1-100000000]} would need gigabytes). */
    static final long MAX_RANGE = 10_000_000L;
    static final RangeSet EMPTY = new RangeSet(new long[0]);

    /**
     * Sorted ascending, distinct, {@link Indexes} encoding; the common case. Null when the set holds an index too long
     * for it: then {@link #wide} holds every index of the set, so each set has one representation only.
     */
    private final long[] keys;
    /** Sorted ascending, distinct; non-null only when some index does not fit a packed key. */
    private final WideIndex[] wide;

    private RangeSet(long[] keys) {
        this.keys = keys;
        this.wide = null;
    }

    private RangeSet(WideIndex[] wide) {
        this.keys = null;
        this.wide = wide;
    }

    /** The set of these sorted distinct indexes, packed when they all fit. */
    private static RangeSet ofWide(WideIndex[] sorted) {
        long[] packed = new long[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            if (!sorted[i].fits()) {
                return new RangeSet(sorted);
            }
            packed[i] = sorted[i].key();
        }
        return new RangeSet(packed);
    }

    /** One index given as its digit string (padding kept), e.g. {@code "007"}. */
    static RangeSet single(long key) {
        return new RangeSet(new long[] {key});
    }

    /** One index written as these digits (padding kept), of any length. */
    static RangeSet singleDigits(String digits) {
        if (digits.length() <= Indexes.MAX_DIGITS) {
            return single(Indexes.of(Long.parseLong(digits), digits.length()));
        }
        return ofWide(new WideIndex[] {WideIndex.of(new BigInteger(digits), digits.length())});
    }

    /** One index, as {@link #element(int)} gives it. */
    static RangeSet singleElement(Object element) {
        return element instanceof WideIndex w ? ofWide(new WideIndex[] {w}) : single((Long) element);
    }

    static RangeSet of(LongList keys) {
        return new RangeSet(keys.sortedDistinct());
    }

    /** Parses ClusterShell range syntax: {@code 1-5,7,01-10,0-10/2}. */
    static RangeSet parse(String pattern) {
        LongList out = new LongList();
        List<WideIndex> wideOut = new ArrayList<>();
        for (String raw : pattern.split(",", -1)) {
            parseSubrange(raw.strip(), out, wideOut);
        }
        if (wideOut.isEmpty()) {
            return new RangeSet(out.sortedDistinct());
        }
        for (long key : out.sortedDistinct()) {
            wideOut.add(WideIndex.ofKey(key));
        }
        return ofWide(wideOut.stream().sorted().distinct().toArray(WideIndex[]::new));
    }

    private static void parseSubrange(String subrange, LongList out, List<WideIndex> wideOut) {
        String base = subrange;
        long step = 1;
        int slash = subrange.indexOf('/');
        if (slash >= 0) {
            base = subrange.substring(0, slash);
            step = parseStep(subrange, subrange.substring(slash + 1).strip());
        }
        String begin;
        String end;
        int beginSign = 1;
        int endSign = 1;
        if (base.indexOf('-') < 0) {
            if (step != 1) {
                throw new RangeSyntaxException(subrange, "a step needs a range (a-b/step)");
            }
            begin = base.strip();
            end = begin;
        } else {
            String[] parts = base.split("-", -1);
            if (parts.length == 2 && !parts[0].isBlank()) {
                begin = parts[0].strip();
                end = parts[1].strip();
            } else if (parts.length == 2) { // "-5": one negative index
                begin = parts[1].strip();
                end = begin;
                beginSign = -1;
                endSign = -1;
            } else if (parts.length == 3) { // "-3-2"; as ClusterShell, whatever stands before the first '-'
                begin = parts[1].strip();
                end = parts[2].strip();
                beginSign = -1;
            } else if (parts.length == 4) { // "-8--4", with the same reading of the first and third parts
                begin = parts[1].strip();
                end = parts[3].strip();
                beginSign = -1;
                endSign = -1;
            } else {
                throw new RangeSyntaxException(subrange, "not a number or a range");
            }
        }
        if (!isDigits(begin) || !isDigits(end)) {
            throw new RangeSyntaxException(subrange, subrange.isEmpty() ? "empty range" : "not a number or a range");
        }
        // Padding as ClusterShell infers it: an explicit leading zero pads to the written length, and both ends must
        // then be written with the same length.
        int pad = 0;
        int endPad = 0;
        String beginDigits = stripZeros(begin);
        if (beginDigits.length() < begin.length() && !(beginDigits.isEmpty() && begin.length() == 1)) {
            pad = begin.length();
        }
        String endDigits = stripZeros(end);
        if (!endDigits.isEmpty() && endDigits.length() < end.length()) {
            endPad = end.length();
        }
        if ((pad > 0 || endPad > 0) && begin.length() != end.length()) {
            throw new RangeSyntaxException(subrange, "padding length mismatch ('" + begin + "' and '" + end
                    + "' must have the same number of digits)");
        }
        if (pad > 0 && beginSign < 0) {
            throw new RangeSyntaxException(subrange, "padding not supported in negative ranges");
        }
        if (beginDigits.length() > Indexes.MAX_DIGITS || endDigits.length() > Indexes.MAX_DIGITS
                || pad > Indexes.MAX_DIGITS) {
            parseWide(subrange, beginSign, beginDigits, endSign, endDigits, step, pad, wideOut);
            return;
        }
        long start = (beginDigits.isEmpty() ? 0 : Long.parseLong(beginDigits)) * beginSign;
        long stop = (endDigits.isEmpty() ? 0 : Long.parseLong(endDigits)) * endSign;
        if (start > stop) {
            throw new RangeSyntaxException(subrange, "start > end");
        }
        if (step < 1) {
            throw new RangeSyntaxException(subrange, "step must be at least 1");
        }
        if ((stop - start) / step >= MAX_RANGE) {
            throw new RangeSyntaxException(subrange, "range too large (more than " + MAX_RANGE + " indexes)");
        }
        for (long i = start; i <= stop; i += step) {
            out.add(Indexes.of(i, pad));
        }
    }

    /** A subrange with an end too long for a packed key: the same rules, in {@code BigInteger} arithmetic. */
    private static void parseWide(String subrange, int beginSign, String beginDigits, int endSign, String endDigits,
                                  long step, int pad, List<WideIndex> wideOut) {
        BigInteger start = beginDigits.isEmpty() ? BigInteger.ZERO : new BigInteger(beginDigits);
        BigInteger stop = endDigits.isEmpty() ? BigInteger.ZERO : new BigInteger(endDigits);
        start = beginSign < 0 ? start.negate() : start;
        stop = endSign < 0 ? stop.negate() : stop;
        if (start.compareTo(stop) > 0) {
            throw new RangeSyntaxException(subrange, "start > end");
        }
        if (step < 1) {
            throw new RangeSyntaxException(subrange, "step must be at least 1");
        }
        BigInteger by = BigInteger.valueOf(step);
        if (stop.subtract(start).divide(by).compareTo(BigInteger.valueOf(MAX_RANGE)) >= 0) {
            throw new RangeSyntaxException(subrange, "range too large (more than " + MAX_RANGE + " indexes)");
        }
        for (BigInteger i = start; i.compareTo(stop) <= 0; i = i.add(by)) {
            wideOut.add(WideIndex.of(i, pad));
        }
    }

    private static long parseStep(String subrange, String step) {
        String digits = step.startsWith("-") || step.startsWith("+") ? step.substring(1) : step;
        if (!isDigits(digits) || digits.length() > 18) {
            throw new RangeSyntaxException(subrange, "step is not a number");
        }
        long value = Long.parseLong(digits);
        return step.startsWith("-") ? -value : value;
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static String stripZeros(String digits) {
        int i = 0;
        while (i < digits.length() && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }

    public int size() {
        return keys != null ? keys.length : wide.length;
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * The index at {@code i}: its {@code Long} packed key when it fits one (also in a set that holds a longer index,
     * so that equal indexes of two sets are equal elements), else its {@link WideIndex}.
     */
    Object element(int i) {
        if (keys != null) {
            return keys[i];
        }
        return wide[i].fits() ? (Object) wide[i].key() : wide[i];
    }

    /** Whether the indexes are packed keys, readable one by one with {@link #key(int)}. */
    boolean packed() {
        return keys != null;
    }

    long key(int i) {
        return keys[i];
    }

    String string(int i) {
        return keys != null ? Indexes.toString(keys[i]) : wide[i].toString();
    }

    /** ClusterShell's {@code rg[0]}: the first index as a string. */
    String first() {
        return string(0);
    }

    /** ClusterShell's {@code rg[-1]}. */
    String last() {
        return string(size() - 1);
    }

    RangeSet union(RangeSet other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        return merge(other, true, true, true);
    }

    RangeSet intersection(RangeSet other) {
        return merge(other, false, true, false);
    }

    RangeSet difference(RangeSet other) {
        if (other.isEmpty()) {
            return this;
        }
        return merge(other, true, false, false);
    }

    RangeSet symmetricDifference(RangeSet other) {
        return merge(other, true, false, true);
    }

    /** Both sets' indexes in one representation: wide as soon as one of them is. */
    private static WideIndex[] widened(RangeSet s) {
        if (s.wide != null) {
            return s.wide;
        }
        WideIndex[] out = new WideIndex[s.keys.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = WideIndex.ofKey(s.keys[i]);
        }
        return out;
    }

    /** One sorted merge; the flags say which of (only here, in both, only there) to keep. */
    private RangeSet merge(RangeSet other, boolean onlyThis, boolean both, boolean onlyOther) {
        if (keys == null || other.keys == null) {
            return mergeWide(widened(this), widened(other), onlyThis, both, onlyOther);
        }
        long[] a = keys;
        long[] b = other.keys;
        long[] out = new long[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length && j < b.length) {
            if (a[i] < b[j]) {
                if (onlyThis) {
                    out[n++] = a[i];
                }
                i++;
            } else if (a[i] > b[j]) {
                if (onlyOther) {
                    out[n++] = b[j];
                }
                j++;
            } else {
                if (both) {
                    out[n++] = a[i];
                }
                i++;
                j++;
            }
        }
        if (onlyThis) {
            while (i < a.length) {
                out[n++] = a[i++];
            }
        }
        if (onlyOther) {
            while (j < b.length) {
                out[n++] = b[j++];
            }
        }
        return new RangeSet(n == out.length ? out : Arrays.copyOf(out, n));
    }

    private static RangeSet mergeWide(WideIndex[] a, WideIndex[] b, boolean onlyThis, boolean both,
                                      boolean onlyOther) {
        List<WideIndex> out = new ArrayList<>(a.length + b.length);
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            int c = i == a.length ? 1 : j == b.length ? -1 : a[i].compareTo(b[j]);
            if (c < 0 && onlyThis || c > 0 && onlyOther || c == 0 && both) {
                out.add(c <= 0 ? a[i] : b[j]);
            }
            i += c <= 0 ? 1 : 0;
            j += c >= 0 ? 1 : 0;
        }
        return ofWide(out.toArray(WideIndex[]::new));
    }

    boolean isDisjoint(RangeSet other) {
        if (keys == null || other.keys == null) {
            return intersection(other).isEmpty();
        }
        int i = 0;
        int j = 0;
        while (i < keys.length && j < other.keys.length) {
            if (keys[i] < other.keys[j]) {
                i++;
            } else if (keys[i] > other.keys[j]) {
                j++;
            } else {
                return false;
            }
        }
        return true;
    }

    boolean isSubsetOf(RangeSet other) {
        if (size() > other.size()) {
            return false;
        }
        if (keys == null || other.keys == null) {
            return difference(other).isEmpty();
        }
        int j = 0;
        for (long k : keys) {
            while (j < other.keys.length && other.keys[j] < k) {
                j++;
            }
            if (j == other.keys.length || other.keys[j] != k) {
                return false;
            }
            j++;
        }
        return true;
    }

    /** Python's {@code rg1 < rg2}. */
    boolean isProperSubsetOf(RangeSet other) {
        return size() < other.size() && isSubsetOf(other);
    }

    /**
     * The folded pieces ({@code "1-3"}, {@code "5"}, {@code "08-10"}): maximal runs of consecutive indexes where a
     * run that starts zero-padded keeps its width and a run that starts unpadded stays unpadded, exactly as
     * ClusterShell's {@code _slices_padding} without autostep.
     */
    List<String> pieces() {
        if (keys == null) {
            return pieces(NO_AUTOSTEP);
        }
        List<String> pieces = new ArrayList<>();
        int i = 0;
        while (i < keys.length) {
            long start = keys[i];
            boolean startPadded = Indexes.padded(start);
            int startWidth = Indexes.width(start);
            int j = i;
            while (j + 1 < keys.length) {
                long next = keys[j + 1];
                boolean samePadding = startPadded ? Indexes.width(next) == startWidth : !Indexes.padded(next);
                if (!samePadding || Indexes.value(next) != Indexes.value(keys[j]) + 1) {
                    break;
                }
                j++;
            }
            pieces.add(j == i ? Indexes.toString(start) : Indexes.toString(start) + "-" + Indexes.toString(keys[j]));
            i = j + 1;
        }
        return pieces;
    }

    /** Autostep off: ClusterShell's {@code AUTOSTEP_DISABLED}. */
    static final long NO_AUTOSTEP = Long.MAX_VALUE / 4;

    /**
     * The folded pieces with ClusterShell's autostep threshold {@code autostep} (its internal value, one less than
     * the {@code --autostep} count): a run of indexes {@code step} apart, at least that long, folds as
     * {@code a-b/step}; shorter ones are written one by one. {@link #NO_AUTOSTEP} gives {@link #pieces()}.
     */
    List<String> pieces(long autostep) {
        List<String> out = new ArrayList<>();
        if (keys == null) {
            for (WideIndex.Slice s : WideIndex.slices(wide, autostep)) {
                out.add(piece(WideIndex.format(s.first(), s.pad()), WideIndex.format(s.last(), s.pad()),
                        s.step().toString()));
            }
            return out;
        }
        for (long[] s : slices(autostep)) {
            int pad = (int) s[3];
            out.add(piece(Indexes.format(s[0], pad), Indexes.format(s[1], pad), Long.toString(s[2])));
        }
        return out;
    }

    private static String piece(String first, String last, String step) {
        if (first.equals(last)) {
            return first;
        }
        return step.equals("1") ? first + "-" + last : first + "-" + last + "/" + step;
    }
    /**
     * ClusterShell's {@code _slices_padding}: {first, last, step, pad} per folded piece. The walk is
     * {@link WideIndex#slices}'s; folding is rare and short next to parsing, so one walk in {@code BigInteger} serves
     * packed and wide sets alike.
     */
    List<long[]> slices(long autostep) {
        WideIndex[] asWide = new WideIndex[keys.length];
        for (int i = 0; i < keys.length; i++) {
            asWide[i] = WideIndex.ofKey(keys[i]);
        }
        List<long[]> out = new ArrayList<>();
        for (WideIndex.Slice s : WideIndex.slices(asWide, autostep)) {
            out.add(new long[] {s.first().longValueExact(), s.last().longValueExact(), s.step().longValueExact(),
                s.pad()});
        }
        return out;
    }

    /** ClusterShell's {@code contiguous()}: one set per run of consecutive indexes that keep one padding. */
    List<RangeSet> contiguous() {
        List<RangeSet> out = new ArrayList<>();
        if (keys == null) {
            for (WideIndex.Slice s : WideIndex.slices(wide, NO_AUTOSTEP)) {
                List<WideIndex> part = new ArrayList<>();
                for (BigInteger j = s.first(); j.compareTo(s.last()) <= 0; j = j.add(s.step())) {
                    part.add(WideIndex.of(j, s.pad()));
                }
                out.add(ofWide(part.toArray(WideIndex[]::new)));
            }
            return out;
        }
        for (long[] s : slices(NO_AUTOSTEP)) {
            LongList part = new LongList();
            for (long j = s[0]; j <= s[1]; j += s[2]) {
                part.add(Indexes.of(j, (int) s[3]));
            }
            out.add(RangeSet.of(part));
        }
        return out;
    }

    /** The indexes at positions {@code from, from + step, ...} below {@code to} (Python's {@code rs[from:to:step]}). */
    RangeSet slice(int from, int to, int step) {
        if (keys == null) {
            List<WideIndex> part = new ArrayList<>();
            for (int i = from; i < Math.min(to, wide.length); i += step) {
                part.add(wide[i]);
            }
            return ofWide(part.toArray(WideIndex[]::new));
        }
        LongList part = new LongList();
        for (int i = from; i < Math.min(to, keys.length); i += step) {
            part.add(keys[i]);
        }
        return RangeSet.of(part);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RangeSet other && Arrays.equals(keys, other.keys) && Arrays.equals(wide, other.wide);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(keys) + Arrays.hashCode(wide);
    }

    /** Folded, comma-separated, without brackets: {@code 1-3,5,08-10}. */
    @Override
    public String toString() {
        return String.join(",", pieces());
    }

    String toString(long autostep) {
        return String.join(",", pieces(autostep));
    }

    /** A growable long array; sorts and removes duplicates only when the input was not already ordered. */
    static final class LongList {
        private long[] a = new long[16];
        private int n;
        private boolean ordered = true;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            if (n > 0 && a[n - 1] >= v) {
                ordered = false;
            }
            a[n++] = v;
        }

        long[] sortedDistinct() {
            long[] out = Arrays.copyOf(a, n);
            if (ordered) {
                return out;
            }
            Arrays.sort(out);
            int m = 0;
            for (int i = 0; i < out.length; i++) {
                if (m == 0 || out[m - 1] != out[i]) {
                    out[m++] = out[i];
                }
            }
            return Arrays.copyOf(out, m);
        }
    }
}
