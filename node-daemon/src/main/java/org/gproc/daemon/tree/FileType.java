package org.gproc.daemon.tree;

import org.gproc.transport.ninep.Stat;

/**
 * Every kind of file in the tree (Plan 9 devproc's Qxxx constants). The ordinal is the high byte of qid.path, so the
 * type can be recovered from a qid; {@code perm} is the 9P mode shown in stats (owner bits are the ones checked,
 * because only the owner and admins ever reach a session's files).
 */
enum FileType {
    ROOT("/", Stat.DMDIR | 0555),
    CLONE("clone", 0666),
    ARCH("arch", 0444),
    UNAME("uname", 0444),
    NODE_ENV("env", 0644),
    PROCS("procs", 0444),
    STATE("state", 0444),
    NODE_CTL("ctl", 0666),
    CACHE("cache", Stat.DMDIR | 0777),
    BLOB(null, 0444),
    SESSION(null, Stat.DMDIR | 0700),
    CTL("ctl", 0600),
    ARGV("argv", 0600),
    ENV("env", 0600),
    FS("fs", Stat.DMDIR | 0700),
    STDIN("stdin", 0200),
    STDOUT("stdout", 0400),
    STDERR("stderr", 0400),
    WAIT("wait", 0400),
    ID("id", 0400),
    FS_FILE(null, 0);

    /** The root directory's table (Plan 9 Dirtab), in listing order; sessions follow it. */
    static final FileType[] ROOT_TAB = {CLONE, ARCH, UNAME, NODE_ENV, PROCS, STATE, NODE_CTL, CACHE};

    /** A session directory's table, in listing order. */
    static final FileType[] SESSION_TAB = {CTL, ARGV, ENV, FS, STDIN, STDOUT, STDERR, WAIT, ID};

    final String fixedName;
    final int perm;

    FileType(String fixedName, int perm) {
        this.fixedName = fixedName;
        this.perm = perm;
    }

    boolean isDirectory() {
        return (perm & Stat.DMDIR) != 0;
    }

    static FileType lookup(FileType[] table, String name) {
        for (FileType t : table) {
            if (t.fixedName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
