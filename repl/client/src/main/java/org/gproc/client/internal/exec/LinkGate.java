package org.gproc.client.internal.exec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds a push's bytes back until the small requests that must precede them have been sent. On one connection a
 * request sent after a 16 MB upload waits behind all of it (one byte stream, one queue at the link), and through a
 * relay tree the requests that wait are what lets the relays start: a relayed node's {@code link} line makes its
 * relay feed it while the upload arrives, but sent behind the upload it reached the relay once the whole blob had,
 * and the relay's own feeding of a child held back the lines for that child's children the same way (B6 measured the
 * tree at the store-and-forward time, not the pipelined one). So the gate counts what is expected (a launch loop
 * that is still starting nodes, a relayed launch whose {@code link} line is not out yet) and the upload's data waits
 * until none is, or {@link #MAX_HOLD_MS} at most, since it only orders requests: nothing the gate waits for waits for
 * the data.
 */
final class LinkGate {
    /** The longest an upload's data waits for the requests expected before it (a slow relay must not stall it). */
    static final long MAX_HOLD_MS = 2000;

    private final long maxHoldMs;
    private int expected;                          // guarded by this
    private CompletableFuture<Void> clear = done(); // guarded by this

    LinkGate() {
        this(MAX_HOLD_MS);
    }

    LinkGate(long maxHoldMs) {
        this.maxHoldMs = maxHoldMs;
    }

    private synchronized void expect() {
        if (expected++ == 0) {
            clear = new CompletableFuture<>();
        }
    }

    private void sent() {
        CompletableFuture<Void> open = null;
        synchronized (this) {
            if (expected > 0 && --expected == 0) {
                open = clear;
            }
        }
        if (open != null) {
            open.complete(null); // the waiting data goes out now, behind what was just sent
        }
    }

    /** Completes when nothing is expected any more, or after the longest hold ({@link #MAX_HOLD_MS}). */
    CompletableFuture<Void> whenClear(ScheduledExecutorService timers) {
        CompletableFuture<Void> c;
        synchronized (this) {
            c = clear;
        }
        if (c.isDone()) {
            return c;
        }
        CompletableFuture<Void> bounded = new CompletableFuture<>();
        c.whenComplete((v, e) -> bounded.complete(null));
        try {
            timers.schedule(() -> bounded.complete(null), maxHoldMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            bounded.complete(null);
        }
        return bounded;
    }

    /**
     * One more request is expected before the data; run the answer once it was sent or will never be (it counts
     * once however often it runs: a launch has several ways to end).
     */
    Runnable ticket() {
        expect();
        AtomicBoolean once = new AtomicBoolean();
        return () -> {
            if (once.compareAndSet(false, true)) {
                sent();
            }
        };
    }

    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
