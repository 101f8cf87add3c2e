package org.gproc.daemon.relay;

import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.Stat;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.OpenFile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file of child NAME's tree, reached through {@code /n/NAME/}: one fid on the child connection, owned by exactly
 * one relay fid (the fid map is this one-to-one ownership). Every operation is forwarded as the same 9P request on
 * that fid and answered when the child replies. A walk forwards all its names that stay inside the child's tree in
 * one Twalk; a ".." out of the child's root comes back to {@code /n}.
 *
 * <p>Qids are the child's with the path mixed with the child's name, so files of different children (and of the
 * relay itself) never share a qid.
 */
final class RemoteEntry implements FileEntry {
    private final ChildLink link;
    private final NinePClient client;
    private final Fid fid;
    private final List<String> path; // from the child's root
    private final FileEntry mount;   // /n, where ".." from the child's root goes
    private final AtomicBoolean ended = new AtomicBoolean(); // the child fid is clunked, removed or handed on

    RemoteEntry(ChildLink link, NinePClient client, Fid fid, List<String> path, FileEntry mount) {
        this.link = link;
        this.client = client;
        this.fid = fid;
        this.path = List.copyOf(path);
        this.mount = mount;
    }

    /** The Walked answer for a Twalk of {@code names} from {@code from} at {@code path}, forwarded as one request. */
    static CompletableFuture<Walked> forward(ChildLink link, NinePClient client, Fid from, List<String> path,
                                             List<String> names, FileEntry mount) {
        int n = forwardable(path.size(), names);
        if (n == 0 && !names.isEmpty()) { // ".." at the child's root
            return CompletableFuture.completedFuture(new Walked(List.of(mount.qid()), mount));
        }
        List<String> sent = List.copyOf(names.subList(0, n));
        return link.relayed(client.walkPart(from, sent)).thenApply(r -> {
            List<Qid> qids = r.qids().stream().map(q -> link.mix(q)).toList();
            if (r.fid() == null) {
                return new Walked(qids, null);
            }
            return new Walked(qids, new RemoteEntry(link, client, r.fid(), walkPath(path, sent), mount));
        });
    }

    /** How many of {@code names} stay inside the child's tree from {@code depth} names below its root. */
    static int forwardable(int depth, List<String> names) {
        int n = 0;
        for (String name : names) {
            if (name.equals("..")) {
                if (depth == 0) {
                    break;
                }
                depth--;
            } else {
                depth++;
            }
            n++;
        }
        return n;
    }

    private static List<String> walkPath(List<String> path, List<String> names) {
        List<String> p = new ArrayList<>(path);
        for (String name : names) {
            if (name.equals("..")) {
                p.remove(p.size() - 1);
            } else {
                p.add(name);
            }
        }
        return p;
    }

    List<String> path() {
        return path;
    }

    @Override
    public Qid qid() {
        return link.mix(fid.qid());
    }

    @Override
    public CompletableFuture<Walked> walkAsync(List<String> names) {
        return forward(link, client, fid, path, names, mount);
    }

    @Override
    public CompletableFuture<Stat> statAsync() {
        return link.relayed(client.stat(fid)).thenApply(st -> new Stat(st.type(), st.dev(), link.mix(st.qid()), st.mode(),
                st.atime(), st.mtime(), st.length(), st.name(), st.uid(), st.gid(), st.muid()));
    }

    @Override
    public CompletableFuture<OpenFile> openAsync(int mode) {
        return link.relayed(client.open(fid, mode)).thenApply(f -> new RemoteFile(this));
    }

    @Override
    public CompletableFuture<OpenFile> createAsync(String name, int perm, int mode) {
        return link.relayed(client.create(fid, name, perm, mode)).thenApply(f -> {
            ended.set(true); // the child fid now stands for the new file, which owns it
            List<String> p = new ArrayList<>(path);
            p.add(name);
            return new RemoteFile(new RemoteEntry(link, client, fid, p, mount));
        });
    }

    @Override
    public CompletableFuture<Void> removeAsync() {
        if (!ended.compareAndSet(false, true)) {
            return CompletableFuture.failedFuture(new NinePException("remove: the file is already gone"));
        }
        return link.relayed(client.remove(fid));
    }

    @Override
    public CompletableFuture<Void> wstatAsync(Stat changes) {
        return link.relayed(client.wstat(fid, changes));
    }

    @Override
    public void forget() {
        if (ended.compareAndSet(false, true)) {
            client.clunk(fid); // the child's answer changes nothing for the relay
        }
    }

    private CompletableFuture<Void> clunkOpened() {
        return ended.compareAndSet(false, true) ? link.relayed(client.clunk(fid))
                : CompletableFuture.completedFuture(null);
    }

    // The synchronous methods are never called: the core uses the Async ones, which this entry answers later.

    @Override
    public Stat stat() throws NinePException {
        throw notHere("stat");
    }

    @Override
    public FileEntry walk(String name) throws NinePException {
        throw notHere("walk");
    }

    @Override
    public FileEntry parent() {
        return mount;
    }

    @Override
    public List<Stat> list() throws NinePException {
        throw notHere("list");
    }

    @Override
    public OpenFile open(int mode) throws NinePException {
        throw notHere("open");
    }

    @Override
    public OpenFile create(String name, int perm, int mode) throws NinePException {
        throw notHere("create");
    }

    @Override
    public void remove() throws NinePException {
        throw notHere("remove");
    }

    private NinePException notHere(String what) {
        return new NinePException(what + ": /n/" + link.name() + "/" + String.join("/", path)
                + " is answered by the child only");
    }

    @Override
    public String toString() {
        return "/n/" + link.name() + "/" + String.join("/", path);
    }

    /** The open child fid: reads and writes go straight to the child; a ctl write first feeds it its blobs. */
    private static final class RemoteFile implements OpenFile {
        private final RemoteEntry entry;

        RemoteFile(RemoteEntry entry) {
            this.entry = entry;
        }

        @Override
        public FileEntry entry() {
            return entry;
        }

        @Override
        public int iounit() {
            return entry.fid.iounit();
        }

        @Override
        public CompletableFuture<byte[]> read(long offset, int count) {
            return entry.link.relayed(entry.client.read(entry.fid, offset, count));
        }

        @Override
        public CompletableFuture<Integer> write(long offset, byte[] data) {
            byte[] part = data.length <= entry.fid.iounit() ? data : Arrays.copyOf(data, entry.fid.iounit());
            return entry.link.feeder().beforeWrite(entry.path, part)
                    .thenCompose(v -> entry.link.relayed(entry.client.write(entry.fid, offset, part)));
        }

        @Override
        public void clunk() {
            entry.clunkOpened();
        }

        @Override
        public CompletableFuture<Void> clunkAsync(boolean removeAfter) {
            return entry.clunkOpened(); // the child was given the open mode, ORCLOSE included
        }

        @Override
        public boolean readsDirectoryItself() {
            return true;
        }
    }
}
