package org.gproc.transport.ssh;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * At most {@code limit} SSH handshakes in flight (one connector's, or one relay's to its children); the others wait
 * their turn, in order, without a thread each. A fan-out to thousands of nodes that started every handshake at once
 * would have the late ones run past the nodes' authentication timeout (and its own), though the work is the same:
 * one CPU-bound handshake after another, as pdsh's fanout does it.
 */
public final class HandshakeGate {
    private final int limit;
    private final Executor starter;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int inFlight;

    /** {@code starter} runs a waiting handshake once a slot frees, so a release never starts one on its own stack. */
    public HandshakeGate(int limit, Executor starter) {
        if (limit < 1) {
            throw new IllegalArgumentException("at least one handshake must be allowed in flight, not " + limit);
        }
        this.limit = limit;
        this.starter = starter;
    }

    /** Runs {@code start} now when a slot is free, else once one is; each start that runs must be released once. */
    public void enter(Runnable start) {
        synchronized (this) {
            if (inFlight >= limit) {
                waiting.add(start);
                return;
            }
            inFlight++;
        }
        start.run();
    }

    /** Frees a slot: the longest-waiting handshake takes it. */
    public void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
                return;
            }
        }
        try {
            starter.execute(next);
        } catch (RejectedExecutionException shuttingDown) {
            next.run(); // the owner is closing: the waiting attempt runs here and fails fast
        }
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    public synchronized int waiting() {
        return waiting.size();
    }
}
