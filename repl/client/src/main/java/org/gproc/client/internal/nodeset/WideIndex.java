package org.gproc.client.internal.nodeset;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A node index of any number of digits, for the rare sets that hold one too long for {@link Indexes}' packed
 * {@code long}: ClusterShell's indexes are Python integers and have no upper bound. Orders exactly as the packed keys
 * do (negative ones first by value, then non-negative ones by width, padding included, and value), so a set whose
 * indexes all fit can always be written back as packed keys.
 */
record WideIndex(BigInteger value, int width) implements Comparable<WideIndex> {
    private static final BigInteger LIMIT = BigInteger.TEN.pow(Indexes.MAX_DIGITS);

    /** The index {@code value} written with at least {@code pad} digits. */
    static WideIndex of(BigInteger value, int pad) {
        int digits = value.abs().toString().length();
        return new WideIndex(value, value.signum() < 0 ? digits + 1 : Math.max(pad, digits));
    }

    static WideIndex ofKey(long key) {
        return new WideIndex(BigInteger.valueOf(Indexes.value(key)), Indexes.width(key));
    }

    boolean fits() {
        return value.abs().compareTo(LIMIT) < 0 && width <= Indexes.MAX_DIGITS;
    }

    long key() {
        return Indexes.of(value.longValueExact(), value.signum() < 0 ? 0 : width);
    }

    boolean padded() {
        return value.signum() >= 0 && width > value.toString().length();
    }

    @Override
    public int compareTo(WideIndex o) {
        boolean negative = value.signum() < 0;
        if (negative != (o.value.signum() < 0)) {
            return negative ? -1 : 1;
        }
        if (!negative && width != o.width) {
            return Integer.compare(width, o.width);
        }
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return format(value, value.signum() < 0 ? 0 : width);
    }

    /** {@code "%0*d" % (pad, value)}. */
    static String format(BigInteger value, int pad) {
        String digits = value.toString();
        if (value.signum() < 0 || digits.length() >= pad) {
            return digits;
        }
        return "0".repeat(pad - digits.length()) + digits;
    }

    /** One folded piece: {@code first-last/step}, each end written with {@code pad} digits. */
    record Slice(BigInteger first, BigInteger last, BigInteger step, int pad) {
    }

    /**
     * ClusterShell's {@code _slices_padding}: the folded pieces of sorted indexes, packed sets' too (through
     * {@link RangeSet#slices(long)}). {@code autostep} is ClusterShell's internal threshold.
     */
    static List<Slice> slices(WideIndex[] keys, long autostep) {
        BigInteger threshold = BigInteger.valueOf(autostep);
        List<Slice> out = new ArrayList<>();
        int curPad = 0;
        boolean curPadded = false;
        BigInteger curStart = null;
        BigInteger curStep = null;
        BigInteger last = BigInteger.ZERO;
        for (WideIndex key : keys) {
            BigInteger idx = key.value;
            int len = key.width;
            boolean padded = key.padded();
            if (curStart == null) {
                curPadded = padded;
                curPad = len;
                curStart = idx;
                curStep = null;
                last = idx;
                continue;
            }
            boolean padMismatch = curPadded ? len != curPad : padded;
            boolean stepMismatch = !padMismatch && curStep != null && !curStep.equals(idx.subtract(last));
            if (padMismatch || stepMismatch) {
                BigInteger step = curStep == null ? BigInteger.ONE : curStep;
                boolean stepped = curStep == null || step.equals(BigInteger.ONE)
                        || last.subtract(curStart).divide(step).compareTo(threshold) >= 0;
                if (stepped) {
                    out.add(new Slice(curStart, last, step, curPadded ? curPad : 0));
                    curStart = idx;
                    curPadded = padded;
                    curPad = len;
                } else {
                    BigInteger stop = padMismatch ? last.add(BigInteger.ONE) : last.subtract(step).add(BigInteger.ONE);
                    for (BigInteger j = curStart; j.compareTo(stop) < 0; j = j.add(step)) {
                        out.add(new Slice(j, j, BigInteger.ONE, curPadded ? curPad : 0));
                    }
                    if (padMismatch) {
                        curStart = idx;
                        curPadded = padded;
                        curPad = len;
                    } else {
                        curStart = last;
                    }
                }
                curStep = stepMismatch ? idx.subtract(last) : null;
                last = idx;
                continue;
            }
            curStep = idx.subtract(last);
            last = idx;
        }
        if (curStart != null) {
            BigInteger step = curStep == null ? BigInteger.ONE : curStep;
            boolean stepped = curStep == null || last.subtract(curStart).divide(step).compareTo(threshold) >= 0;
            if (stepped || step.equals(BigInteger.ONE)) {
                out.add(new Slice(curStart, last, step, curPadded ? curPad : 0));
            } else {
                for (BigInteger j = curStart; j.compareTo(last) <= 0; j = j.add(step)) {
                    out.add(new Slice(j, j, BigInteger.ONE, curPadded ? curPad : 0));
                }
            }
        }
        return out;
    }
}
