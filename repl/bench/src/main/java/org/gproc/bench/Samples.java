package org.gproc.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds; percentiles by the nearest-rank method (p50 of 1..100 is 50, p99 is 99). */
final class Samples {
    private final long[] nanos;
    private int count;

    Samples(int capacity) {
        this.nanos = new long[capacity];
    }

    void add(long n) {
        nanos[count++] = n;
    }

    int count() {
        return count;
    }

    /** The {@code q}-th percentile (0 < q ≤ 100) in nanoseconds. */
    long percentile(double q) {
        if (count == 0) {
            throw new IllegalStateException("no samples");
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q / 100.0 * count);
        return sorted[Math.max(0, Math.min(count, rank) - 1)];
    }

    static double micros(long nanos) {
        return nanos / 1_000.0;
    }

    static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }
}
