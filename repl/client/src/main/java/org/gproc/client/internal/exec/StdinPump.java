package org.gproc.client.internal.exec;

import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.NinePException;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies a stream to a process's {@code stdin} file. Whatever the stream has is sent at once (a line from a pipe is
 * not held back to fill a message), and the bytes in flight stay below {@link #IN_FLIGHT}: the node queues at most
 * 1 MiB of input its process has not read yet and refuses more, and each write is answered only once the process's
 * pipe took it, so this bound is what paces a slow reader instead of failing it.
 */
final class StdinPump {
    static final int IN_FLIGHT = 512 << 10;

    private StdinPump() {
    }

    /** Copies {@code in} to {@code fid} until {@code in} ends; each wait for the node is bounded by {@code timeout}. */
    static void copy(InputStream in, Fid fid, Duration timeout) throws IOException {
        int chunk = Math.min(fid.iounit(), IN_FLIGHT);
        Semaphore room = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        byte[] buffer = new byte[chunk];
        long offset = 0;
        int n;
        while ((n = in.read(buffer, 0, chunk)) >= 0) {
            if (n == 0) {
                continue;
            }
            acquire(room, n, timeout);
            rethrow(failure.get());
            byte[] piece = Arrays.copyOf(buffer, n);
            long at = offset;
            fid.client().write(fid, at, piece).whenComplete((written, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else if (written != piece.length) {
                    failure.compareAndSet(null, new NinePException("stdin: short write at offset " + at + " ("
                            + written + " of " + piece.length + " bytes taken)"));
                }
                room.release(piece.length);
            });
            offset += n;
        }
        acquire(room, IN_FLIGHT, timeout);
        rethrow(failure.get());
    }

    private static void acquire(Semaphore room, int bytes, Duration timeout) throws IOException {
        try {
            if (!room.tryAcquire(bytes, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new InterruptedIOException("the node took no input for " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending input");
        }
    }

    private static void rethrow(Throwable failure) throws IOException {
        if (failure != null) {
            throw new IOException(Futures.message(failure), failure);
        }
    }
}
