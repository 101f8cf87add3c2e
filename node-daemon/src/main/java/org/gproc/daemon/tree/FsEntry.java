package org.gproc.daemon.tree;

import org.gproc.daemon.session.Session;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.Stat;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.OpenFile;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A real file or directory inside a session's {@code fs/} (xcpu2 style: clients create files and directories here
 * and write them; processes run with {@code fs/} as their default working directory). Only regular files and
 * directories are served, never symbolic links or devices, and names are single path elements, so a walk cannot
 * leave {@code fs/}; a file opened must have come from the session ({@link Provenance}), so a hard link cannot
 * bring an outside file in either.
 */
final class FsEntry implements FileEntry {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final XcpuTree.View view;
    private final Session session;
    private final Path rel; // relative to fs/; empty for fs/ itself
    private final Qid qid;

    private FsEntry(XcpuTree.View view, Session session, Path rel, Qid qid) {
        this.view = view;
        this.session = session;
        this.rel = rel;
        this.qid = qid;
    }

    static FsEntry root(XcpuTree.View view, Session session) {
        return new FsEntry(view, session, Path.of(""), Qids.synthetic(FileType.FS, session.id(), session.incarnation()));
    }

    private boolean isRoot() {
        return rel.toString().isEmpty();
    }

    private Path path() throws NinePException {
        return inside(rel);
    }

