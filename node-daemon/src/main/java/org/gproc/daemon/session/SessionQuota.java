package org.gproc.daemon.session;

import org.gproc.transport.ninep.NinePException;

/**
 * One session's share of the daemon's {@link StateQuota}: what its uploads into fs/ and its spools have been charged
 * to its owner, so that all of it is given back when the session's files go. Uploads are refused before they pass a
 * quota; spools, which the process writes directly, are counted after the fact and their session stopped instead.
 */
final class SessionQuota {

    private final Session session;
    // guarded by "this"; never held while calling out (the node's quota, the spools, the session)
    private long charged;
    private final long[] spoolCharged = new long[Session.Stream.values().length];
    private boolean closed;

    SessionQuota(Session session) {
        this.session = session;
    }

    private StateQuota nodeQuota() {
        return session.node().services().quota();
    }

    /** Counts {@code bytes} an upload adds to fs/; refused (nothing counted) over a quota. */
    void charge(long bytes, String what) throws NinePException {
        nodeQuota().charge(session.owner(), bytes, what);
        synchronized (this) {
            charged += bytes;
        }
    }

    /** Counts files an adopted session's fs/ holds: on disk already, so never refused (a later upload may be). */
    void adopted(long bytes) {
        nodeQuota().record(session.owner(), bytes);
        synchronized (this) {
            charged += bytes;
        }
    }

    /** Gives back up to {@code bytes} of what was charged ({@code Long.MAX_VALUE}: everything). */
    void refund(long bytes) {
        long back;
        synchronized (this) {
            back = Math.min(bytes, charged);
            charged -= back;
        }
        nodeQuota().refund(session.owner(), back);
    }

    /**
     * Spool growth stops counting once the session's files are being removed: the refund of everything follows, and
     * growth counted after it would never be given back.
     */
    synchronized void close() {
        closed = true;
    }

    /** A spool grew: counted anyway (the process wrote it); past a quota the output is cut and the process stopped. */
    void spoolGrew(Session.Stream stream, long size) {
        long delta;
        synchronized (this) {
            delta = size - spoolCharged[stream.ordinal()];
            if (delta <= 0 || closed) {
                return;
            }
            spoolCharged[stream.ordinal()] = size;
            charged += delta;
        }
        String over = nodeQuota().record(session.owner(), delta);
        if (over != null) {
            session.spool(stream).cut(over);
            SessionExec.stop(session, over);
        }
    }
}
