package org.gproc.client.internal.exec;

import org.gproc.client.ClusterListener;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * What every launch of one cluster shares: the timer behind command deadlines, the pool that pumps local stdin
 * streams (the only blocking reads the client does), the local files read to push, and the cluster's listener. The cluster creates one and
 * {@link #close}s it, so a closed cluster leaves no thread behind.
 */
public final class ExecEngine implements AutoCloseable {
    private final ClusterListener listener;
    private final ScheduledExecutorService timers;
    private final ExecutorService stdinPumps;
    private final LocalBlobs blobs = new LocalBlobs();
    private final LinkGate launching = new LinkGate();

    public ExecEngine(ClusterListener listener) {
        this.listener = listener == null ? ClusterListener.NONE : listener;
        this.timers = Executors.newSingleThreadScheduledExecutor(named("gproc-timeouts"));
        this.stdinPumps = Executors.newCachedThreadPool(named("gproc-stdin"));
    }

    public ClusterListener listener() {
        return listener;
    }

    /** The files this cluster pushes, read once while they are unchanged. */
    public LocalBlobs blobs() {
        return blobs;
    }

    /**
     * Holds the data of uploads begun meanwhile until the returned release runs: a job's launch loop, so that every
     * relayed node's {@code link} line goes out before the bytes it lets the relays forward (see {@link LinkGate}).
     */
    public Runnable holdUploads() {
        return launching.ticket();
    }

    /** When an upload to {@code node} may send its data: no launch loop is starting nodes, no link line is due. */
    CompletableFuture<Void> uploadMayStart(NodeChannel node) {
        return launching.whenClear(timers).thenCompose(v -> node.linkGate().whenClear(timers));
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    ExecutorService stdinPumps() {
        return stdinPumps;
    }

    /** Stops the timers and the stdin pumps; a deadline not yet reached no longer fires. */
    @Override
    public void close() {
        timers.shutdownNow();
        stdinPumps.shutdownNow();
        try {
            stdinPumps.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
