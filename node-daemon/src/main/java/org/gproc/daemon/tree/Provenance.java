package org.gproc.daemon.tree;

import org.gproc.daemon.proc.BlobCache;
import org.gproc.daemon.proc.LaunchSpec;
import org.gproc.daemon.session.Session;
import org.gproc.daemon.session.VirtualNode;
import org.gproc.transport.ninep.NinePException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether a regular file in a session's {@code fs/} may be served over 9P: only what the session made (created over
 * 9P, or written by its process) or a blob {@code link} placed there. A process running as the daemon's user can
 * hard-link any file that user can reach into {@code fs/} (the host key, another session's spool, the audit log), and
 * a walk would then serve it; such a file shows itself by its link count (a second name elsewhere) or its owner (a
 * uid that is neither the daemon's nor the session's). So a file with more than one link is served only when it is
 * the very inode of the blob the session's {@code link} placed at that path, and any file owned by another uid is
 * refused.
 */
final class Provenance {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int DAEMON_UID = daemonUid();

    private Provenance() {
    }

    static void check(VirtualNode node, Session session, Path path, String display) throws NinePException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(path, "unix:nlink,uid,isRegularFile", NOFOLLOW);
        } catch (IOException e) {
            throw new NinePException("'" + display + "': " + e.getMessage(), e);
        }
        if (!(Boolean) a.get("isRegularFile")) {
            return;
        }
        int uid = (Integer) a.get("uid");
        if (uid != DAEMON_UID && uid != sessionUid(node, session)) {
            throw new NinePException("'" + display + "' is owned by uid " + uid + ", neither gprocd's nor the"
                    + " session's user: it came from outside the session (not served over 9P)");
        }
        int links = (Integer) a.get("nlink");
        if (links > 1 && !linkedBlob(node.cache(), path)) {
            throw new NinePException("'" + display + "' has " + links + " links and is no blob the session linked"
                    + " from cache/: a hard link to a file from outside the session (not served over 9P)");
        }
    }

    private static boolean linkedBlob(BlobCache cache, Path path) {
        String hash = cache.linkedAt(path);
        Path blob = hash == null ? null : cache.file(hash);
        try {
            return blob != null && Files.isSameFile(blob, path);
        } catch (IOException e) {
            return false;
        }
    }

    private static int sessionUid(VirtualNode node, Session session) {
        try {
            LaunchSpec.RunAs runAs = node.services().policy().runAs(session.owner());
            return runAs == null ? DAEMON_UID : runAs.uid();
        } catch (IllegalStateException unmapped) {
            return DAEMON_UID;
        }
    }

    /** The daemon's effective uid: the owner of its own {@code /proc/self}. */
    private static int daemonUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }
}
