package org.gproc.daemon.session;

/**
 * Daemon-wide caps beyond the per-node {@link Limits}, each 0 for none: per-session cgroup limits
 * ({@code --session-memory} bytes, {@code --session-pids} processes; they need those cgroup controllers) and the
 * state-dir quotas ({@code --state-quota}: bytes of all spools, uploads in progress and fs/ files; {@code
 * --principal-quota}: the same per principal).
 */
public record Quotas(long sessionMemoryBytes, long sessionPids, long stateBytes, long principalBytes) {

    public static final Quotas NONE = new Quotas(0, 0, 0, 0);

    public Quotas {
        notNegative("--session-memory", sessionMemoryBytes);
        notNegative("--session-pids", sessionPids);
        notNegative("--state-quota", stateBytes);
        notNegative("--principal-quota", principalBytes);
    }

    private static void notNegative(String flag, long n) {
        if (n < 0) {
            throw new IllegalArgumentException(flag + " " + n + " must be 0 (none) or more");
        }
    }
}
