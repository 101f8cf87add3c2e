package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.Tokens;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Where a {@code link} may put a blob: a relative path inside a session's {@code fs/}, and nowhere else. */
final class LinkTarget {

    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
    };

    private LinkTarget() {
    }

    /**
     * The absolute target for {@code path} under {@code fsRoot}, creating missing directories on the way. Refuses an
     * empty or absolute path, {@code .} and {@code ..} components, and symbolic links (on the way or at the end), and
     * a target that is a directory.
     */
    static Path resolve(Path fsRoot, String path) throws NinePException {
        String shown = Tokens.shown(String.valueOf(path));
        if (path == null || path.isEmpty()) {
            throw new NinePException("link: empty target path (a path inside the session's fs/)");
        }
        if (path.startsWith("/")) {
            throw new NinePException("link: target " + shown + " is absolute (it must be a path inside fs/)");
        }
        String[] components = path.split("/", -1);
        for (String component : components) {
            if (component.isEmpty() || component.equals(".") || component.equals("..") || component.indexOf('\0') >= 0
                    || component.length() > 255) {
                throw new NinePException("link: target " + shown + " has a bad component "
                        + Tokens.shown(component) + " (no '..', '.', empty or NUL components: it must stay in fs/)");
            }
        }
        Path root = fsRoot.toAbsolutePath().normalize();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new NinePException("link: the session's fs/ " + root + " is not a directory");
        }
        Path current = root;
        for (int i = 0; i < components.length; i++) {
            current = current.resolve(components[i]);
            String sofar = Tokens.shown(root.relativize(current).toString());
            if (Files.isSymbolicLink(current)) {
                throw new NinePException("link: target " + shown + " goes through the symbolic link " + sofar
                        + " (links may not lead out of fs/)");
            }
            boolean last = i == components.length - 1;
            if (last) {
                if (Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                    throw new NinePException("link: target " + shown + " is a directory");
                }
            } else if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(current);
                } catch (IOException e) {
                    throw new NinePException("link: cannot create directory " + sofar + ": " + e.getMessage(), e);
                }
            } else if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                throw new NinePException("link: target " + shown + " goes through " + sofar
                        + ", which is not a directory");
            }
        }
        return current;
    }

    /** A private copy of {@code blob} at {@code target} with exactly {@code mode}, replacing a file atomically. */
    static void copy(Path blob, Path target, int mode) throws IOException {
        Path temporary = target.resolveSibling(".copy-" + Long.toHexString(System.nanoTime()) + "-"
                + target.getFileName());
        try {
            Files.copy(blob, temporary);
            Files.setPosixFilePermissions(temporary, permissions(mode));
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < BITS.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(BITS[bit]);
            }
        }
        return set;
    }
}
