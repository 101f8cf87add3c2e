package org.gproc.daemon.session;

import org.gproc.transport.ninep.NinePException;

import java.util.HashMap;
import java.util.Map;

/**
 * Bytes the daemon's state dir holds for clients, counted as they arrive: spools (as they grow), files written into
 * sessions' {@code fs/} over 9P, and blob pushes in progress (a finished blob belongs to the cache and its own
 * {@code --cache-quota}). {@code --state-quota} caps the total on this daemon, {@code --principal-quota} each
 * principal's share; 0 means no cap. An upload that would pass a cap is refused with an error naming the cap; a spool,
 * which the process writes directly, is counted anyway and its session stopped, like at the spool cap.
 */
public final class StateQuota {

    public static final StateQuota NONE = new StateQuota(0, 0);

    private final long total;
    private final long perPrincipal;
    private final Map<String, Long> byPrincipal = new HashMap<>();
    private long used;

    public StateQuota(long total, long perPrincipal) {
        this.total = total;
        this.perPrincipal = perPrincipal;
    }

    /** Counts {@code bytes} for {@code principal}, or refuses them (nothing counted) naming the cap they would pass. */
    public synchronized void charge(String principal, long bytes, String what) throws NinePException {
        String over = wouldPass(principal, bytes);
        if (over != null) {
            throw new NinePException(what + ": " + over);
        }
        add(principal, bytes);
    }

    /** Counts {@code bytes} that are on disk already; returns the cap now passed, or null. */
    public synchronized String record(String principal, long bytes) {
        String over = wouldPass(principal, bytes);
        add(principal, bytes);
        return over;
    }

    public synchronized void refund(String principal, long bytes) {
        if (bytes > 0) {
            add(principal, -bytes);
        }
    }

    public synchronized long used() {
        return used;
    }

    public synchronized long used(String principal) {
        return byPrincipal.getOrDefault(principal, 0L);
    }

    private String wouldPass(String principal, long bytes) {
        if (bytes <= 0) {
            return null;
        }
        if (total > 0 && used + bytes > total) {
            return "over the state quota of " + total + " bytes (--state-quota; " + used + " in use on this node)";
        }
        long mine = byPrincipal.getOrDefault(principal, 0L);
        if (perPrincipal > 0 && mine + bytes > perPrincipal) {
            return "over the quota of " + perPrincipal + " bytes per principal (--principal-quota; " + principal
                    + " uses " + mine + ")";
        }
        return null;
    }

    private void add(String principal, long bytes) {
        used += bytes;
        byPrincipal.merge(principal, bytes, (a, b) -> a + b == 0 ? null : a + b);
    }
}
