package org.gproc.daemon.tree;

import org.gproc.daemon.session.Session;
import org.gproc.daemon.session.SessionTable;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.Stat;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.OpenFile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A generated file: the root, a node file, a session directory or one of its files ({@code gen} in Plan 9 terms).
 * Cheap and immutable; made afresh on every walk. A session entry whose session was wiped or reaped is stale:
 * every method but {@link #qid()} and {@link #parent()} then fails.
 */
final class SynthEntry implements FileEntry {
    private final XcpuTree.View view;
    private final FileType type;
    private final Session session;

    SynthEntry(XcpuTree.View view, FileType type, Session session) {
        this.view = view;
        this.type = type;
        this.session = session;
    }

    XcpuTree.View view() {
        return view;
    }

    FileType type() {
        return type;
    }

    Session session() {
        return session;
    }

    String name() {
        return type == FileType.SESSION ? Integer.toString(session.id()) : type.fixedName;
    }

    @Override
    public Qid qid() {
        return session == null ? Qids.synthetic(type, 0, 0) : Qids.synthetic(type, session.id(), session.incarnation());
    }

    @Override
    public Stat stat() throws NinePException {
        checkLive();
        String owner = session == null ? XcpuTree.NODE_OWNER : session.owner();
        int time = (int) (session == null ? view.node().started() : session.created()).getEpochSecond();
        return new Stat(0, 0, qid(), type.perm, time, time, length(), name(), owner, owner, owner);
    }

    private long length() {
        return switch (type) {
            case ARGV -> session.argvBytes().length;
            case ENV -> session.envBytes().length;
            case ID -> session.jobId().getBytes(StandardCharsets.UTF_8).length;
            case STDOUT -> session.spoolSize(Session.Stream.STDOUT);
            case STDERR -> session.spoolSize(Session.Stream.STDERR);
            default -> 0;
        };
    }

    @Override
    public FileEntry walk(String name) throws NinePException {
        checkLive();
        if (type == FileType.ROOT) {
            FileType t = FileType.lookup(FileType.ROOT_TAB, name);
            if (t == FileType.CACHE) {
                return new CacheEntry(view, null);
            }
            if (t != null) {
                return new SynthEntry(view, t, null);
            }
            int id = SessionTable.parseId(name);
            Session s = id < 0 ? null : view.node().sessions().visible(id, view.principal());
            if (s == null) {
                if (id >= 0 && view.node().sessions().exists(id)) {
                    view.node().audit("access").field("session", id).field("principal", view.principal())
                            .refused("session " + id + " belongs to another principal").log();
                }
                throw new NinePException("'" + name + "' does not exist (or belongs to another principal)");
            }
            return new SynthEntry(view, FileType.SESSION, s);
        }
        if (type == FileType.SESSION) {
            FileType t = FileType.lookup(FileType.SESSION_TAB, name);
            if (t == FileType.FS) {
                session.checkFsServed();
                return FsEntry.root(view, session);
            }
            if (t != null) {
                return new SynthEntry(view, t, session);
            }
            throw new NinePException("'" + name + "' does not exist in session " + session.id());
        }
        throw new NinePException("walk: '" + name() + "' is not a directory");
    }

    @Override
    public FileEntry parent() {
        if (type == FileType.ROOT || type == FileType.SESSION || session == null) {
            return new SynthEntry(view, FileType.ROOT, null);
        }
        return new SynthEntry(view, FileType.SESSION, session);
    }

    @Override
    public List<Stat> list() throws NinePException {
        checkLive();
        List<Stat> stats = new ArrayList<>();
        if (type == FileType.ROOT) {
            for (FileType t : FileType.ROOT_TAB) {
                stats.add(t == FileType.CACHE ? new CacheEntry(view, null).stat() : new SynthEntry(view, t, null).stat());
            }
            for (Session s : view.node().sessions().visibleTo(view.principal())) {
                if (s.isLive()) {
                    stats.add(new SynthEntry(view, FileType.SESSION, s).stat());
                }
            }
        } else if (type == FileType.SESSION) {
            for (FileType t : FileType.SESSION_TAB) {
                stats.add(t == FileType.FS ? FsEntry.root(view, session).stat() : new SynthEntry(view, t, session).stat());
            }
        } else {
            throw new NinePException("'" + name() + "' is not a directory");
        }
        return stats;
    }

    @Override
    public OpenFile open(int mode) throws NinePException {
        checkLive();
        Access.check(name(), type.perm, mode);
        if (type.isDirectory()) {
            return new DirectoryFile(this);
        }
        return session == null ? NodeFiles.open(this, mode) : SessionFiles.open(this, mode);
    }

    @Override
    public OpenFile create(String name, int perm, int mode) throws NinePException {
        checkLive();
        throw new NinePException("create '" + name + "': permission denied in " + (type == FileType.ROOT ? "/"
                : name() + " (files are created in fs/ and cache/ only)"));
    }

    @Override
    public void remove() throws NinePException {
        checkLive();
        throw new NinePException("remove '" + name() + "': permission denied"
                + (session != null ? " (write 'wipe' to ctl to remove a session)" : ""));
    }

    void checkLive() throws NinePException {
        if (session != null) {
            session.checkLive();
        }
    }

    @Override
    public String toString() {
        return session == null ? "/" + (type == FileType.ROOT ? "" : name())
                : "/" + session.id() + (type == FileType.SESSION ? "" : "/" + name());
    }
}
