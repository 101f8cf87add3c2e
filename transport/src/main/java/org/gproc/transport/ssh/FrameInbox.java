package org.gproc.transport.ssh;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.gproc.transport.ninep.FrameChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incoming side of a frame channel: whole frames queued by the SSH I/O thread, handed to the listener one at a
 * time, in order, on a shared executor (so a thousand channels need no thousand threads and a slow listener never
 * stalls SSH I/O). After each frame has been processed {@code onProcessed} runs with its size, which is where the
 * SSH window is given back: a peer can never have more unprocessed bytes in flight than the window. The end of the
 * stream (peer EOF, a framing error, a local close) is queued behind the frames already received, so the listener
 * sees those frames and then exactly one {@code onClose}.
 */
final class FrameInbox {

    private static final Logger LOG = LoggerFactory.getLogger(FrameInbox.class);

    /** Frames handed over per executor task before yielding the thread to other channels. */
    private static final int FRAMES_PER_TURN = 64;

    private record End(Throwable cause) {
    }

    private final String name;
    private final Executor executor;
    private final LongSupplier outboundPending;
    private final long outboundHighWater;
    private final IntConsumer onProcessed;
    private final Consumer<Throwable> onEnded;
    private final Supplier<FrameChannel.Batch> turnBatch;

    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean endQueued = new AtomicBoolean();
    private volatile FrameChannel.Listener listener;
    /** Only touched by the (serial) drain task. */
    private boolean ended;

    /**
     * @param outboundPending   bytes our side has queued for the peer; while above {@code outboundHighWater} no new
     *                          frame is processed (a peer that does not read its answers stops getting new ones)
     * @param onProcessed       called with each frame's size after the listener has handled it
     * @param onEnded           called once, after the listener's {@code onClose} returned (cause null if orderly)
     * @param turnBatch         opened around each turn of frames handed to the listener, so what the listener sends
     *                          back at once (answers, follow-up requests) leaves as one write
     */
    FrameInbox(String name, Executor executor, LongSupplier outboundPending, long outboundHighWater,
            IntConsumer onProcessed, Consumer<Throwable> onEnded, Supplier<FrameChannel.Batch> turnBatch) {
        this.name = name;
        this.executor = executor;
        this.outboundPending = outboundPending;
        this.outboundHighWater = outboundHighWater;
        this.onProcessed = onProcessed;
        this.onEnded = onEnded;
        this.turnBatch = turnBatch;
    }

    void start(FrameChannel.Listener l) {
        if (l == null) {
            throw new NullPointerException("listener");
        }
        synchronized (this) {
            if (listener != null) {
                throw new IllegalStateException(name + (listener == SILENT ? ": start() after close()"
                        : ": start() called twice"));
            }
            listener = l;
        }
        schedule();
    }

    /**
     * Ends the stream on a local close. If nobody ever started a listener, a silent one is installed so the end is
     * still processed and the channel released.
     */
    void close() {
        end(null);
        synchronized (this) {
            if (listener == null) {
                listener = SILENT;
            }
        }
        schedule();
    }

    private static final FrameChannel.Listener SILENT = new FrameChannel.Listener() {
        @Override
        public void onFrame(ByteBuffer frame) {
        }

        @Override
        public void onClose(Throwable cause) {
        }
    };

    /** Queues a whole frame from the I/O thread; dropped if the stream has already ended. */
    void offer(ByteBuffer frame) {
        if (!endQueued.get()) {
            queue.add(frame);
            schedule();
        }
    }

    /** Queues the end of the stream behind the frames received so far; only the first end counts. */
    void end(Throwable cause) {
        if (endQueued.compareAndSet(false, true)) {
            queue.add(new End(cause));
            schedule();
        }
    }

    boolean endQueued() {
        return endQueued.get();
    }

    /** The outbound side dropped below its low-water mark: take frames again. */
    void resume() {
        schedule();
    }

    private void schedule() {
        if (listener == null || !scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            scheduled.set(false);
            LOG.debug("{}: frame executor refused work (shutting down)", name);
        }
    }

    private void drain() {
        try (FrameChannel.Batch batch = turnBatch.get()) {
            for (int turn = 0; turn < FRAMES_PER_TURN && !ended; turn++) {
                if (outboundPending.getAsLong() > outboundHighWater) {
                    return;
                }
                Object item = queue.poll();
                if (item == null) {
                    return;
                }
                if (item instanceof End end) {
                    finish(end.cause());
                    return;
                }
                ByteBuffer frame = (ByteBuffer) item;
                int size = frame.remaining();
                try {
                    listener.onFrame(frame);
                } catch (Throwable t) {
                    endQueued.set(true);
                    queue.clear();
                    LOG.warn("{}: frame listener failed, closing the channel: {}", name, t.toString());
                    finish(t);
                    return;
                }
                onProcessed.accept(size);
            }
        } finally {
            scheduled.set(false);
            if (!ended && !queue.isEmpty() && outboundPending.getAsLong() <= outboundHighWater) {
                schedule();
            }
        }
    }

    private void finish(Throwable cause) {
        ended = true;
        try {
            listener.onClose(cause);
        } catch (Throwable t) {
            LOG.warn("{}: onClose threw {}", name, t.toString());
        } finally {
            onEnded.accept(cause);
        }
    }
}
