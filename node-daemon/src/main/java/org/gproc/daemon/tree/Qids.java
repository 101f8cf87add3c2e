package org.gproc.daemon.tree;

import org.gproc.transport.ninep.Qid;

/**
 * qid.path layout (Plan 9 devproc's QSHIFT idea): the top byte is the {@link FileType}; below it, for session
 * files the session number; for files inside {@code fs/} the low 24 bits of the session and the low 32 bits of the
 * inode; for blobs the first 56 bits of the hash. qid.vers carries the session's incarnation, so a handle on a
 * session that is gone (and whose number could come back after a restart) never matches a new one.
 */
final class Qids {

    private Qids() {
    }

    static Qid synthetic(FileType type, int session, int version) {
        return new Qid(type.isDirectory() ? Qid.QTDIR : Qid.QTFILE, version,
                ((long) type.ordinal() << 56) | (session & 0xFFFFFFFFL));
    }

    static Qid fsFile(boolean directory, int session, long inode, int version) {
        return new Qid(directory ? Qid.QTDIR : Qid.QTFILE, version, ((long) FileType.FS_FILE.ordinal() << 56)
                | ((session & 0xFFFFFFL) << 32) | (inode & 0xFFFFFFFFL));
    }

    static Qid blob(String sha256Hex) {
        return new Qid(Qid.QTFILE, 0, ((long) FileType.BLOB.ordinal() << 56)
                | Long.parseUnsignedLong(sha256Hex.substring(0, 14), 16));
    }

    static FileType typeOf(Qid qid) {
        return FileType.values()[(int) (qid.path() >>> 56)];
    }
}
