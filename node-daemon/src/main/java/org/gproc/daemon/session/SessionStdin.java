package org.gproc.daemon.session;

import org.gproc.daemon.proc.RunningProcess;
import org.gproc.transport.ninep.NinePException;

import java.util.concurrent.CompletableFuture;

/**
 * The stdin of a session's process: fed by writes to the session's {@code stdin} file, closed by ctl's {@code eof}
 * or when the last fid on {@code stdin} goes away. Either may happen before exec; the process then starts with its
 * stdin closed. Guarded by the owning {@link Session}'s lock (like {@link SessionReaper}), because whether a write
 * may go through depends on the session's state and process at the same moment.
 */
final class SessionStdin {

    private final Session session;
    // guarded by the session's lock
    private int fids;
    private boolean closed;

    SessionStdin(Session session) {
        this.session = session;
    }

    /** A restarted daemon's: the record says stdin was closed. Called under the session's lock. */
    void markClosed() {
        closed = true;
    }

    /** Whether a process attached now must have its stdin closed at once; called under the session's lock. */
    boolean closedLocked() {
        return closed;
    }

    /**
     * Completes once the bytes are in the pipe, so a client waiting for its Rwrite is flow-controlled by the
     * process's reading.
     */
    CompletableFuture<Integer> write(byte[] data) {
        RunningProcess p;
        synchronized (session) {
            int id = session.id();
            Session.State state = session.state();
            p = session.process();
            NinePException refused = null;
            if (state == Session.State.WIPED) {
                refused = session.gone();
            } else if (closed) {
                refused = new NinePException("stdin: session " + id + ": stdin is closed");
            } else if (p == null) {
                refused = new NinePException("stdin: session " + id + " has no process yet (write 'exec' to ctl first)");
            } else if (state == Session.State.EXITED) {
                refused = new NinePException("stdin: session " + id + " has exited (" + session.exitText() + ")");
            }
            if (refused != null) {
                return CompletableFuture.failedFuture(refused);
            }
        }
        return p.stdinWrite(data);
    }

    void close() throws NinePException {
        RunningProcess p;
        synchronized (session) {
            session.checkLive();
            boolean already = closed;
            closed = true;
            p = session.process();
            if (!already) {
                session.saveRecord(); // before the monitor drops its end: a restart must not reopen this stdin
            }
        }
        if (p != null) {
            p.closeStdin();
        }
    }

    void opened() {
        synchronized (session) {
            fids++;
        }
    }

    /** The last stdin fid going away is EOF for the process. */
    void clunked() {
        boolean last;
        synchronized (session) {
            last = --fids == 0 && session.state() != Session.State.WIPED && !session.node().isDetaching();
        }
        if (last) {
            try {
                close();
            } catch (NinePException goneMeanwhile) {
                // wiped between the two locks: nothing left to close
            }
        }
    }
}