    /**
     * fs/ + {@code relative}, refusing it if any directory on the way is not a real directory: NOFOLLOW_LINKS guards
     * only the last name, and the session's process can swap a directory a client walked earlier for a symbolic link.
     */
    private Path inside(Path relative) throws NinePException {
        Path root = session.fsRoot();
        if (relative.toString().isEmpty()) {
            return root;
        }
        Path p = root;
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            p = p.resolve(relative.getName(i));
            if (!Files.isDirectory(p, NOFOLLOW)) {
                throw new NinePException("'" + session.id() + "/fs/" + root.relativize(p)
                        + "' is no longer a directory (not served over 9P)");
            }
        }
        return root.resolve(relative);
    }

    private String display() {
        return session.id() + "/fs" + (isRoot() ? "" : "/" + rel);
    }

    private FsEntry child(String name) throws NinePException {
        Path childRel = isRoot() ? Path.of(name) : rel.resolve(name);
        Map<String, Object> attrs = attributes(inside(childRel), session.id() + "/fs/" + childRel);
        return new FsEntry(view, session, childRel, qidOf(attrs));
    }

    private Qid qidOf(Map<String, Object> attrs) {
        boolean dir = (Boolean) attrs.get("isDirectory");
        int version = (int) (((FileTime) attrs.get("lastModifiedTime")).toMillis() ^ (Long) attrs.get("size"));
        return Qids.fsFile(dir, session.id(), (Long) attrs.get("ino"), version);
    }

    private static Map<String, Object> attributes(Path path, String display) throws NinePException {
        Map<String, Object> attrs;
        try {
            attrs = Files.readAttributes(path, "unix:ino,mode,size,lastModifiedTime,lastAccessTime,isDirectory,"
                    + "isRegularFile", NOFOLLOW);
        } catch (NoSuchFileException e) {
            throw new NinePException("'" + display + "' does not exist");
        } catch (IOException e) {
            throw new NinePException("'" + display + "': " + e.getMessage(), e);
        }
        if (!(Boolean) attrs.get("isDirectory") && !(Boolean) attrs.get("isRegularFile")) {
            throw new NinePException("'" + display + "' is not a regular file or directory (not served over 9P)");
        }
        return attrs;
    }

    @Override
    public Qid qid() {
        return qid;
    }

    @Override
    public Stat stat() throws NinePException {
        session.checkFsServed();
        Map<String, Object> attrs = attributes(path(), display());
        boolean dir = (Boolean) attrs.get("isDirectory");
        int mode = ((Integer) attrs.get("mode") & 0777) | (dir ? Stat.DMDIR : 0);
        int mtime = (int) (((FileTime) attrs.get("lastModifiedTime")).toMillis() / 1000);
        int atime = (int) (((FileTime) attrs.get("lastAccessTime")).toMillis() / 1000);
        String name = isRoot() ? "fs" : rel.getFileName().toString();
        String owner = session.owner();
        Qid current = isRoot() ? qid : qidOf(attrs);
        return new Stat(0, 0, current, mode, atime, mtime, dir ? 0 : (Long) attrs.get("size"), name, owner, owner,
                owner);
    }

    @Override
    public FileEntry walk(String name) throws NinePException {
        session.checkFsServed();
        checkName(name);
        return child(name);
    }

    @Override
    public FileEntry parent() {
        if (isRoot()) {
            return new SynthEntry(view, FileType.SESSION, session);
        }
        Path up = rel.getParent();
        if (up == null) {
            return root(view, session);
        }
        try {
            return new FsEntry(view, session, up, qidOf(attributes(inside(up), display())));
        } catch (NinePException | RuntimeException goneMeanwhile) {
            return root(view, session);
        }
    }

    @Override
    public List<Stat> list() throws NinePException {
        session.checkFsServed();
        List<Stat> stats = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(path())) {
            for (Path p : dir) {
                try {
                    stats.add(child(p.getFileName().toString()).stat());
                } catch (NinePException notServed) {
                    // symbolic links, devices and files removed meanwhile are not listed
                }
            }
        } catch (IOException e) {
            throw new NinePException("read '" + display() + "': " + e.getMessage(), e);
        }
        return stats;
    }

    @Override
    public OpenFile open(int mode) throws NinePException {
        Stat stat = stat();
        if (stat.isDirectory()) {
            Access.check(display(), stat.mode(), mode);
            return new DirectoryFile(this, session);
        }
        Provenance.check(view.node(), session, path(), display());
        if (((mode & 3) == Message.OWRITE || (mode & 3) == Message.ORDWR || (mode & Message.OTRUNC) != 0)
                && sharedBlob(path())) {
            throw new NinePException("open '" + display() + "' for writing: it is a blob hard-linked from cache/,"
                    + " shared and read-only (link it with a writable mode to get a private copy)");
        }
        return FsFile.open(this, session, path(), mode, view.node().limits().maxPushBytes());
    }

    /**
     * A regular file with more than one link is a cache blob (read-only links are hard links): writing, truncating or
     * chmod-ing it would change the blob for every session and every later push of that hash.
     */
    static boolean sharedBlob(Path path) throws NinePException {
        try {
            return Files.isRegularFile(path, NOFOLLOW)
                    && (Integer) Files.getAttribute(path, "unix:nlink", NOFOLLOW) > 1;
        } catch (IOException e) {
            throw new NinePException("'" + path.getFileName() + "': " + e.getMessage(), e);
        }
    }

    @Override
    public OpenFile create(String name, int perm, int mode) throws NinePException {
        session.checkFsServed();
        checkName(name);
        if (!stat().isDirectory()) {
            throw new NinePException("create '" + name + "': '" + display() + "' is not a directory");
        }
        Path target = path().resolve(name);
        try {
            if ((perm & Stat.DMDIR) != 0) {
                Files.createDirectory(target);
                Files.setPosixFilePermissions(target, permissions(perm));
                return new DirectoryFile(child(name), session);
            }
            return FsFile.create(this, name, session, target, perm, mode, view.node().limits().maxPushBytes());
        } catch (NinePException e) {
            throw e;
        } catch (FileAlreadyExistsException e) {
            throw new NinePException("create '" + display() + "/" + name + "': file exists");
        } catch (IOException e) {
            throw new NinePException("create '" + display() + "/" + name + "': " + e.getMessage(), e);
        }
    }

    /** The entry of a file just created in this directory (for {@link OpenFile#entry()}). */
    FsEntry created(String name) throws NinePException {
        return child(name);
    }

    @Override
    public void remove() throws NinePException {
        session.checkFsServed();
        if (isRoot()) {
            throw new NinePException("remove '" + display() + "': permission denied (wipe the session instead)");
        }
        try {
            Path path = path();
            long freed = Files.isRegularFile(path, NOFOLLOW) && !sharedBlob(path) ? Files.size(path) : 0;
            Files.delete(path);
            session.refund(freed);
        } catch (DirectoryNotEmptyException e) {
            throw new NinePException("remove '" + display() + "': directory not empty");
        } catch (NoSuchFileException e) {
            throw new NinePException("remove '" + display() + "': file does not exist");
        } catch (IOException e) {
            throw new NinePException("remove '" + display() + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void wstat(Stat changes) throws NinePException {
        Stat current = stat();
        if (isRoot()) {
            throw new NinePException("wstat '" + display() + "': permission denied");
        }
        Path path = path();
        boolean changesContent = (changes.mode() != -1 && (changes.mode() & 0777) != (current.mode() & 0777))
                || changes.length() != -1;
        if (changesContent && sharedBlob(path)) {
            throw new NinePException("wstat '" + display() + "': it is a blob hard-linked from cache/, shared and"
                    + " read-only (its mode and length cannot change)");
        }
        try {
            if (changes.mode() != -1) {
                if ((changes.mode() & Stat.DMDIR) != (current.mode() & Stat.DMDIR)) {
                    throw new NinePException("wstat '" + display() + "': cannot change a file into a directory or back");
                }
                Files.setPosixFilePermissions(path, permissions(changes.mode()));
            }
            if (changes.length() != -1) {
                if (current.isDirectory()) {
                    throw new NinePException("wstat '" + display() + "': a directory has no length to set");
                }
                FsFile.setLength(session, path, changes.length(), view.node().limits().maxPushBytes(), display());
            }
            if (changes.mtime() != -1) {
                Files.setLastModifiedTime(path, FileTime.fromMillis(Integer.toUnsignedLong(changes.mtime()) * 1000));
            }
            if (!changes.name().isEmpty() && !changes.name().equals(current.name())) {
                checkName(changes.name());
                Files.move(path, path.resolveSibling(changes.name()));
            }
        } catch (NinePException e) {
            throw e;
        } catch (FileAlreadyExistsException e) {
            throw new NinePException("wstat '" + display() + "': '" + changes.name() + "' already exists");
        } catch (IOException e) {
            throw new NinePException("wstat '" + display() + "': " + e.getMessage(), e);
        }
    }

    static void checkName(String name) throws NinePException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0 || name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new NinePException("fs: bad file name '" + name.replace("\0", "\\0")
                    + "' (one path element of at most 255 bytes, no '/' or NUL, not '.' or '..')");
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    static OpenOption[] options(int mode, boolean create) {
        List<OpenOption> options = new ArrayList<>(List.of(LinkOption.NOFOLLOW_LINKS));
        switch (mode & 3) {
            case 1 -> options.add(StandardOpenOption.WRITE);
            case 2 -> {
                options.add(StandardOpenOption.READ);
                options.add(StandardOpenOption.WRITE);
            }
            default -> options.add(StandardOpenOption.READ);
        }
        if (create) {
            options.add(StandardOpenOption.CREATE_NEW);
        } else if ((mode & Message.OTRUNC) != 0) {
            if (!options.contains(StandardOpenOption.WRITE)) {
                options.add(StandardOpenOption.WRITE);
            }
            options.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        return options.toArray(OpenOption[]::new);
    }

    static FileChannel channel(Path path, int mode, boolean create) throws IOException {
        return FileChannel.open(path, options(mode, create));
    }

    @Override
    public String toString() {
        return "/" + display();
    }
}
