package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.Codec;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.Message.*;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.Stat;
import org.gproc.transport.ninep.server.FidTable.Fid;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Turns one T-message (other than Tversion and Tflush, which belong to the connection) into its reply. Every
 * protocol rule is checked here, against the fid table, before the file tree is asked anything. Replies that need
 * the tree to wait (parked reads) come back as incomplete futures; cancelling one cancels the tree's future.
 */
final class Dispatcher {
    /** Plan 9's IOHDRSZ: the bytes of a Tread/Twrite frame that are not data. */
    static final int IOHDRSZ = 24;
    private static final int OPEN_MODE_BITS = 3 | Message.OTRUNC | 0x20 /* OCEXEC */ | Message.ORCLOSE;

    private final FileTree tree;
    private final String principal;
    private final FidTable fids;
    private volatile int msize;

    Dispatcher(FileTree tree, String principal, FidTable fids) {
        this.tree = tree;
        this.principal = principal;
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
            case 110 -> done(walk((Twalk) t));
            case 112 -> done(open((Topen) t));
            case 114 -> done(create((Tcreate) t));
            case 116 -> read((Tread) t);
            case 118 -> write((Twrite) t);
            case 120 -> done(clunk((Tclunk) t));
            case 122 -> done(remove((Tremove) t));
            case 124 -> done(new Rstat(tag, fids.get(((Tstat) t).fid()).entry.stat()));
            case 126 -> done(wstat((Twstat) t));
            default -> throw Errors.of(Errors.UNEXPECTED_MESSAGE, t.getClass().getSimpleName() + " is not handled here");
        };
    }

    private Rattach attach(Tattach a) throws NinePException {
        if (a.afid() != Message.NOFID) {
            throw Errors.of(Errors.NO_AUTH, "afid must be NOFID");
        }
        fids.checkFree(a.fid());
        FileEntry root = tree.attach(principal, a.uname(), a.aname());
        fids.add(a.fid(), root, root);
        return new Rattach(a.tag(), root.qid());
    }

    /** walk(5): all names or Rwalk with the qids that did walk (newfid untouched); a first-name failure is Rerror. */
    private Rwalk walk(Twalk w) throws NinePException {
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
        FileEntry at = from.entry;
        List<Qid> qids = new ArrayList<>(names.size());
        for (String name : names) {
            if (!at.qid().isDirectory()) {
                break;
            }
            FileEntry next;
            try {
                next = name.equals("..") ? parentWithin(at, from.root) : at.walk(name);
            } catch (NinePException e) {
                if (qids.isEmpty()) {
                    throw e;
                }
                break;
            }
            qids.add(next.qid());
            at = next;
        }
        if (qids.size() == names.size()) {
            if (w.newfid() == w.fid()) {
                from.entry = at;
            } else {
                fids.add(w.newfid(), from.root, at);
            }
        }
        return new Rwalk(w.tag(), qids);
    }

    private static FileEntry parentWithin(FileEntry at, FileEntry root) {
        return sameFile(at.qid(), root.qid()) ? at : at.parent();
    }

    private static boolean sameFile(Qid a, Qid b) {
        return a.path() == b.path() && a.type() == b.type();
    }

    private static void checkName(String name) throws NinePException {
        if (name.isEmpty() || name.equals(".") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw Errors.of(Errors.BAD_NAME, "'" + name + "' (names are non-empty, not '.', without '/' or NUL)");
        }
    }

    private Ropen open(Topen o) throws NinePException {
        Fid f = fids.get(o.fid());
        if (f.isOpen()) {
            throw Errors.of(Errors.FILE_ALREADY_OPEN);
        }
        checkMode(o.mode(), f.entry.qid().isDirectory());
        OpenFile file = notNull(f.entry.open(o.mode()), "open");
        f.opened(file, o.mode());
        return new Ropen(o.tag(), file.entry().qid(), iounit(file));
    }

    private Rcreate create(Tcreate c) throws NinePException {
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
        OpenFile file = notNull(f.entry.create(c.name(), c.perm(), c.mode()), "create");
        f.opened(file, c.mode());
        return new Rcreate(c.tag(), file.entry().qid(), iounit(file));
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
        if (f.entry.qid().isDirectory()) {
            return done(new Rread(r.tag(), directoryRead(f, r.offset(), count)));
        }
        int tag = r.tag();
        return map(notNull(f.open.read(r.offset(), count), "read"), data -> {
            byte[] d = notNull(data, "read");
            return new Rread(tag, d.length <= count ? d : java.util.Arrays.copyOf(d, count));
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

    private Rclunk clunk(Tclunk c) throws NinePException {
        release(fids.remove(c.fid()));
        return new Rclunk(c.tag());
    }

    /** remove(5): the fid is clunked even when the remove fails; the remove's error is the one reported. */
    private Rremove remove(Tremove r) throws NinePException {
        Fid f = fids.remove(r.fid());
        try {
            f.entry.remove();
        } catch (NinePException | RuntimeException e) {
            releaseQuietly(f);
            throw e;
        }
        f.mode &= ~Message.ORCLOSE; // already gone
        release(f);
        return new Rremove(r.tag());
    }

    private Rwstat wstat(Twstat w) throws NinePException {
        fids.get(w.fid()).entry.wstat(w.stat());
        return new Rwstat(w.tag());
    }

    /** Ends a fid that has left the table: the open file's clunk, then ORCLOSE's remove. */
    static void release(Fid f) throws NinePException {
        if (!f.isOpen()) {
            return;
        }
        try {
            f.open.clunk();
        } finally {
            if ((f.mode & Message.ORCLOSE) != 0) {
                f.entry.remove();
            }
        }
    }

    static void releaseQuietly(Fid f) {
        try {
            release(f);
        } catch (NinePException | RuntimeException e) {
            ServerConnection.LOG.debug("clunk of fid {} on reset/close: {}", Integer.toUnsignedString(f.number),
                    e.toString());
        }
    }

    private static <V> V notNull(V v, String what) {
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
            return done(fn.apply(source.join()));
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
