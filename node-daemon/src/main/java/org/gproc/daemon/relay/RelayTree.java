package org.gproc.daemon.relay;

import java.util.Arrays;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.Stat;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.FileTree;
import org.gproc.transport.ninep.server.OpenFile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A relay's tree: the node's own tree with {@code n/} beside its files (Plan 9's {@code import}: one name space
 * made of several servers). {@code n/ctl} takes {@code child} lines; {@code n/events} says which children's
 * connections closed ({@link ChildEvents}); {@code n/NAME/} is child NAME's tree as seen by the principal that
 * attached here, served by {@link RemoteEntry}.
 */
public final class RelayTree implements FileTree {
    private static final long N_DIR = 0xF0L << 56;
    private static final long N_CTL = 0xF1L << 56;
    private static final long N_CHILD = 0xF2L << 56;
    private static final long N_EVENTS = 0xF3L << 56;

    private final FileTree own;
    private final Relay relay;

    public RelayTree(FileTree own, Relay relay) {
        this.own = own;
        this.relay = relay;
    }

    public Relay relay() {
        return relay;
    }

    @Override
    public FileEntry attach(String principal, String uname, String aname) throws NinePException {
        return attach(principal, null, uname, aname);
    }

    @Override
    public FileEntry attach(String principal, String via, String uname, String aname) throws NinePException {
        FileEntry root = via == null ? own.attach(principal, uname, aname) : own.attach(principal, via, uname, aname);
        return new Root(root, principal, via);
    }

    private int time() {
        return (int) relay.node().started().getEpochSecond();
    }

    /** The node's root, plus {@code n}. */
    private final class Root implements FileEntry {
        private final FileEntry root;
        private final String principal;
        private final String via;

        Root(FileEntry root, String principal, String via) {
            this.root = root;
            this.principal = principal;
            this.via = via;
        }

        @Override
        public Qid qid() {
            return root.qid();
        }

        @Override
        public Stat stat() throws NinePException {
            return root.stat();
        }

        @Override
        public FileEntry walk(String name) throws NinePException {
            return name.equals("n") ? new NDir(this) : root.walk(name);
        }

        @Override
        public FileEntry parent() {
            return this;
        }

        @Override
        public List<Stat> list() throws NinePException {
            List<Stat> stats = new ArrayList<>(root.list());
            stats.add(new NDir(this).stat());
            return stats;
        }

        @Override
        public OpenFile open(int mode) throws NinePException {
            return new Listing(this, root.open(mode));
        }

        @Override
        public OpenFile create(String name, int perm, int mode) throws NinePException {
            return root.create(name, perm, mode);
        }

        @Override
        public void remove() throws NinePException {
            root.remove();
        }
    }

    /** {@code n/}: ctl, events and one directory per child. */
    private final class NDir implements FileEntry {
        private final Root root;

        NDir(Root root) {
            this.root = root;
        }

        @Override
        public Qid qid() {
            return new Qid(Qid.QTDIR, 0, N_DIR);
        }

        @Override
        public Stat stat() {
            return new Stat(0, 0, qid(), Stat.DMDIR | 0555, time(), time(), 0, "n", "gprocd", "gprocd", "gprocd");
        }

        @Override
        public FileEntry walk(String name) throws NinePException {
            if (name.equals("ctl")) {
                return new Ctl(this);
            }
            if (name.equals("events")) {
                return new Events(this);
            }
            throw noChild(name);
        }

        private NinePException noChild(String name) {
            return new NinePException("'/n/" + name + "' does not exist (no child " + name
                    + "; write 'child NAME HOST PORT KEYSPEC' to /n/ctl)");
        }

        @Override
        public CompletableFuture<Walked> walkAsync(List<String> names) {
            String first = names.isEmpty() ? null : names.get(0);
            if (first == null || first.equals("..") || first.equals("ctl") || first.equals("events")) {
                return FileEntry.super.walkAsync(names);
            }
            ChildLink link = relay.child(first);
            if (link == null) {
                return CompletableFuture.failedFuture(noChild(first));
            }
            List<String> rest = names.subList(1, names.size());
            return link.rootFor(root.principal).thenCompose(top -> {
                Qid topQid = link.mix(top.qid());
                if (!rest.isEmpty() && RemoteEntry.forwardable(0, rest) == 0) { // "NAME/.." is n/ again
                    return CompletableFuture.completedFuture(new Walked(List.of(topQid, qid()), this));
                }
                return RemoteEntry.forward(link, top.client(), top, List.of(), rest, this).thenApply(w -> {
                    List<Qid> qids = new ArrayList<>();
                    qids.add(topQid);
                    qids.addAll(w.qids());
                    return new Walked(qids, w.end());
                });
            });
        }

        @Override
        public FileEntry parent() {
            return root;
        }

