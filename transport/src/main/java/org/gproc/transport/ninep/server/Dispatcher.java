package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.Codec;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.Message.*;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.Stat;
import org.gproc.transport.ninep.server.FidTable.Fid;
import org.gproc.transport.xcpu.Principal;
import org.gproc.transport.xcpu.Tokens;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Turns one T-message (other than Tversion and Tflush, which belong to the connection) into its reply. Every
 * protocol rule is checked here, against the fid table, before the file tree is asked anything. Every request is
 * answered through a future: at once for a tree in this process, later for a parked read or a proxied file;
 * cancelling one cancels the tree's future. A walk is taken in steps, each as far as one entry can go (a proxy
 * forwards all the names that stay on its server at once). The fid table changes when the future completes: the
 * connection holds later requests naming the same fid until then ({@link #changedFids}).
 */
final class Dispatcher {
    /** Plan 9's IOHDRSZ: the bytes of a Tread/Twrite frame that are not data. */
    static final int IOHDRSZ = 24;
    private static final int OPEN_MODE_BITS = 3 | Message.OTRUNC | 0x20 /* OCEXEC */ | Message.ORCLOSE;


    private final FileTree tree;
    private final String principal;
    private final Set<String> trustedRelays;
    private final FidTable fids;
    private volatile int msize;

    Dispatcher(FileTree tree, String principal, Set<String> trustedRelays, FidTable fids) {
        this.tree = tree;
        this.principal = principal;
        this.trustedRelays = trustedRelays;
        this.fids = fids;
    }

    void msize(int negotiated) {
        msize = negotiated;
    }

    CompletableFuture<R> handle(T t) throws NinePException {
        int tag = t.tag();
        return switch (t.type()) {
            case 102 -> throw Errors.of(Errors.NO_AUTH);
            case 104 -> done(attach((Tattach) t));
            case 110 -> walk((Twalk) t);
            case 112 -> open((Topen) t);
            case 114 -> create((Tcreate) t);
            case 116 -> read((Tread) t);
            case 118 -> write((Twrite) t);
            case 120 -> clunk((Tclunk) t);
            case 122 -> remove((Tremove) t);
            case 124 -> map(notNull(fids.get(((Tstat) t).fid()).entry.statAsync(), "stat"),
                    st -> new Rstat(tag, notNull(st, "stat")));
            case 126 -> wstat((Twstat) t);
            default -> throw Errors.of(Errors.UNEXPECTED_MESSAGE, t.getClass().getSimpleName() + " is not handled here");
        };
    }

    /**
     * The fids whose state {@code t} changes when it completes (the fid it attaches or walks to, the fid it opens);
     * the connection holds back later requests naming them until then.
     */
    static int[] changedFids(T t) {
        if (t instanceof Tattach a) {
            return new int[]{a.fid()};
        } else if (t instanceof Twalk w) {
            return new int[]{w.newfid()};
        } else if (t instanceof Topen o) {
            return new int[]{o.fid()};
        } else if (t instanceof Tcreate c) {
            return new int[]{c.fid()};
        }
        return NO_FIDS;
    }

    /** Every fid {@code t} names. */
    static int[] namedFids(T t) {
        if (t instanceof Twalk w) {
            return w.fid() == w.newfid() ? new int[]{w.fid()} : new int[]{w.fid(), w.newfid()};
        } else if (t instanceof Tread r) {
            return new int[]{r.fid()};
        } else if (t instanceof Twrite w) {
            return new int[]{w.fid()};
        } else if (t instanceof Tclunk c) {
            return new int[]{c.fid()};
        } else if (t instanceof Tremove r) {
            return new int[]{r.fid()};
        } else if (t instanceof Tstat s) {
            return new int[]{s.fid()};
        } else if (t instanceof Twstat w) {
            return new int[]{w.fid()};
        }
        return changedFids(t);
    }

    private static final int[] NO_FIDS = {};

    /**
     * attach(5) with relays: on a connection authenticated as a trusted relay, a uname other than the relay's own
     * names the principal the attach acts for (the relay vouches that this user authenticated at it); on any other
     * connection uname is ignored and the connection's principal is used.
     */
    private Rattach attach(Tattach a) throws NinePException {
        if (a.afid() != Message.NOFID) {
            throw Errors.of(Errors.NO_AUTH, "afid must be NOFID");
        }
        fids.checkFree(a.fid());
        String who = principal;
        String via = null;
        if (trustedRelays.contains(principal) && !a.uname().isEmpty() && !a.uname().equals(principal)) {
            if (!Principal.isValid(a.uname())) {
                throw Errors.of(Errors.PERMISSION_DENIED, "attach: uname " + Tokens.shown(a.uname())
                        + " is not a principal (" + Principal.RULE + ")");
            }
            who = a.uname();
            via = principal;
        }
        FileEntry root = via == null ? tree.attach(who, a.uname(), a.aname()) : tree.attach(who, via, a.uname(),
                a.aname());
        fids.add(a.fid(), root, root);
        return new Rattach(a.tag(), root.qid());
    }

    /** walk(5): all names or Rwalk with the qids that did walk (newfid untouched); a first-name failure is Rerror. */
    private CompletableFuture<R> walk(Twalk w) throws NinePException {
        Fid from = fids.get(w.fid());
        if (from.isOpen()) {
            throw Errors.of(Errors.CANNOT_CLONE_OPEN_FID);
        }
        List<String> names = w.names();
        if (names.size() > Message.MAXWELEM) {
            throw Errors.of(Errors.TOO_MANY_WALK_NAMES, names.size() + " names, at most " + Message.MAXWELEM);
        }
        if (w.newfid() != w.fid()) {
            fids.checkFree(w.newfid());
        }
        for (String name : names) {
            checkName(name);
        }
        if (!names.isEmpty() && !from.entry.qid().isDirectory()) {
            throw Errors.of(Errors.WALK_IN_NON_DIRECTORY);
        }
        int tag = w.tag();
        CompletableFuture<R> reply = new CompletableFuture<>();
        new Walk(fids, from, names, reply, tag, w.newfid()).step(from.entry, 0);
        return reply;
    }

    private static FileEntry parentWithin(FileEntry at, FileEntry root) {
        return sameFile(at.qid(), root.qid()) ? at : at.parent();
    }

    static boolean sameFile(Qid a, Qid b) {
        return a.path() == b.path() && a.type() == b.type();
    }

    private static void checkName(String name) throws NinePException {
        if (name.isEmpty() || name.equals(".") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw Errors.of(Errors.BAD_NAME, "'" + name + "' (names are non-empty, not '.', without '/' or NUL)");
        }
    }

    private CompletableFuture<R> open(Topen o) throws NinePException {
        Fid f = fids.get(o.fid());
        if (f.isOpen()) {
            throw Errors.of(Errors.FILE_ALREADY_OPEN);
        }
        checkMode(o.mode(), f.entry.qid().isDirectory());
        int tag = o.tag();
        return map(notNull(f.entry.openAsync(o.mode()), "open"), file -> {
            notNull(file, "open");
            f.opened(file, o.mode());
            undoIfGone(f);
            return new Ropen(tag, file.entry().qid(), iounit(file));
        });
    }

    private CompletableFuture<R> create(Tcreate c) throws NinePException {
        Fid f = fids.get(c.fid());
        if (f.isOpen()) {
            throw Errors.of(Errors.FILE_ALREADY_OPEN);
        }
        if (!f.entry.qid().isDirectory()) {
            throw Errors.of(Errors.CREATE_IN_NON_DIRECTORY);
        }
        checkName(c.name());
        if (c.name().equals("..")) {
            throw Errors.of(Errors.BAD_NAME, "cannot create '..'");
        }
        checkMode(c.mode(), (c.perm() & Stat.DMDIR) != 0);
        int tag = c.tag();
        FileEntry dir = f.entry;
        return map(notNull(dir.createAsync(c.name(), c.perm(), c.mode()), "create"), file -> {
            notNull(file, "create");
            f.opened(file, c.mode());
            undoIfGone(f);
            if (file.entry() != dir) {
                dir.forget();
            }
            return new Rcreate(tag, file.entry().qid(), iounit(file));
        });
    }

    /** An open answered after its fid left the table (reset, connection end) is clunked at once. */
    private void undoIfGone(Fid f) {
        if (!fids.holds(f)) {
            releaseQuietly(f);
        }
    }

    private static void checkMode(int mode, boolean directory) throws NinePException {
        if ((mode & ~OPEN_MODE_BITS) != 0) {
            throw Errors.of(Errors.BAD_OPEN_MODE, "0x" + Integer.toHexString(mode) + " has unknown bits");
        }
        if (directory && (mode & ~(Message.ORCLOSE | 0x20)) != Message.OREAD) {
            throw Errors.of(Errors.IS_A_DIRECTORY, "directories open only for reading (OREAD)");
        }
    }

    private int iounit(OpenFile file) {
        int max = msize - IOHDRSZ;
        int asked = file.iounit();
        return asked <= 0 || asked > max ? max : asked;
    }

    private CompletableFuture<R> read(Tread r) throws NinePException {
        Fid f = fids.get(r.fid());
        if (!f.isOpen()) {
            throw Errors.of(Errors.FID_NOT_OPEN);
        }
        if (!f.readable()) {
            throw Errors.of(Errors.PERMISSION_DENIED, "fid was opened for writing only");
        }
        if (r.offset() < 0) {
            throw Errors.of(Errors.BAD_OFFSET, Long.toUnsignedString(r.offset()) + " is beyond 2^63");
        }
        int count = (int) Math.min(Integer.toUnsignedLong(r.count()), msize - IOHDRSZ);
        if (f.entry.qid().isDirectory() && !f.open.readsDirectoryItself()) {
            return done(new Rread(r.tag(), directoryRead(f, r.offset(), count)));
        }
        int tag = r.tag();
        return map(notNull(f.open.read(r.offset(), count), "read"), data -> {
            byte[] d = notNull(data, "read");
            return new Rread(tag, d.length <= count ? d : Arrays.copyOf(d, count));
        });
    }

    /** read(5) on a directory: whole stat entries, continuing exactly where the previous read ended or at 0. */
    private static byte[] directoryRead(Fid f, long offset, int count) throws NinePException {
        if (offset == 0) {
            f.listing = notNull(f.entry.list(), "list");
            f.nextEntry = 0;
            f.nextOffset = 0;
        } else if (f.listing == null || offset != f.nextOffset) {
            throw Errors.of(Errors.BAD_OFFSET, "directory reads continue at offset " + f.nextOffset
                    + " (the previous offset plus count) or restart at 0, not at " + offset);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(count, 8192));
        int i = f.nextEntry;
        for (; i < f.listing.size(); i++) {
            byte[] entry = Codec.encodeStat(f.listing.get(i));
            if (out.size() + entry.length > count) {
                if (out.size() == 0) {
                    throw Errors.of(Errors.SHORT_COUNT, "directory entry '" + f.listing.get(i).name() + "' needs "
                            + entry.length + " bytes, the read asked for " + count);
                }
                break;
            }
            out.writeBytes(entry);
        }
        f.nextEntry = i;
        f.nextOffset += out.size();
        return out.toByteArray();
    }

    private CompletableFuture<R> write(Twrite w) throws NinePException {
        Fid f = fids.get(w.fid());
        if (!f.isOpen()) {
            throw Errors.of(Errors.FID_NOT_OPEN);
        }
        if (f.entry.qid().isDirectory()) {
            throw Errors.of(Errors.IS_A_DIRECTORY, "directories cannot be written");
        }
        if (!f.writable()) {
            throw Errors.of(Errors.PERMISSION_DENIED, "fid was opened for reading only");
        }
        if (w.offset() < 0) {
            throw Errors.of(Errors.BAD_OFFSET, Long.toUnsignedString(w.offset()) + " is beyond 2^63");
        }
        int tag = w.tag();
        int length = w.data().length;
        return map(notNull(f.open.write(w.offset(), w.data()), "write"), n -> {
            int taken = notNull(n, "write");
            if (taken < 0 || taken > length) {
                throw new IllegalStateException("file tree's write took " + taken + " of " + length + " bytes");
            }
            return new Rwrite(tag, taken);
        });
    }

    private CompletableFuture<R> clunk(Tclunk c) throws NinePException {
        int tag = c.tag();
        return map(release(fids.remove(c.fid())), v -> new Rclunk(tag));
    }

    /** remove(5): the fid is clunked even when the remove fails; the remove's error is the one reported. */
    private CompletableFuture<R> remove(Tremove r) throws NinePException {
        Fid f = fids.remove(r.fid());
        int tag = r.tag();
        CompletableFuture<Void> removed;
        try {
            removed = notNull(f.entry.removeAsync(), "remove");
        } catch (RuntimeException e) {
            removed = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<R> reply = new CompletableFuture<>();
        removed.whenComplete((v, e) -> {
            if (e != null) {
                releaseQuietly(f);
                reply.completeExceptionally(e);
                return;
            }
            f.mode &= ~Message.ORCLOSE; // already gone
            release(f).whenComplete((v2, e2) -> {
                if (e2 != null) {
                    reply.completeExceptionally(e2);
                } else {
                    reply.complete(new Rremove(tag));
                }
            });
        });
        return reply;
    }

    private CompletableFuture<R> wstat(Twstat w) throws NinePException {
        int tag = w.tag();
        return map(notNull(fids.get(w.fid()).entry.wstatAsync(w.stat()), "wstat"), v -> new Rwstat(tag));
    }

    /** Ends a fid that has left the table: the open file's clunk, then ORCLOSE's remove; else the entry is forgotten. */
    static CompletableFuture<Void> release(Fid f) {
        if (!f.isOpen()) {
            f.entry.forget();
            return CompletableFuture.completedFuture(null);
        }
        try {
            return notNull(f.open.clunkAsync((f.mode & Message.ORCLOSE) != 0), "clunk");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    static void releaseQuietly(Fid f) {
        release(f).whenComplete((v, e) -> {
            if (e != null) {
                ServerConnection.LOG.debug("clunk of fid {} on reset/close: {}", Integer.toUnsignedString(f.number),
                        e.toString());
            }
        });
    }

    static <V> V notNull(V v, String what) {
        if (v == null) {
            throw new IllegalStateException("file tree returned null from " + what);
        }
        return v;
    }

    private static CompletableFuture<R> done(R reply) {
        return CompletableFuture.completedFuture(reply);
    }

    /**
     * {@code source.thenApply(fn)}, except that cancelling the result cancels {@code source}: a flushed parked read
     * must reach the tree's future so the tree can drop its waiter.
     */
    private static <V> CompletableFuture<R> map(CompletableFuture<V> source, Function<V, R> fn) {
        if (source.isDone() && !source.isCompletedExceptionally()) {
            try {
                return done(fn.apply(source.join()));
            } catch (RuntimeException bad) {
                return CompletableFuture.failedFuture(bad);
            }
        }
        CompletableFuture<R> result = new CompletableFuture<>();
        source.whenComplete((v, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
                return;
            }
            try {
                result.complete(fn.apply(v));
            } catch (RuntimeException bad) {
                result.completeExceptionally(bad);
            }
        });
        result.whenComplete((v, e) -> {
            if (e instanceof CancellationException) {
                source.cancel(false);
            }
        });
        return result;
    }

    /** The Rerror text for a failed reply future. */
    static String errorText(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof NinePException) {
            return cause.getMessage();
        }
        if (cause instanceof CancellationException) {
            return Errors.INTERRUPTED;
        }
        ServerConnection.LOG.warn("file tree failed", cause);
        return Errors.INTERNAL + " (" + cause.getClass().getSimpleName() + "; see the daemon log)";
    }
}
