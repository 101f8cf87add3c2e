package org.gproc.transport.ninep;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two connected in-process {@link FrameChannel} ends, for running a 9P client against a 9P server without SSH.
 *
 * <p>A frame sent on one end reaches the other end's listener asynchronously, on the executor, in send order, one
 * at a time; the sender never waits. Closing either end closes both: each listener gets the frames already queued
 * to it, then {@code onClose(null)} once. Frames sent after the close are dropped, as on a broken connection.
 * If a listener's {@code onFrame} throws, both ends close: that listener gets {@code onClose} with the exception,
 * the other end an {@link IOException} naming it. The pipe checks that each frame's size[4] matches its length,
 * which catches framing bugs early in tests. The two ends are symmetric; the names only help the reader.
 */
public final class FramePipe {
    private static final ExecutorService DEFAULT_EXECUTOR = Executors.newCachedThreadPool(new ThreadFactoryImpl());

    private final End client;
    private final End server;

    private FramePipe(Executor executor) {
        client = new End("client", executor);
        server = new End("server", executor);
        client.peer = server;
        server.peer = client;
    }

    /** A connected pair delivering on a shared pool of daemon threads. */
    public static FramePipe pair() {
        return new FramePipe(DEFAULT_EXECUTOR);
    }

    /** A connected pair delivering on {@code executor} (each end still delivers one frame at a time, in order). */
    public static FramePipe pair(Executor executor) {
        return new FramePipe(Objects.requireNonNull(executor, "executor"));
    }

    public FrameChannel client() {
        return client;
    }

    public FrameChannel server() {
        return server;
    }

    private static final class End implements FrameChannel {
        private final String name;
        private final Executor executor;
        private End peer;

        // Guarded by this: the frames queued for our listener and how far the close has got.
        private final ArrayDeque<ByteBuffer> inbox = new ArrayDeque<>();
        private Listener listener;
        private boolean draining;
        private boolean inboundClosed;
        private Throwable closeCause;
        private boolean closeDelivered;

        End(String name, Executor executor) {
            this.name = name;
            this.executor = executor;
        }

        @Override
        public void start(Listener listener) {
            Objects.requireNonNull(listener, "listener");
            synchronized (this) {
                if (this.listener != null) {
                    throw new IllegalStateException("frame pipe " + name + ": start() called twice");
                }
                this.listener = listener;
                scheduleLocked();
            }
        }

        @Override
        public void send(ByteBuffer frame) {
            checkFrame(frame);
            peer.enqueue(frame);
        }

        private void checkFrame(ByteBuffer frame) {
            int n = frame.remaining();
            int p = frame.position();
            long size = n < 4 ? -1 : (frame.get(p) & 0xFFL) | (frame.get(p + 1) & 0xFFL) << 8
                    | (frame.get(p + 2) & 0xFFL) << 16 | (frame.get(p + 3) & 0xFFL) << 24;
            if (size != n || n < Decoder.HEADER) {
                throw new IllegalArgumentException("frame pipe " + name + ": frame of " + n
                        + " bytes has size[4] " + size + "; send one whole frame per call");
            }
        }

        private synchronized void enqueue(ByteBuffer frame) {
            if (!inboundClosed) {
                inbox.add(frame);
                scheduleLocked();
            }
        }

        @Override
        public void close() {
            endInbound(null);
            peer.endInbound(null);
        }

        private synchronized void endInbound(Throwable cause) {
            if (!inboundClosed) {
                inboundClosed = true;
                closeCause = cause;
                scheduleLocked();
            }
        }

        private void scheduleLocked() {
            if (listener != null && !draining && (!inbox.isEmpty() || inboundClosed && !closeDelivered)) {
                draining = true;
                try {
                    executor.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    draining = false;
                    throw e;
                }
            }
        }

        private void drain() {
            while (true) {
                ByteBuffer frame;
                Throwable cause;
                synchronized (this) {
                    frame = inbox.poll();
                    if (frame == null) {
                        if (!inboundClosed || closeDelivered) {
                            draining = false;
                            return;
                        }
                        closeDelivered = true;
                    }
                    cause = closeCause;
                }
                if (frame == null) {
                    listener.onClose(cause);
                    synchronized (this) {
                        draining = false;
                    }
                    return;
                }
                try {
                    listener.onFrame(frame);
                } catch (RuntimeException | Error e) {
                    synchronized (this) { // drop what is queued and take no more: the failure is our close cause
                        inbox.clear();
                        if (!inboundClosed) {
                            inboundClosed = true;
                            closeCause = e;
                        }
                    }
                    peer.endInbound(new IOException("frame pipe: the " + name + " end's listener failed: " + e, e));
                }
            }
        }

        @Override
        public String toString() {
            return "FramePipe." + name;
        }
    }

    private static final class ThreadFactoryImpl implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "frame-pipe-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
