package org.gproc.daemon.session;

import java.time.Duration;
import java.util.Objects;

/**
 * What one virtual node allows. Every limit answers with an error naming the limit, never with a failure of the
 * daemon. {@code grace} is how long a normal session is kept once it has neither a running process nor an open fid.
 */
public record Limits(int maxSessionsPerPrincipal, int maxArgvBytes, int maxEnvBytes, long maxPushBytes,
                     long spoolCapBytes, long cacheQuotaBytes, Duration grace) {

    public static final Limits DEFAULTS = new Limits(1000, 256 * 1024, 256 * 1024, 1L << 30, 1L << 30, 4L << 30,
            Duration.ofMinutes(10));

    public Limits {
        Objects.requireNonNull(grace, "grace");
        positive("max sessions per principal", maxSessionsPerPrincipal);
        positive("max argv bytes", maxArgvBytes);
        positive("max env bytes", maxEnvBytes);
        positive("max push bytes", maxPushBytes);
        positive("spool cap bytes", spoolCapBytes);
        positive("cache quota bytes", cacheQuotaBytes);
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace period must not be negative: " + grace);
        }
    }

    public Limits withMaxSessionsPerPrincipal(int n) {
        return new Limits(n, maxArgvBytes, maxEnvBytes, maxPushBytes, spoolCapBytes, cacheQuotaBytes, grace);
    }

    public Limits withMaxArgvBytes(int n) {
        return new Limits(maxSessionsPerPrincipal, n, maxEnvBytes, maxPushBytes, spoolCapBytes, cacheQuotaBytes, grace);
    }

    public Limits withMaxEnvBytes(int n) {
        return new Limits(maxSessionsPerPrincipal, maxArgvBytes, n, maxPushBytes, spoolCapBytes, cacheQuotaBytes, grace);
    }

    public Limits withMaxPushBytes(long n) {
        return new Limits(maxSessionsPerPrincipal, maxArgvBytes, maxEnvBytes, n, spoolCapBytes, cacheQuotaBytes, grace);
    }

    public Limits withSpoolCapBytes(long n) {
        return new Limits(maxSessionsPerPrincipal, maxArgvBytes, maxEnvBytes, maxPushBytes, n, cacheQuotaBytes, grace);
    }

    public Limits withCacheQuotaBytes(long n) {
        return new Limits(maxSessionsPerPrincipal, maxArgvBytes, maxEnvBytes, maxPushBytes, spoolCapBytes, n, grace);
    }

    public Limits withGrace(Duration d) {
        return new Limits(maxSessionsPerPrincipal, maxArgvBytes, maxEnvBytes, maxPushBytes, spoolCapBytes,
                cacheQuotaBytes, d);
    }

    private static void positive(String what, long n) {
        if (n <= 0) {
            throw new IllegalArgumentException(what + " must be positive: " + n);
        }
    }
}