        @Override
        public List<Stat> list() {
            List<Stat> stats = new ArrayList<>();
            stats.add(new Ctl(this).stat());
            stats.add(new Events(this).stat());
            long i = 0;
            for (ChildLink c : relay.children()) {
                stats.add(new Stat(0, 0, new Qid(Qid.QTDIR, 0, N_CHILD | i++), Stat.DMDIR | 0555, time(), time(), 0,
                        c.name(), "gprocd", "gprocd", "gprocd"));
            }
            return stats;
        }

        @Override
        public OpenFile open(int mode) throws NinePException {
            if ((mode & 3) != 0) {
                throw new NinePException("open /n: permission denied (a directory opens for reading)");
            }
            return new Listing(this, null);
        }

        @Override
        public OpenFile create(String name, int perm, int mode) throws NinePException {
            throw new NinePException("create '" + name + "' in /n: permission denied (write 'child ...' to /n/ctl)");
        }

        @Override
        public void remove() throws NinePException {
            throw new NinePException("remove /n: permission denied");
        }
    }

    /** A file of {@code n/} (ctl, events): no children, not removable. */
    private abstract class NFile implements FileEntry {
        final NDir dir;
        private final String name;
        private final long path;
        private final int perm;

        NFile(NDir dir, String name, long path, int perm) {
            this.dir = dir;
            this.name = name;
            this.path = path;
            this.perm = perm;
        }

        @Override
        public Qid qid() {
            return new Qid(Qid.QTFILE, 0, path);
        }

        @Override
        public Stat stat() {
            return new Stat(0, 0, qid(), perm, time(), time(), 0, name, "gprocd", "gprocd", "gprocd");
        }

        @Override
        public FileEntry walk(String child) throws NinePException {
            throw new NinePException("walk: /n/" + name + " is not a directory");
        }

        @Override
        public FileEntry parent() {
            return dir;
        }

        @Override
        public List<Stat> list() throws NinePException {
            throw new NinePException("/n/" + name + " is not a directory");
        }

        @Override
        public OpenFile create(String child, int perm, int mode) throws NinePException {
            throw new NinePException("create: /n/" + name + " is not a directory");
        }

        @Override
        public void remove() throws NinePException {
            throw new NinePException("remove /n/" + name + ": permission denied");
        }
    }

    /** {@code n/ctl}: reads the children and their state; takes {@code child} lines. */
    private final class Ctl extends NFile {
        Ctl(NDir dir) {
            super(dir, "ctl", N_CTL, 0666);
        }

        @Override
        public OpenFile open(int mode) {
            Ctl self = this;
            return new OpenFile() {
                @Override
                public FileEntry entry() {
                    return self;
                }

                @Override
                public CompletableFuture<byte[]> read(long offset, int count) {
                    byte[] all = relay.status().getBytes(StandardCharsets.UTF_8);
                    int from = (int) Math.min(offset, all.length);
                    return CompletableFuture.completedFuture(Arrays.copyOfRange(all, from,
                            Math.min(all.length, from + count)));
                }

                @Override
                public CompletableFuture<Integer> write(long offset, byte[] data) {
                    return relay.apply(dir.root.principal, dir.root.via, new String(data, StandardCharsets.UTF_8))
                            .thenApply(v -> data.length);
                }

                @Override
                public void clunk() {
                }
            };
        }
    }

    /** {@code n/events}: read-only; a read waits for the next child whose connection closes. */
    private final class Events extends NFile {
        Events(NDir dir) {
            super(dir, "events", N_EVENTS, 0444);
        }

        @Override
        public OpenFile open(int mode) throws NinePException {
            if ((mode & 3) != 0) {
                throw new NinePException("open /n/events: permission denied (it is read-only: it says which"
                        + " children's connections closed)");
            }
            Events self = this;
            ChildEvents.Reader reader = relay.events().open();
            return new OpenFile() {
                @Override
                public FileEntry entry() {
                    return self;
                }

                @Override
                public CompletableFuture<byte[]> read(long offset, int count) {
                    return reader.read(offset, count);
                }

                @Override
                public CompletableFuture<Integer> write(long offset, byte[] data) {
                    return CompletableFuture.failedFuture(new NinePException("write /n/events: permission denied"));
                }

                @Override
                public void clunk() {
                    reader.close();
                }
            };
        }
    }

    /** An open directory of this tree (the core packs its listing); for the root, the node's own open file inside. */
    private static final class Listing implements OpenFile {
        private final FileEntry entry;
        private final OpenFile inner;

        Listing(FileEntry entry, OpenFile inner) {
            this.entry = entry;
            this.inner = inner;
        }

        @Override
        public FileEntry entry() {
            return entry;
        }

        @Override
        public CompletableFuture<byte[]> read(long offset, int count) {
            return inner != null ? inner.read(offset, count)
                    : CompletableFuture.failedFuture(new NinePException("read: " + entry + " is a directory"));
        }

        @Override
        public CompletableFuture<Integer> write(long offset, byte[] data) {
            return CompletableFuture.failedFuture(new NinePException("write: a directory cannot be written"));
        }

        @Override
        public void clunk() throws NinePException {
            if (inner != null) {
                inner.clunk();
            }
        }
    }
}
