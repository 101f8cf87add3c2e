package org.gproc.transport.ninep;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Pipelined bulk I/O for {@link NinePClient}: keeps a window of Twrites (or Treads) in flight so a transfer moves
 * at the link's speed rather than one round trip per iounit. Each step runs in a reply callback: no thread waits.
 */
final class BulkTransfer {
    /** At most this many requests in flight per transfer … */
    static final int MAX_WINDOW = 32;
    /** … and about this many bytes, so a 1 MiB iounit does not buffer 32 MiB per transfer. */
    static final long WINDOW_BYTES = 16L << 20;

    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private BulkTransfer() {}

    static int window(int chunk) {
        return (int) Math.max(4, Math.min(MAX_WINDOW, WINDOW_BYTES / Math.max(1, chunk)));
    }

    static CompletableFuture<Long> writeAll(NinePClient client, Fid fid, long offset, ByteBuffer data) {
        return new Writer(client, fid, offset, data).start();
    }

    /** Reads from offset 0 one request at a time until an empty read (directories, streams). */
    static CompletableFuture<byte[]> readSequential(NinePClient client, Fid fid) {
        return new Reader(client, fid, false).start();
    }

    static CompletableFuture<byte[]> readAll(NinePClient client, Fid fid) {
        boolean regular = fid.qid().type() == Qid.QTFILE;
        return new Reader(client, fid, regular).start();
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** Cancels what is still in flight when the transfer's own future is cancelled or fails. */
    private abstract static class Transfer<V> {
        final CompletableFuture<V> result = new CompletableFuture<>();
        private final Set<CompletableFuture<?>> inFlight = new HashSet<>();

        Transfer() {
            result.whenComplete((v, e) -> {
                if (e != null) {
                    List<CompletableFuture<?>> left;
                    synchronized (this) {
                        left = List.copyOf(inFlight);
                    }
                    left.forEach(f -> f.cancel(false));
                }
            });
        }

        synchronized void track(CompletableFuture<?> f) {
            inFlight.add(f);
        }

        synchronized void untrack(CompletableFuture<?> f) {
            inFlight.remove(f);
        }
    }

    private static final class Writer extends Transfer<Long> {
        private final NinePClient client;
        private final Fid fid;
        private final long base;
        private final ByteBuffer data;
        private final int chunk;
        private final int window;
        private final long total;
        private long issued;      // guarded by this
        private long written;     // guarded by this
        private int outstanding;  // guarded by this

        Writer(NinePClient client, Fid fid, long base, ByteBuffer data) {
            this.client = client;
            this.fid = fid;
            this.base = base;
            this.data = data;
            this.chunk = fid.iounit();
            this.window = window(chunk);
            this.total = data.remaining();
        }

        CompletableFuture<Long> start() {
            if (total == 0) {
                result.complete(0L);
            } else {
                pump();
            }
            return result;
        }

        private void pump() {
            while (true) {
                int from;
                int length;
                long at;
                synchronized (this) {
                    if (result.isDone() || issued == total || outstanding >= window) {
                        return;
                    }
                    length = (int) Math.min(chunk, total - issued);
                    from = data.position() + (int) issued;
                    at = base + issued;
                    issued += length;
                    outstanding++;
                }
                CompletableFuture<Integer> w = client.write(fid, at, data, from, length); // copied into the frame
                track(w);
                w.whenComplete((n, e) -> done(w, at, length, n, e));
            }
        }

        private void done(CompletableFuture<Integer> w, long at, int length, Integer n, Throwable e) {
            untrack(w);
            boolean finished;
            synchronized (this) {
                outstanding--;
                if (e == null && n == length) {
                    written += length;
                }
                finished = written == total;
            }
            if (e != null) {
                result.completeExceptionally(unwrap(e));
            } else if (n != length) {
                result.completeExceptionally(new NinePException("write: short write at offset " + at + " (" + n
                        + " of " + length + " bytes taken)"));
            } else if (finished) {
                result.complete(total);
            } else {
                pump();
            }
        }
    }

    /**
     * Sequential reads until an empty one. For a regular file whose first read filled a whole iounit, the stat
     * length is fetched and the known remainder read with pipelined Treads; a short piece (the file changed)
     * ends the pipelined part and sequential reading resumes where the data stopped.
     */
    private static final class Reader extends Transfer<byte[]> {
        private final NinePClient client;
        private final Fid fid;
        private final int unit;
        private boolean mayPipeline;
        private byte[] out = new byte[0];
        private int size; // bytes read so far, which is also the next offset: reads start at 0
        // Pipelined phase state, guarded by this.
        private long pipeStart;
        private int pieces;
        private byte[][] got;
        private int nextIssue;
        private int nextAppend;
        private int outstanding;
        private boolean stopIssuing;

        Reader(NinePClient client, Fid fid, boolean mayPipeline) {
            this.client = client;
            this.fid = fid;
            this.unit = fid.iounit();
            this.mayPipeline = mayPipeline;
        }

        CompletableFuture<byte[]> start() {
            sequential(0);
            return result;
        }

        private void append(byte[] d) {
            if (size + d.length > out.length) {
                int doubled = (int) Math.min(MAX_ARRAY, out.length * 2L);
                out = Arrays.copyOf(out, Math.max(size + d.length, doubled));
            }
            System.arraycopy(d, 0, out, size, d.length);
            size += d.length;
        }

        private void sequential(long offset) {
            if (result.isDone()) {
                return;
            }
            CompletableFuture<byte[]> r = client.read(fid, offset, unit);
            track(r);
            r.whenComplete((d, e) -> {
                untrack(r);
                if (e != null) {
                    result.completeExceptionally(unwrap(e));
                } else if (d.length == 0) {
                    result.complete(size == out.length ? out : Arrays.copyOf(out, size));
                } else if (size + (long) d.length > MAX_ARRAY) {
                    result.completeExceptionally(new NinePException("readAll: file is larger than 2 GiB"));
                } else {
                    append(d);
                    if (mayPipeline && d.length == unit) {
                        mayPipeline = false;
                        learnLength(offset + d.length);
                    } else {
                        sequential(offset + d.length);
                    }
                }
            });
        }

        private void learnLength(long from) {
            CompletableFuture<Stat> s = client.stat(fid);
            track(s);
            s.whenComplete((st, e) -> {
                untrack(s);
                if (e != null) {
                    result.completeExceptionally(unwrap(e));
                    return;
                }
                long length = Math.min(st.length(), MAX_ARRAY);
                if (length <= from) {
                    sequential(from);
                    return;
                }
                out = Arrays.copyOf(out, (int) length);
                synchronized (this) {
                    pipeStart = from;
                    pieces = (int) ((length - from + unit - 1) / unit);
                    got = new byte[pieces][];
                }
                issue();
            });
        }

        private void issue() {
            int window = window(unit);
            while (true) {
                int i;
                synchronized (this) {
                    if (result.isDone() || stopIssuing || nextIssue == pieces || outstanding >= window) {
                        return;
                    }
                    i = nextIssue++;
                    outstanding++;
                }
                CompletableFuture<byte[]> r = client.read(fid, pipeStart + (long) i * unit, unit);
                track(r);
                r.whenComplete((d, e) -> piece(r, i, d, e));
            }
        }

        private void piece(CompletableFuture<byte[]> r, int i, byte[] d, Throwable e) {
            untrack(r);
            if (e != null) {
                result.completeExceptionally(unwrap(e));
                return;
            }
            boolean resume;
            synchronized (this) {
                outstanding--;
                got[i] = d;
                while (!stopIssuing && nextAppend < pieces && got[nextAppend] != null) {
                    byte[] p = got[nextAppend];
                    got[nextAppend++] = null;
                    append(p);
                    if (p.length < unit) {
                        stopIssuing = true; // the file is shorter than its stat said: go on one read at a time
                    }
                }
                resume = (stopIssuing || nextAppend == pieces) && outstanding == 0;
            }
            if (resume) {
                sequential(size); // confirms the end (or picks up growth) with an empty read
            } else {
                issue();
            }
        }
    }
}
