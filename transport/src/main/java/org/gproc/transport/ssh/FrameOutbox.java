package org.gproc.transport.ssh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.apache.sshd.common.io.IoOutputStream;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * The outgoing side of a frame channel over an SSHD async stream. SSHD's {@link IoOutputStream} accepts one pending
 * write at a time (a second one throws), so frames queue here and go out in order, several small frames coalesced
 * into one write. {@link #send} never blocks. The queue is bounded only by the 9P protocol above (responses to
 * requests), but {@link #pendingBytes()} and the writable callback let the inbound side stop taking new requests
 * while the peer is not reading its responses.
 */
final class FrameOutbox {

    /** Frames are coalesced into writes of at most this many bytes (one large frame still goes out alone). */
    private static final int BATCH_BYTES = 256 * 1024;

    private final IoOutputStream out;
    private final Consumer<Throwable> onFailure;
    private final long lowWater;
    private final Runnable onWritable;

    // Guarded by this.
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private long pendingBytes;
    private boolean writing;
    private boolean closed;
    private boolean wasAboveLowWater;
    private final List<Runnable> drainedCallbacks = new ArrayList<>();

    /**
     * @param onFailure  called once if a write fails (the channel is broken)
     * @param lowWater   when pending bytes fall to this after having been above it, {@code onWritable} runs
     */
    FrameOutbox(IoOutputStream out, Consumer<Throwable> onFailure, long lowWater, Runnable onWritable) {
        this.out = out;
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
            if (writing) {
                return true;
            }
            writing = true;
        }
        pump();
        return true;
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
        if (queue.isEmpty() || total >= BATCH_BYTES) {
            return wrap(first);
        }
        List<ByteBuffer> parts = new ArrayList<>();
        parts.add(first);
        while (!queue.isEmpty() && total + queue.peek().remaining() <= BATCH_BYTES) {
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
