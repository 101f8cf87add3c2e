package org.gproc.transport.ninep;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Blocking forms of {@link NinePClient}'s common operations for ordinary threads (never call these from a future's
 * callback: that is the thread that delivers replies). Each call waits at most the timeout; on timeout or
 * interruption the request is cancelled (a Tflush goes out) and an {@link InterruptedIOException} is thrown.
 * Server errors arrive as {@link NinePException} with the server's text.
 */
public final class BlockingNinePClient {
    private final NinePClient client;
    private final Duration timeout;

    BlockingNinePClient(NinePClient client, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.client = client;
        this.timeout = timeout;
    }

    public NinePClient async() {
        return client;
    }

    public Duration timeout() {
        return timeout;
    }

    public Fid walk(String path) throws IOException {
        return await(client.walk(path), "walk " + path);
    }

    public Fid walk(Fid from, String... names) throws IOException {
        return await(client.walk(from, names), "walk " + String.join("/", names));
    }

    public Fid open(Fid fid, int mode) throws IOException {
        return await(client.open(fid, mode), "open");
    }

    public Fid create(Fid dir, String name, int perm, int mode) throws IOException {
        return await(client.create(dir, name, perm, mode), "create " + name);
    }

    public byte[] read(Fid fid, long offset, int count) throws IOException {
        return await(client.read(fid, offset, count), "read");
    }

    public int write(Fid fid, long offset, byte[] data) throws IOException {
        return await(client.write(fid, offset, data), "write");
    }

    public void clunk(Fid fid) throws IOException {
        await(client.clunk(fid), "clunk");
    }

    public void remove(Fid fid) throws IOException {
        await(client.remove(fid), "remove");
    }

    public Stat stat(Fid fid) throws IOException {
        return await(client.stat(fid), "stat");
    }

    public void wstat(Fid fid, Stat changes) throws IOException {
        await(client.wstat(fid, changes), "wstat");
    }

    /** The whole file; the timeout bounds the entire transfer. */
    public byte[] readAll(Fid fid) throws IOException {
        return await(client.readAll(fid), "readAll");
    }

    public List<Stat> readDir(Fid dir) throws IOException {
        return await(client.readDir(dir), "readDir");
    }

    /** All of {@code data} at {@code offset}, pipelined; the timeout bounds the entire transfer. */
    public long writeAll(Fid fid, long offset, byte[] data) throws IOException {
        return await(client.writeAll(fid, offset, data), "writeAll");
    }

    /**
     * Copies {@code in} to the file from {@code offset} until the stream ends, with up to a window of Twrites in
     * flight while this thread reads the next piece. The timeout bounds each wait for a free slot in the window,
     * not the whole transfer. Returns the number of bytes written; the stream is not closed.
     */
    public long writeAll(Fid fid, long offset, InputStream in) throws IOException {
        int chunk = fid.iounit();
        if (!fid.isOpen() || chunk <= 0) {
            throw new IllegalStateException(fid + " is not open");
        }
        int window = BulkTransfer.window(chunk);
        Semaphore slots = new Semaphore(window);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long written = 0;
        while (true) {
            byte[] piece = in.readNBytes(chunk);
            if (piece.length == 0) {
                break;
            }
            acquire(slots, 1, "writeAll");
            rethrow(failure.get());
            long at = offset + written;
            client.write(fid, at, piece).whenComplete((n, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else if (n != piece.length) {
                    failure.compareAndSet(null, new NinePException("write: short write at offset " + at + " ("
                            + n + " of " + piece.length + " bytes taken)"));
                }
                slots.release();
            });
            written += piece.length;
        }
        acquire(slots, window, "writeAll");
        rethrow(failure.get());
        return written;
    }

    private void acquire(Semaphore slots, int n, String what) throws IOException {
        try {
            if (!slots.tryAcquire(n, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new InterruptedIOException("9P " + what + ": no reply within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("9P " + what + ": interrupted");
        }
    }

    private static void rethrow(Throwable failure) throws IOException {
        if (failure != null) {
            throw asIOException(failure);
        }
    }

    private <V> V await(CompletableFuture<V> f, String what) throws IOException {
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new InterruptedIOException("9P " + what + ": no reply within " + timeout);
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("9P " + what + ": interrupted");
        } catch (CancellationException e) {
            throw new InterruptedIOException("9P " + what + ": cancelled");
        } catch (ExecutionException e) {
            throw asIOException(e.getCause());
        }
    }

    /** A fresh exception (so the stack shows this caller) of the same kind, with the original as its cause. */
    private static IOException asIOException(Throwable cause) {
        if (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof NinePException) {
            return new NinePException(cause.getMessage(), cause);
        }
        if (cause instanceof IOException) {
            return new IOException(cause.getMessage(), cause);
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new IOException(cause);
    }
}
