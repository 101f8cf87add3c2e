package org.gproc.client.internal.nodeset;

/**
 * Node indexes packed into one {@code long} whose natural order is ClusterShell 1.9's index order.
 *
 * <p>ClusterShell keeps indexes as digit strings so that {@code 1}, {@code 01} and {@code 001} are three different
 * indexes, sorted by (length, value) for non-negative ones and numerically before them for negative ones. Here a
 * non-negative index is {@code width << 57 | value} (width = number of digits, padding included) and a negative one
 * is its plain value, so comparing two longs compares two indexes exactly as ClusterShell does.
 */
final class Indexes {
    /** Most digits a packed index may have (10^17 - 1 still fits in 57 bits); {@link WideIndex} holds longer ones. */
    static final int MAX_DIGITS = 17;
    private static final int VALUE_BITS = 57;
    private static final long VALUE_MASK = (1L << VALUE_BITS) - 1;
    private static final long LIMIT = 100_000_000_000_000_000L; // 10^17

    private Indexes() {
    }

    /** The index {@code value} written with at least {@code pad} digits ({@code "%0*d" % (pad, value)}). */
    static long of(long value, int pad) {
        if (value < 0) {
            return value;
        }
        int width = Math.max(pad, digits(value));
        return ((long) width << VALUE_BITS) | value;
    }

    static boolean fits(long value, int pad) {
        return Math.abs(value) < LIMIT && pad <= MAX_DIGITS;
    }

    static long value(long key) {
        return key < 0 ? key : key & VALUE_MASK;
    }

    static int width(long key) {
        return key < 0 ? digits(-key) + 1 : (int) (key >>> VALUE_BITS);
    }

    /** Explicitly zero-padded, as ClusterShell's {@code len(s) > 1 and s[0] == '0'}. */
    static boolean padded(long key) {
        return key >= 0 && width(key) > digits(value(key));
    }

    static String toString(long key) {
        if (key < 0) {
            return Long.toString(key);
        }
        String digits = Long.toString(value(key));
        int width = width(key);
        if (digits.length() >= width) {
            return digits;
        }
        return "0".repeat(width - digits.length()) + digits;
    }

    /** {@code "%0*d" % (pad, value)}. */
    static String format(long value, int pad) {
        String digits = Long.toString(value);
        if (value < 0 || digits.length() >= pad) {
            return digits;
        }
        return "0".repeat(pad - digits.length()) + digits;
    }

    static int digits(long nonNegative) {
        int n = 1;
        long v = nonNegative;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }
}
