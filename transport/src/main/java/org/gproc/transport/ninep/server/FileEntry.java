package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.Stat;

import java.util.List;

/**
 * One file or directory as seen by one attached principal. A fid points at an entry; entries are cheap handles
 * and may be regenerated on every walk (Plan 9's devproc style): identity is the {@link Qid}.
 * A stale handle (its file is gone) answers its methods with a {@link NinePException}.
 */
public interface FileEntry {

    Qid qid();

    Stat stat() throws NinePException;

    /** The child called {@code name}; never called with "." or "..". */
    FileEntry walk(String name) throws NinePException;

    /** The parent directory; the root returns itself. */
    FileEntry parent();

    /** The directory's entries; only called on directories (the core packs them into reads). */
    List<Stat> list() throws NinePException;

    /**
     * Opens the file with a 9P open mode ({@code Message.OREAD} … plus OTRUNC/ORCLOSE). Permission checks happen
     * here. The returned file's {@link OpenFile#entry()} may differ from this entry (Plan 9 clone semantics: opening
     * {@code clone} lands on the new session's {@code ctl}).
     */
    OpenFile open(int mode) throws NinePException;

    /** Creates {@code name} in this directory with 9P {@code perm} ({@code DMDIR} for a directory) and opens it. */
    OpenFile create(String name, int perm, int mode) throws NinePException;

    void remove() throws NinePException;

    /** Applies a Twstat; fields holding "don't touch" values ({@link Stat#dontTouch()}) are left alone. */
    default void wstat(Stat changes) throws NinePException {
        throw new NinePException("wstat: permission denied");
    }
}
