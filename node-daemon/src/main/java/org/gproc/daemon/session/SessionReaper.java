package org.gproc.daemon.session;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The grace timer of one session: armed while the session is idle (normal type, no process starting or running, no
 * open fid), cancelled when it stops being idle, and wiping the session when it fires. Uses the node's shared timer,
 * never a thread per session. Not thread-safe on its own: {@link #update} and {@link #cancel} run under the owning
 * {@link Session}'s lock; a generation number makes a timer that fired just as it was cancelled do nothing.
 */
final class SessionReaper {

    private final Session session;
    private ScheduledFuture<?> timer;
    private long generation;

    SessionReaper(Session session) {
        this.session = session;
    }

    /** Arms or cancels the timer after a change of {@code idle}. */
    void update(boolean idle) {
        if (idle && timer == null) {
            long armed = ++generation;
            VirtualNode node = session.node();
            timer = node.services().timer().schedule(() -> reapIfStillIdle(armed), node.limits().grace().toMillis(),
                    TimeUnit.MILLISECONDS);
        } else if (!idle) {
            cancel();
        }
    }

    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
            generation++;
        }
    }

    private void reapIfStillIdle(long armed) {
        synchronized (session) {
            if (armed != generation) {
                return;
            }
            timer = null;
        }
        session.wipe(null, "idle for --grace " + session.node().limits().grace().toSeconds() + " s (reaped)");
    }
}
