package org.gproc.daemon.tree;

import org.gproc.daemon.proc.BlobCache;
import org.gproc.daemon.session.StateQuota;
import org.gproc.daemon.session.VirtualNode;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.Stat;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.OpenFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code cache/} and its blobs. A blob is pushed by create + writes + clunk; the clunk verifies the sha256 and
 * publishes it atomically, or fails naming both hashes and publishes nothing. Blobs are walked and stat'ed (to learn
 * what need not be sent), read, and linked into sessions with ctl {@code link}; they are never written in place or
 * removed over 9P (the cache evicts unreferenced blobs under its quota).
 */
final class CacheEntry implements FileEntry {
    private final XcpuTree.View view;
    private final String hash; // null for cache/ itself

    CacheEntry(XcpuTree.View view, String hash) {
        this.view = view;
        this.hash = hash;
    }

    @Override
    public Qid qid() {
        return hash == null ? Qids.synthetic(FileType.CACHE, 0, 0) : Qids.blob(hash);
    }

    @Override
    public Stat stat() throws NinePException {
        int time = (int) view.node().started().getEpochSecond();
        String owner = XcpuTree.NODE_OWNER;
        if (hash == null) {
            return new Stat(0, 0, qid(), FileType.CACHE.perm, time, time, 0, "cache", owner, owner, owner);
        }
        BlobCache cache = view.node().cache();
        long length = cache.contains(hash) ? cache.size(hash) : 0;
        return new Stat(0, 0, qid(), FileType.BLOB.perm, time, time, length, hash, owner, owner, owner);
    }

    @Override
    public FileEntry walk(String name) throws NinePException {
        if (hash != null) {
            throw new NinePException("walk: cache/" + hash + " is not a directory");
        }
        BlobCache.checkName(name);
        if (!view.node().cache().contains(name)) {
            throw new NinePException("cache/" + name + " does not exist");
        }
        return new CacheEntry(view, name);
    }

    @Override
    public FileEntry parent() {
        return hash == null ? new SynthEntry(view, FileType.ROOT, null) : new CacheEntry(view, null);
    }

    @Override
    public List<Stat> list() throws NinePException {
        List<Stat> stats = new ArrayList<>();
        for (String blob : view.node().cache().list()) {
            stats.add(new CacheEntry(view, blob).stat());
        }
        return stats;
    }

    @Override
    public OpenFile open(int mode) throws NinePException {
        if (hash != null) {
            Access.check(hash, FileType.BLOB.perm, mode);
            Path file = view.node().cache().file(hash);
            if (file == null) {
                throw new NinePException("cache/" + hash + " does not exist (evicted)");
            }
            return FsFile.blob(this, file);
        }
        Access.check("cache", FileType.CACHE.perm, mode);
        return new DirectoryFile(this, null);
    }

    @Override
    public OpenFile create(String name, int perm, int mode) throws NinePException {
        if (hash != null) {
            throw new NinePException("create '" + name + "': cache/" + hash + " is not a directory");
        }
        if ((perm & Stat.DMDIR) != 0) {
            throw new NinePException("create cache/" + name + ": cache/ holds blobs only, not directories");
        }
        BlobCache.checkName(name);
        BlobCache.Upload upload = view.node().cache().begin(name, view.node().limits().maxPushBytes());
        return new Upload(new CacheEntry(view, name), upload);
    }

    @Override
    public void remove() throws NinePException {
        throw new NinePException("remove cache/" + (hash == null ? "" : hash)
                + ": permission denied (the cache evicts unreferenced blobs itself)");
    }

    @Override
    public String toString() {
        return "/cache" + (hash == null ? "" : "/" + hash);
    }

    /** One push in progress: writes go to the upload; the clunk verifies and publishes. */
    private static final class Upload implements OpenFile {
        private final CacheEntry entry;
        private final BlobCache.Upload upload;
        private boolean clunked;
        private long charged; // bytes counted against the state quota while the push is in progress
        private long end;

        Upload(CacheEntry entry, BlobCache.Upload upload) {
            this.entry = entry;
            this.upload = upload;
        }

        @Override
        public FileEntry entry() {
            return entry;
        }

        @Override
        public CompletableFuture<byte[]> read(long offset, int count) {
            return CompletableFuture.failedFuture(new NinePException("read " + entry + ": a push is write-only"));
        }

        @Override
        public CompletableFuture<Integer> write(long offset, byte[] data) {
            try {
                chargeUpTo(offset + data.length);
                upload.write(offset, data);
                return CompletableFuture.completedFuture(data.length);
            } catch (NinePException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        /** Counts the push's new end against the state quota; past it, the partial blob is removed at once. */
        private synchronized void chargeUpTo(long newEnd) throws NinePException {
            if (newEnd <= end) {
                return;
            }
            StateQuota quota = entry.view.node().services().quota();
            try {
                quota.charge(entry.view.principal(), newEnd - end, "write " + entry);
            } catch (NinePException over) {
                upload.abort();
                refund();
                throw over;
            }
            charged += newEnd - end;
            end = newEnd;
        }

        private synchronized void refund() {
            entry.view.node().services().quota().refund(entry.view.principal(), charged);
            charged = 0;
        }

        @Override
        public void clunk() throws NinePException {
            synchronized (this) {
                if (clunked) {
                    return;
                }
                clunked = true;
            }
            try {
                upload.commit();
            } catch (NinePException | RuntimeException e) {
                upload.abort();
                throw e;
            } finally {
                refund(); // a published blob counts against --cache-quota, not the state quota
            }
            // The commit just verified the content: exec in each session that links it need not read it again.
            try {
                VirtualNode node = entry.view.node();
                node.services().hashes().remember(node.cache().file(entry.hash), entry.hash);
            } catch (NinePException noCache) {
                // nothing remembered: exec reads the file instead
            }
        }
    }
}
