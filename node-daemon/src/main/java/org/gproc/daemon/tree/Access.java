package org.gproc.daemon.tree;

import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Stat;

/** Open-mode checks against a file's owner permission bits (only owners and admins ever reach a file). */
final class Access {

    private Access() {
    }

    static void check(String name, int perm, int mode) throws NinePException {
        int rw = mode & 3;
        boolean read = rw == Message.OREAD || rw == Message.ORDWR;
        boolean write = rw == Message.OWRITE || rw == Message.ORDWR || (mode & Message.OTRUNC) != 0;
        boolean exec = rw == Message.OEXEC;
        boolean directory = (perm & Stat.DMDIR) != 0;
        if (directory && (write || exec || (mode & Message.ORCLOSE) != 0)) {
            throw denied(name, mode, perm, "a directory opens for reading only");
        }
        if ((read && (perm & 0400) == 0) || (write && (perm & 0200) == 0) || (exec && (perm & 0100) == 0)) {
            throw denied(name, mode, perm, null);
        }
        if ((mode & Message.ORCLOSE) != 0) {
            throw denied(name, mode, perm, "remove-on-close is only for files in fs/");
        }
    }

    static NinePException denied(String name, int mode, int perm, String why) {
        return new NinePException("open '" + name + "' for " + modeName(mode) + ": permission denied (mode 0"
                + Integer.toOctalString(perm & 0777) + (why == null ? "" : "; " + why) + ")");
    }

    static String modeName(int mode) {
        String base = switch (mode & 3) {
            case Message.OREAD -> "reading";
            case Message.OWRITE -> "writing";
            case Message.ORDWR -> "reading and writing";
            default -> "execution";
        };
        return base + ((mode & Message.OTRUNC) != 0 ? " with truncation" : "");
    }
}
