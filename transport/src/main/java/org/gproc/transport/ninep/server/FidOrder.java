package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.Message.T;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Keeps one connection's requests in arrival order per fid while some of them are answered later. Clients send a
 * walk, the open of the fid it makes and the writes to it back to back (see the client's {@code Pipeline}); when
 * the walk is proxied to another server, the open must wait for the walk's answer, but requests on other fids need
 * not wait for anything. So each fid has a queue: a request starts when it is first in the queue of every fid it
 * names, and a request that changes a fid (attach, walk to newfid, open, create) stays first in that fid's queue
 * until it has been answered. Reads and writes leave their queues as soon as they start, so a parked read holds
 * nothing back.
 *
 * <p>Not thread-safe: the connection calls it from its serial executor only.
 */
final class FidOrder {

    /** One request on its way through the queues. */
    static final class Request {
        final T t;
        final int[] named;
        final int[] changed;
        boolean started;
        boolean dropped;

        Request(T t) {
            this.t = t;
            this.named = Dispatcher.namedFids(t);
            this.changed = Dispatcher.changedFids(t);
        }

        private boolean changes(int fid) {
            for (int c : changed) {
                if (c == fid) {
                    return true;
                }
            }
            return false;
        }
    }

    private final Map<Integer, ArrayDeque<Request>> queues = new HashMap<>();
    private final Consumer<Request> starter;

    /** {@code starter} runs a request; it must call {@link #answered} (from the serial executor) once it is. */
    FidOrder(Consumer<Request> starter) {
        this.starter = starter;
    }

    /** A request just arrived: it starts now, or once the requests before it on its fids are out of the way. */
    void arrive(Request r) {
        boolean waits = false;
        for (int fid : r.named) {
            ArrayDeque<Request> q = queues.get(fid);
            if (q != null && !q.isEmpty()) {
                waits = true;
                break;
            }
        }
        if (!waits && r.changed.length == 0) {
            r.started = true;
            starter.accept(r);
            return;
        }
        for (int fid : r.named) {
            queues.computeIfAbsent(fid, k -> new ArrayDeque<>()).add(r);
        }
        tryStart(r);
    }

    /** {@code r} has been answered: the fids it changed are settled, and their next requests may start. */
    void answered(Request r) {
        for (int fid : r.changed) {
            ArrayDeque<Request> q = queues.get(fid);
            if (q != null && q.remove(r)) {
                next(fid);
            }
        }
    }

    /** Drops a request that has not started (flushed); true if it was waiting. */
    boolean drop(Request r) {
        if (r.started || r.dropped) {
            return false;
        }
        r.dropped = true;
        for (int fid : r.named) {
            ArrayDeque<Request> q = queues.get(fid);
            if (q != null && q.remove(r)) {
                next(fid);
            }
        }
        return true;
    }

    /** Forgets every waiting request (a Tversion reset or the connection's end). */
    void clear() {
        queues.values().forEach(q -> q.forEach(r -> r.dropped = true));
        queues.clear();
    }

    private void tryStart(Request r) {
        if (r.started || r.dropped) {
            return;
        }
        for (int fid : r.named) {
            ArrayDeque<Request> q = queues.get(fid);
            if (q == null || q.peek() != r) {
                return;
            }
        }
        r.started = true;
        for (int fid : r.named) {
            if (!r.changes(fid)) {
                queues.get(fid).poll();
            }
        }
        starter.accept(r);
        for (int fid : r.named) {
            if (!r.changes(fid)) {
                next(fid);
            }
        }
    }

    private void next(int fid) {
        ArrayDeque<Request> q = queues.get(fid);
        if (q == null) {
            return;
        }
        if (q.isEmpty()) {
            queues.remove(fid);
            return;
        }
        tryStart(q.peek());
    }
}
