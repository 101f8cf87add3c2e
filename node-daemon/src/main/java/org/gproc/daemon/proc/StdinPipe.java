package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The daemon's end of one process's stdin. Writes are queued and drained in order by a task on a shared executor, so
 * a caller never blocks on a full pipe; a drain task holds a pool thread only while the pipe is full (the process is
 * not reading), and the queue is bounded.
 */
final class StdinPipe {

    private record Chunk(byte[] data, CompletableFuture<Integer> done) {
    }

    private final long pid;
    private final WritableByteChannel channel; // null: closed from the start
    private final Executor executor;
    private final Runnable onEof;
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private long pending;
    private boolean draining;
    private boolean closeRequested;
    private String closedReason;

    StdinPipe(long pid, WritableByteChannel channel, Executor executor) {
        this(pid, channel, executor, null);
    }

    /** {@code onEof} runs once the daemon's end is closed because {@link #close()} was asked for. */
    StdinPipe(long pid, WritableByteChannel channel, Executor executor, Runnable onEof) {
        this.pid = pid;
        this.channel = channel;
        this.executor = executor;
        this.onEof = onEof;
    }

    /** The stdin of an adopted process whose stdin had been closed before the daemon restarted. */
    static StdinPipe closed(long pid, Executor executor) {
        StdinPipe pipe = new StdinPipe(pid, null, executor, null);
        pipe.closeRequested = true;
        return pipe;
    }

    CompletableFuture<Integer> write(byte[] data) {
        Chunk chunk = new Chunk(data.clone(), new CompletableFuture<>());
        synchronized (this) {
            if (closeRequested || closedReason != null) {
                return CompletableFuture.failedFuture(new NinePException("stdin: " + (closeRequested
                        ? "closed (close stdin was written)" : closedReason)));
            }
            if (pending + data.length > RunningProcess.STDIN_PENDING_LIMIT) {
                return CompletableFuture.failedFuture(new NinePException("stdin: process " + pid + " is not reading"
                        + " its input (" + pending + " bytes pending, limit " + RunningProcess.STDIN_PENDING_LIMIT
                        + ")"));
            }
            pending += data.length;
            queue.add(chunk);
            startDrain();
        }
        return chunk.done;
    }

    /** EOF for the process once everything queued is written. */
    synchronized void close() {
        if (!closeRequested) {
            closeRequested = true;
            startDrain();
        }
    }

    /** The process is gone: fail what is queued and close at once (a blocked write is released). */
    void abort(String reason) {
        synchronized (this) {
            if (closedReason == null) {
                closedReason = reason;
            }
            failQueued();
        }
        closeChannel();
    }

    private void startDrain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException busy) {
            draining = false;
            closedReason = "too many processes are not reading their input; stdin of process " + pid + " closed";
            failQueued();
            closeChannel();
        }
    }

    private void drain() {
        while (true) {
            Chunk chunk;
            synchronized (this) {
                chunk = queue.poll();
                if (chunk == null) {
                    draining = false;
                    if (!closeRequested) {
                        return;
                    }
                }
            }
            if (chunk == null) {
                closeChannel();
                if (onEof != null && closedReason == null) {
                    onEof.run();
                }
                return;
            }
            try {
                ByteBuffer buffer = ByteBuffer.wrap(chunk.data);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                chunk.done.complete(chunk.data.length);
            } catch (IOException e) {
                String reason;
                synchronized (this) {
                    reason = closedReason != null ? closedReason : "process " + pid + " no longer reads its input ("
                            + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + ")";
                }
                chunk.done.completeExceptionally(new NinePException("stdin: " + reason));
                abort(reason);
            } finally {
                synchronized (this) {
                    pending -= chunk.data.length;
                }
            }
        }
    }

    private void failQueued() {
        for (Chunk chunk; (chunk = queue.poll()) != null; ) {
            pending -= chunk.data.length;
            chunk.done.completeExceptionally(new NinePException("stdin: " + closedReason));
        }
    }

    private void closeChannel() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // The channel is gone either way; nothing waits on this close.
        }
    }
}
