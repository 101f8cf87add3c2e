package org.gproc.transport.ninep;

import org.gproc.transport.ninep.Message.*;
import org.gproc.transport.ninep.Multiplexer.Call;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A 9P2000 client over one {@link FrameChannel}: any number of concurrent requests, multiplexed by tag.
 *
 * <p>Every operation returns a {@link CompletableFuture} at once. Futures complete on the channel's receiving
 * thread, so callbacks attached to them must be quick and must never block (no {@code join()}, no blocking I/O):
 * a blocked callback stalls every reply on the connection. Use {@link #blocking(Duration)} from ordinary threads.
 *
 * <p>Errors: an Rerror completes the future with a {@link NinePException} carrying the server's text; a lost
 * connection fails everything outstanding (and everything after) with an {@link IOException} saying so.
 * Cancelling a returned future sends a Tflush for it (clunk and remove cannot be cancelled: the fid is gone either
 * way); the tag is reused only after the server's Rflush.
 */
public final class NinePClient implements AutoCloseable {
    /** Plan 9's IOHDRSZ: the bytes of a Tread/Twrite frame that are not data. */
    public static final int IOHDRSZ = 24;
    /** The smallest msize this client accepts from a server. */
    public static final int MIN_MSIZE = 256;

    private final FrameChannel channel;
    private final Multiplexer mux;
    private final FidPool fids = new FidPool();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile int msize;
    private volatile Fid root;

    private NinePClient(FrameChannel channel, int msize) {
        this.channel = channel;
        this.msize = msize;
        this.mux = new Multiplexer(channel, msize);
    }

    /**
     * Starts {@code channel}, negotiates the version and msize (at most {@code msize}), and attaches as
     * {@code uname} to {@code aname}. On failure the channel is closed.
     */
    public static CompletableFuture<NinePClient> connect(FrameChannel channel, int msize, String uname, String aname) {
        Objects.requireNonNull(uname, "uname");
        Objects.requireNonNull(aname, "aname");
        if (msize < MIN_MSIZE) {
            throw new IllegalArgumentException("msize " + msize + " is below the " + MIN_MSIZE + "-byte minimum");
        }
        NinePClient client = new NinePClient(channel, msize);
        channel.start(client.listener());
        CompletableFuture<NinePClient> result = client.version(msize)
                .thenCompose(v -> client.attach(uname, aname))
                .thenApply(fid -> {
                    client.root = fid;
                    return client;
                });
        result.whenComplete((c, e) -> {
            if (e != null) {
                client.close();
            }
        });
        return result;
    }

    private FrameChannel.Listener listener() {
        return new FrameChannel.Listener() {
            @Override
            public void onFrame(ByteBuffer frame) {
                mux.onFrame(frame);
            }

            @Override
            public void onClose(Throwable cause) {
                mux.onClose(cause);
                closed.complete(null);
            }
        };
    }

    private CompletableFuture<Integer> version(int asked) {
        return mux.call(new Tversion(Message.NOTAG, asked, Message.VERSION_9P2000), false, r -> {
            Rversion v = expect(r, Rversion.class, "Tversion");
            if (!v.version().equals(Message.VERSION_9P2000)) {
                throw new NinePException("version: server speaks '" + v.version() + "', not 9P2000");
            }
            long got = Integer.toUnsignedLong(v.msize());
            if (got > asked || got < MIN_MSIZE) {
                throw new NinePException("version: server's msize " + got + " is outside " + MIN_MSIZE + "…" + asked);
            }
            msize = (int) got;
            mux.msize(msize);
            return msize;
        });
    }

    /**
     * Requests to send back to back without waiting for replies (see {@link Pipeline}): a walk, open, read and
     * clunk in one round trip.
     */
    public Pipeline pipeline() {
        return new Pipeline(this, mux);
    }

    int allocateFid() {
        return fids.allocate();
    }

    void releaseFid(int fid) {
        fids.release(fid);
    }

    /** Attaches another root ({@link #connect} already attached {@link #root()}). */
    public CompletableFuture<Fid> attach(String uname, String aname) {
        int fid = fids.allocate();
        Call<Fid> call = new Call<>(mux, new Tattach(0, fid, Message.NOFID, uname, aname), true, r -> {
            try {
                return new Fid(this, fid, expect(r, Rattach.class, "Tattach").qid());
            } catch (NinePException e) {
                fids.release(fid);
                throw e;
            }
        });
        return created(call, fid);
    }

    /** The fid {@link #connect} attached. */
    public Fid root() {
        return root;
    }

    /** The negotiated msize. */
    public int msize() {
        return msize;
    }

    /** The most data one Tread or Twrite can carry at this msize. */
    public int maxIo() {
        return msize - IOHDRSZ;
    }

    /** Walks from {@link #root()} along a slash-separated path ("" or "/" is a clone of the root). */
    public CompletableFuture<Fid> walk(String path) {
        return walk(root, Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList());
    }

    public CompletableFuture<Fid> walk(Fid from, String... names) {
        return walk(from, List.of(names));
    }

    /**
     * A new fid for {@code from/names...}; zero names clone {@code from}. Fails unless every name is walked
     * (walk(5)'s partial walk is reported as the name that did not walk). More than 16 names take several Twalks.
     */
    public CompletableFuture<Fid> walk(Fid from, List<String> names) {
        CompletableFuture<Fid> bad = usable(from, false);
        if (bad != null) {
            return bad;
        }
        List<String> first = names.subList(0, Math.min(names.size(), Message.MAXWELEM));
        CompletableFuture<Fid> walked = walkOnce(from, first, String.join("/", names));
        if (names.size() <= Message.MAXWELEM) {
            return walked;
        }
        List<String> rest = new ArrayList<>(names.subList(Message.MAXWELEM, names.size()));
        return walked.thenCompose(fid -> walkOn(fid, rest, String.join("/", names)));
    }

    /** Moves an unopened fid further (newfid = fid); on failure the fid is clunked. */
    private CompletableFuture<Fid> walkOn(Fid fid, List<String> rest, String path) {
        List<String> step = rest.subList(0, Math.min(rest.size(), Message.MAXWELEM));
        List<String> left = rest.subList(step.size(), rest.size());
        CompletableFuture<Fid> moved = mux.call(new Twalk(0, fid.number(), fid.number(), step), true, r -> {
            List<Qid> qids = expect(r, Rwalk.class, "Twalk").qids();
            if (qids.size() < step.size()) {
                throw partialWalk(path, step.get(qids.size()));
            }
            return new Fid(this, fid.number(), qids.get(qids.size() - 1));
        });
        return moved.handle((next, e) -> {
            if (e != null) {
                clunk(fid);
                return CompletableFuture.<Fid>failedFuture(e);
            }
            return left.isEmpty() ? CompletableFuture.completedFuture(next) : walkOn(next, left, path);
        }).thenCompose(f -> f);
    }

    private CompletableFuture<Fid> walkOnce(Fid from, List<String> names, String path) {
        int newfid = fids.allocate();
        Call<Fid> call = new Call<>(mux, new Twalk(0, from.number(), newfid, names), true, r -> {
            try {
                List<Qid> qids = expect(r, Rwalk.class, "Twalk").qids();
                if (qids.size() < names.size()) {
                    throw partialWalk(path, names.get(qids.size()));
                }
                return new Fid(this, newfid, qids.isEmpty() ? from.qid() : qids.get(qids.size() - 1));
            } catch (NinePException e) {
                fids.release(newfid); // walk(5): newfid was not created
                throw e;
            }
        });
        return created(call, newfid);
    }

    /** What one Twalk did: the qids of the names walked and, when every name was, the new fid (else null). */
    public record WalkResult(List<Qid> qids, Fid fid) {
    }

    /**
     * One Twalk of at most 16 names from {@code from} to a new fid, reported as the server answered it: a walk that
     * stops after the first name completes normally with the qids that did walk and no fid (walk(5)); only a
     * first name that does not exist fails. For proxies, which must pass partial walks on as they are.
     */
    public CompletableFuture<WalkResult> walkPart(Fid from, List<String> names) {
        CompletableFuture<WalkResult> bad = usable(from, false);
        if (bad != null) {
            return bad;
        }
        if (names.size() > Message.MAXWELEM) {
            throw new IllegalArgumentException("walk of " + names.size() + " names (at most " + Message.MAXWELEM
                    + " in one Twalk)");
        }
        int newfid = fids.allocate();
        Call<WalkResult> call = new Call<>(mux, new Twalk(0, from.number(), newfid, List.copyOf(names)), true, r -> {
            try {
                List<Qid> qids = expect(r, Rwalk.class, "Twalk").qids();
                if (qids.size() < names.size()) {
                    fids.release(newfid); // walk(5): newfid was not created
                    return new WalkResult(qids, null);
                }
                return new WalkResult(qids, new Fid(this, newfid, qids.isEmpty() ? from.qid()
                        : qids.get(qids.size() - 1)));
            } catch (NinePException e) {
                fids.release(newfid);
                throw e;
            }
        });
        call.abandoned = w -> {
            if (w.fid() != null) {
                clunk(w.fid());
            }
        };
        call.flushed = () -> fids.release(newfid);
        return mux.submit(call);
    }

    /** Wires the undo paths of a request that creates a fid, then sends it. */
    private CompletableFuture<Fid> created(Call<Fid> call, int fid) {
        call.abandoned = f -> clunk(f);          // the caller cancelled but the server made the fid: give it back
        call.flushed = () -> fids.release(fid);  // flushed before the server acted: the number is free again
        return mux.submit(call);
    }

    private static NinePException partialWalk(String path, String stoppedAt) {
        return new NinePException("walk '" + path + "': '" + stoppedAt
                + "' does not exist or is not a directory (file does not exist)");
    }

    /** Opens {@code fid} (9P mode: {@code Message.OREAD}… plus OTRUNC/ORCLOSE); the same handle, now open. */
    public CompletableFuture<Fid> open(Fid fid, int mode) {
        CompletableFuture<Fid> bad = usable(fid, false);
        if (bad != null) {
            return bad;
        }
        return mux.call(new Topen(0, fid.number(), mode), true, r -> {
            Ropen o = expect(r, Ropen.class, "Topen");
            fid.opened(mode, o.qid(), unit(o.iounit()));
            return fid;
        });
    }

    /** Creates {@code name} in the directory {@code dir} and opens it; {@code dir} now points at the new file. */
    public CompletableFuture<Fid> create(Fid dir, String name, int perm, int mode) {
        CompletableFuture<Fid> bad = usable(dir, false);
        if (bad != null) {
            return bad;
        }
        return mux.call(new Tcreate(0, dir.number(), name, perm, mode), true, r -> {
            Rcreate c = expect(r, Rcreate.class, "Tcreate");
            dir.opened(mode, c.qid(), unit(c.iounit()));
            return dir;
        });
    }

    int unit(int iounit) {
        return iounit <= 0 || iounit > maxIo() ? maxIo() : iounit;
    }

    /** Up to {@code count} bytes at {@code offset} (count is capped at the fid's iounit); empty at end of file. */
    public CompletableFuture<byte[]> read(Fid fid, long offset, int count) {
        CompletableFuture<byte[]> bad = usable(fid, true);
        if (bad != null) {
            return bad;
        }
        if (count < 0 || offset < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "read: offset " + offset + " and count " + count + " must not be negative"));
        }
        return mux.call(new Tread(0, fid.number(), offset, Math.min(count, fid.iounit())), true,
                r -> expect(r, Rread.class, "Tread").data());
    }

    /**
     * Writes {@code data} (at most the fid's iounit; see {@link #writeAll} for more) at {@code offset}; completes
     * with the count the server took. The array belongs to the request until the future completes.
     */
    public CompletableFuture<Integer> write(Fid fid, long offset, byte[] data) {
        CompletableFuture<Integer> bad = usable(fid, true);
        if (bad != null) {
            return bad;
        }
        if (data.length > fid.iounit() || offset < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("write: " + data.length
                    + " bytes at offset " + offset + " (at most iounit " + fid.iounit() + ", offset ≥ 0)"));
        }
        return mux.call(new Twrite(0, fid.number(), offset, data), true,
                r -> expect(r, Rwrite.class, "Twrite").count());
    }

    /**
     * As {@link #write(Fid, long, byte[])} for {@code length} bytes of {@code data} from index {@code from}, copied
     * once, straight into the Twrite frame (the request record stands for it and holds no data). For bulk writes.
     */
    CompletableFuture<Integer> write(Fid fid, long offset, ByteBuffer data, int from, int length) {
        CompletableFuture<Integer> bad = usable(fid, true);
        if (bad != null) {
            return bad;
        }
        if (length > fid.iounit() || offset < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("write: " + length
                    + " bytes at offset " + offset + " (at most iounit " + fid.iounit() + ", offset ≥ 0)"));
        }
        return mux.call(new Twrite(0, fid.number(), offset, NO_DATA), Encoder.twrite(fid.number(), offset, data,
                from, length), true, r -> expect(r, Rwrite.class, "Twrite").count());
    }

    private static final byte[] NO_DATA = new byte[0];

    /** Releases the fid; its number is reused once the server answers (even with an error, as clunk(5) says). */
    public CompletableFuture<Void> clunk(Fid fid) {
        if (!fid.markClunked()) {
            return CompletableFuture.failedFuture(new IllegalStateException(fid + " was already clunked"));
        }
        return mux.call(new Tclunk(0, fid.number()), false, r -> {
            fids.release(fid.number());
            expect(r, Rclunk.class, "Tclunk");
            return null;
        });
    }

    /** Removes the file and clunks the fid (the fid is clunked even when the remove fails, as remove(5) says). */
    public CompletableFuture<Void> remove(Fid fid) {
        if (!fid.markClunked()) {
            return CompletableFuture.failedFuture(new IllegalStateException(fid + " was already clunked"));
        }
        return mux.call(new Tremove(0, fid.number()), false, r -> {
            fids.release(fid.number());
            expect(r, Rremove.class, "Tremove");
            return null;
        });
    }

    public CompletableFuture<Stat> stat(Fid fid) {
        CompletableFuture<Stat> bad = usable(fid, false);
        return bad != null ? bad
                : mux.call(new Tstat(0, fid.number()), true, r -> expect(r, Rstat.class, "Tstat").stat());
    }

    /** Changes what {@code changes} sets; start from {@link Stat#dontTouch()} and set only the fields to change. */
    public CompletableFuture<Void> wstat(Fid fid, Stat changes) {
        CompletableFuture<Void> bad = usable(fid, false);
        return bad != null ? bad : mux.call(new Twstat(0, fid.number(), changes), true, r -> {
            expect(r, Rwstat.class, "Twstat");
            return null;
        });
    }

    /**
     * Everything from offset 0 to end of file. A regular file's known length is fetched with pipelined reads;
     * the rest (synthetic files, whose length is 0, and any growth) with one read at a time until an empty read.
     */
    public CompletableFuture<byte[]> readAll(Fid fid) {
        CompletableFuture<byte[]> bad = usable(fid, true);
        return bad != null ? bad : BulkTransfer.readAll(this, fid);
    }

    /** A directory's entries: reads {@code dir} (opened OREAD) from offset 0 to the end and decodes them. */
    public CompletableFuture<List<Stat>> readDir(Fid dir) {
        CompletableFuture<List<Stat>> bad = usable(dir, true);
        if (bad != null) {
            return bad;
        }
        return BulkTransfer.readSequential(this, dir).thenApply(data -> {
            try {
                return Codec.decodeStats(ByteBuffer.wrap(data));
            } catch (NinePException e) {
                throw new CompletionException(e);
            }
        });
    }

    /**
     * Writes all of {@code data} (from its position to its limit; the buffer is not modified) starting at
     * {@code offset}, with many Twrites in flight so the transfer is not bound by round trips. Completes with the
     * number of bytes written; a short write fails it. Cancelling it flushes the writes in flight.
     */
    public CompletableFuture<Long> writeAll(Fid fid, long offset, ByteBuffer data) {
        CompletableFuture<Long> bad = usable(fid, true);
        return bad != null ? bad : BulkTransfer.writeAll(this, fid, offset, data.duplicate());
    }

    public CompletableFuture<Long> writeAll(Fid fid, long offset, byte[] data) {
        return writeAll(fid, offset, ByteBuffer.wrap(data));
    }

    /** Blocking forms of the common operations, each waiting at most {@code timeout}. */
    /**
     * Requests issued until the returned batch is closed leave together (see {@link FrameChannel#batch()}): wrap a
     * burst of pipelined requests, e.g. walk, open and write issued without waiting for each answer.
     */
    public FrameChannel.Batch batch() {
        return channel.batch();
    }

    public BlockingNinePClient blocking(Duration timeout) {
        return new BlockingNinePClient(this, timeout);
    }

    public boolean isOpen() {
        return mux.isOpen();
    }

    /** Completes when the channel has closed (by either side). */
    public CompletableFuture<Void> whenClosed() {
        return closed.copy();
    }

    /** Closes the channel; requests still outstanding fail with an IOException. The server clunks every fid. */
    @Override
    public void close() {
        mux.fail(new IOException("9P client closed"));
        channel.close();
        closed.complete(null);
    }

    private <V> CompletableFuture<V> usable(Fid fid, boolean mustBeOpen) {
        if (fid.client() != this) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(fid + " belongs to another client"));
        }
        if (fid.isClunked()) {
            return CompletableFuture.failedFuture(new IllegalStateException(fid + " was already clunked"));
        }
        if (mustBeOpen && !fid.isOpen()) {
            return CompletableFuture.failedFuture(new IllegalStateException(fid + " is not open"));
        }
        return null;
    }

    static <X extends R> X expect(R reply, Class<X> type, String request) throws NinePException {
        if (reply instanceof Rerror e) {
            throw new NinePException(e.ename());
        }
        if (!type.isInstance(reply)) {
            throw new NinePException("9P protocol botch: server answered " + request + " with "
                    + reply.getClass().getSimpleName());
        }
        return type.cast(reply);
    }

    /** Fid numbers: freed numbers first, so a long-lived connection keeps them small. */
    private static final class FidPool {
        private int[] free = new int[16];
        private int freeCount;
        private int next;

        synchronized int allocate() {
            if (freeCount > 0) {
                return free[--freeCount];
            }
            if (next == Message.NOFID) {
                throw new IllegalStateException("9P client: all 2^32-1 fid numbers are in use");
            }
            return next++;
        }

        synchronized void release(int fid) {
            if (freeCount == free.length) {
                free = Arrays.copyOf(free, free.length * 2);
            }
            free[freeCount++] = fid;
        }
    }
}
