package org.gproc.daemon.relay;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What {@code n/events} reads: a line {@code lost NAME HOST:PORT} each time the connection to a child that was up
 * closes (not when the relay itself shuts down). A client keeps one read parked on it, so a relay below another is
 * known lost as soon as the relay above sees its connection close, without waiting for a read under it to fail.
 * Each open sees the lines written after it opened (an old loss of a child since replaced says nothing about the
 * new link); a read past the end waits for the next line, and an empty read means the relay is shutting down.
 * Lines are kept for the daemon's life: one per loss, a few dozen bytes each.
 */
final class ChildEvents {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream(); // guarded by this
    private final List<Parked> parked = new ArrayList<>(); // guarded by this
    private boolean closed; // guarded by this

    /** A read waiting for bytes at {@code position} of the log. */
    private record Parked(Reader reader, long position, int count, CompletableFuture<byte[]> answer) {
    }

    /** One open of the file: positions are counted from where the log ended when it was opened. */
    final class Reader {
        private final long base;

        private Reader(long base) {
            this.base = base;
        }

        CompletableFuture<byte[]> read(long offset, int count) {
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            synchronized (ChildEvents.this) {
                long position = base + offset;
                if (position < log.size() || closed) {
                    answer.complete(slice(position, count));
                } else {
                    parked.add(new Parked(this, position, count, answer));
                }
            }
            return answer;
        }

        /** Ends this open's parked reads (a clunk, or the connection gone): they answer empty. */
        void close() {
            List<CompletableFuture<byte[]>> done = new ArrayList<>();
            synchronized (ChildEvents.this) {
                parked.removeIf(p -> p.reader() == this && done.add(p.answer()));
            }
            done.forEach(f -> f.complete(new byte[0]));
        }
    }

    synchronized Reader open() {
        return new Reader(log.size());
    }

    /** Child {@code t}'s connection, which was up, has closed. */
    void lost(ChildTarget t) {
        append("lost " + t.name() + " " + t.address() + "\n");
    }

    /** The relay is shutting down: its own children's closes are not losses; parked reads answer empty. */
    void close() {
        List<Parked> waiting;
        synchronized (this) {
            closed = true;
            waiting = List.copyOf(parked);
            parked.clear();
        }
        waiting.forEach(p -> p.answer().complete(new byte[0]));
    }

    private void append(String line) {
        List<Runnable> answers = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            log.writeBytes(line.getBytes(StandardCharsets.UTF_8));
            parked.removeIf(p -> {
                if (p.position() >= log.size()) {
                    return false;
                }
                byte[] bytes = slice(p.position(), p.count());
                answers.add(() -> p.answer().complete(bytes));
                return true;
            });
        }
        answers.forEach(Runnable::run); // outside the lock: an answer sends a reply
    }

    /** Guarded by this. */
    private byte[] slice(long position, int count) {
        byte[] all = log.toByteArray();
        int from = (int) Math.min(position, all.length);
        return Arrays.copyOfRange(all, from, (int) Math.min(all.length, (long) from + count));
    }
}
