package org.gproc.bench;

import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.Stat;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.FileTree;
import org.gproc.transport.ninep.server.OpenFile;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The smallest tree that exercises the 9P server core and nothing else: {@code /sink} takes any write at any offset
 * and keeps only a byte count (so a transfer measures the transport, not a disk), {@code /hello} holds a few bytes.
 * Everything is read-only apart from {@code sink}; nothing can be created or removed.
 */
final class BenchTree implements FileTree {
    private static final byte[] HELLO = "hello from the bench tree\n".getBytes(StandardCharsets.US_ASCII);
    private static final int TIME = (int) (System.currentTimeMillis() / 1000);

    private final AtomicLong bytesWritten = new AtomicLong();

    long bytesWritten() {
        return bytesWritten.get();
    }

    @Override
    public FileEntry attach(String principal, String uname, String aname) throws NinePException {
        if (!aname.isEmpty() && !aname.equals("/")) {
            throw new NinePException("attach: no tree '" + aname + "' (the bench tree has only '/')");
        }
        return new Entry(Kind.ROOT, principal);
    }

    private enum Kind {
        ROOT("/", Stat.DMDIR | 0555), SINK("sink", 0222), HELLO("hello", 0444);

        final String name;
        final int mode;

        Kind(String name, int mode) {
            this.name = name;
            this.mode = mode;
        }
    }

    private final class Entry implements FileEntry {
        private final Kind kind;
        private final String owner;

        Entry(Kind kind, String owner) {
            this.kind = kind;
            this.owner = owner;
        }

        @Override
        public Qid qid() {
            return new Qid(kind == Kind.ROOT ? Qid.QTDIR : Qid.QTFILE, 0, kind.ordinal());
        }

        @Override
        public Stat stat() {
            long length = kind == Kind.HELLO ? HELLO.length : 0;
            return new Stat(0, 0, qid(), kind.mode, TIME, TIME, length, kind.name, owner, owner, owner);
        }

        @Override
        public FileEntry walk(String name) throws NinePException {
            if (kind == Kind.ROOT) {
                for (Kind k : List.of(Kind.SINK, Kind.HELLO)) {
                    if (k.name.equals(name)) {
                        return new Entry(k, owner);
                    }
                }
            }
            throw new NinePException("'" + name + "' file does not exist");
        }

        @Override
        public FileEntry parent() {
            return new Entry(Kind.ROOT, owner);
        }

        @Override
        public List<Stat> list() {
            return List.of(new Entry(Kind.SINK, owner).stat(), new Entry(Kind.HELLO, owner).stat());
        }

        @Override
        public OpenFile open(int mode) throws NinePException {
            int access = mode & 3;
            boolean writes = access == Message.OWRITE || access == Message.ORDWR;
            boolean reads = access == Message.OREAD || access == Message.ORDWR || access == Message.OEXEC;
            if ((writes && (kind.mode & 0222) == 0) || (reads && (kind.mode & 0444) == 0)) {
                throw new NinePException("open " + kind.name + ": permission denied");
            }
            return new Open(this);
        }

        @Override
        public OpenFile create(String name, int perm, int mode) throws NinePException {
            throw new NinePException("create " + name + ": permission denied (the bench tree is fixed)");
        }

        @Override
        public void remove() throws NinePException {
            throw new NinePException("remove " + kind.name + ": permission denied (the bench tree is fixed)");
        }
    }

    private final class Open implements OpenFile {
        private final Entry entry;

        Open(Entry entry) {
            this.entry = entry;
        }

        @Override
        public FileEntry entry() {
            return entry;
        }

        @Override
        public CompletableFuture<byte[]> read(long offset, int count) {
            if (entry.kind != Kind.HELLO || offset >= HELLO.length) {
                return CompletableFuture.completedFuture(new byte[0]);
            }
            int from = (int) offset;
            return CompletableFuture.completedFuture(
                    Arrays.copyOfRange(HELLO, from, Math.min(HELLO.length, from + count)));
        }

        @Override
        public CompletableFuture<Integer> write(long offset, byte[] data) {
            bytesWritten.addAndGet(data.length);
            return CompletableFuture.completedFuture(data.length);
        }

        @Override
        public void clunk() {
        }
    }
}
