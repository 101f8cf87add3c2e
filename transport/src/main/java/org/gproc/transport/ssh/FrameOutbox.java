package org.gproc.transport.ssh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.sshd.common.io.IoOutputStream;
import org.gproc.transport.ninep.FrameChannel;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * The outgoing side of a frame channel over an SSHD async stream. SSHD's {@link IoOutputStream} accepts one pending
 * write at a time (a second one throws), so frames queue here and go out in order, several small frames coalesced
 * into one write and a large frame cut into several. {@link #send} never blocks.
 *
 * <p>No write is larger than the peer's SSH packet size: handed a larger buffer, SSHD 2.20's channel stream copies
 * the whole unsent remainder before each packet after the first (a "defensive copy"), so a 1 MiB frame in 32 KiB
 * packets cost about 16 MiB of copying and as much garbage. Cut here, each piece is one packet and is copied once,
 * into the packet SSHD encrypts. The queue is bounded only by the 9P protocol above (responses to
 * requests), but {@link #pendingBytes()} and the writable callback let the inbound side stop taking new requests
 * while the peer is not reading its responses.
 */
final class FrameOutbox {

    /** Writes are at most this large whatever packet size the peer allows. */
    static final int MAX_WRITE = 256 * 1024;
    private static final int MIN_WRITE = 1024;

    private final IoOutputStream out;
    private final int maxWrite;
    private final Consumer<Throwable> onFailure;
    private final long lowWater;
    private final Runnable onWritable;

    // Guarded by this.
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private long pendingBytes;
    private boolean writing;
    private boolean closed;
    private boolean wasAboveLowWater;
    private int holds;
    private final List<Runnable> drainedCallbacks = new ArrayList<>();

    /**
     * @param packetSize the peer's maximum SSH packet size for this channel; writes are cut to fit it
     * @param onFailure  called once if a write fails (the channel is broken)
     * @param lowWater   when pending bytes fall to this after having been above it, {@code onWritable} runs
     */
    FrameOutbox(IoOutputStream out, long packetSize, Consumer<Throwable> onFailure, long lowWater,
            Runnable onWritable) {
        this.out = out;
        this.maxWrite = (int) Math.max(MIN_WRITE, Math.min(MAX_WRITE, packetSize));
        this.onFailure = onFailure;
        this.lowWater = lowWater;
        this.onWritable = onWritable;
    }

    /** Queues a whole frame; returns false (dropping it) once the outbox is closed. */
    boolean send(ByteBuffer frame) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            queue.add(frame);
            pendingBytes += frame.remaining();
            if (pendingBytes > lowWater) {
                wasAboveLowWater = true;
            }
            if (writing || holds > 0) {
                return true;
            }
            writing = true;
        }
        pump();
        return true;
    }

    /** Queues frames sent until the batch is closed, so they go out coalesced in as few writes as fit. */
    FrameChannel.Batch hold() {
        synchronized (this) {
            holds++;
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                release();
            }
        };
    }

    private void release() {
        synchronized (this) {
            if (--holds > 0 || writing || queue.isEmpty()) {
                return;
            }
            writing = true;
        }
        pump();
    }

    synchronized long pendingBytes() {
        return pendingBytes;
    }

    /** Runs {@code callback} once everything queued so far has been written (at once if nothing is pending). */
    void whenDrained(Runnable callback) {
        synchronized (this) {
            if (writing || !queue.isEmpty()) {
                drainedCallbacks.add(callback);
                return;
            }
        }
        callback.run();
    }

    /** Drops whatever is queued and refuses further frames (the channel is gone). */
    void abort() {
        List<Runnable> callbacks;
        synchronized (this) {
            closed = true;
            queue.clear();
            pendingBytes = 0;
            callbacks = new ArrayList<>(drainedCallbacks);
            drainedCallbacks.clear();
        }
        callbacks.forEach(Runnable::run);
    }

    /** Refuses further frames; what is queued still goes out. */
    synchronized void shutdown() {
        closed = true;
    }

    private void pump() {
        while (true) {
            ByteArrayBuffer batch;
            List<Runnable> drained = null;
            synchronized (this) {
                batch = takeBatchLocked();
                if (batch == null) {
                    writing = false;
                    drained = new ArrayList<>(drainedCallbacks);
                    drainedCallbacks.clear();
                }
            }
            if (batch == null) {
                // Outside the monitor: a callback may close the channel, which calls back into us.
                drained.forEach(Runnable::run);
                return;
            }
            int len = batch.available();
            IoWriteFuture future;
            try {
                future = out.writeBuffer(batch);
            } catch (IOException | RuntimeException e) {
                fail(e);
                return;
            }
            if (!future.isDone()) {
                future.addListener(f -> {
                    if (written(f, len)) {
                        pump();
                    }
                });
                return;
            }
            if (!written(future, len)) {
                return;
            }
        }
    }

    private boolean written(IoWriteFuture f, int len) {
        if (!f.isWritten()) {
            Throwable cause = f.getException();
            fail(cause != null ? cause : new IOException("write did not complete"));
            return false;
        }
        boolean notify;
        synchronized (this) {
            pendingBytes = Math.max(0, pendingBytes - len);
            notify = wasAboveLowWater && pendingBytes <= lowWater;
            if (notify) {
                wasAboveLowWater = false;
            }
        }
        if (notify && onWritable != null) {
            onWritable.run();
        }
        return true;
    }

    private ByteArrayBuffer takeBatchLocked() {
        ByteBuffer first = queue.poll();
        if (first == null) {
            return null;
        }
        int total = first.remaining();
        if (total > maxWrite) {
            ByteBuffer piece = first.duplicate();
            piece.limit(piece.position() + maxWrite);
            first.position(first.position() + maxWrite);
            queue.addFirst(first); // the rest of the frame goes next, before anything queued after it
            return wrap(piece);
        }
        if (queue.isEmpty() || total == maxWrite) {
            return wrap(first);
        }
        List<ByteBuffer> parts = new ArrayList<>();
        parts.add(first);
        while (!queue.isEmpty() && total + queue.peek().remaining() <= maxWrite) {
            ByteBuffer next = queue.poll();
            total += next.remaining();
            parts.add(next);
        }
        byte[] bytes = new byte[total];
        int at = 0;
        for (ByteBuffer p : parts) {
            int n = p.remaining();
            p.get(bytes, at, n);
            at += n;
        }
        return new ByteArrayBuffer(bytes);
    }

    private static ByteArrayBuffer wrap(ByteBuffer frame) {
        if (frame.hasArray()) {
            return new ByteArrayBuffer(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        }
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        return new ByteArrayBuffer(bytes);
    }

    private void fail(Throwable cause) {
        abort();
        onFailure.accept(cause);
    }
}
