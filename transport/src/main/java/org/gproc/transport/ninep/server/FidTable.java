package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Stat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's fids (plan9port's {@code Fidpool}): explicit allocate, lookup and remove, with a limit so a
 * client cannot grow the table without bound. Thread-safe; the per-fid state is touched only by the connection's
 * receiving thread.
 */
final class FidTable {

    /** What one fid points at, and how it was opened. */
    static final class Fid {
        final int number;
        /** The attach root this fid descends from: {@code ..} stops here. */
        final FileEntry root;
        FileEntry entry;
        OpenFile open;
        int mode = -1;
        // Directory reads: the listing taken at offset 0, the next entry to pack and the offset that must follow.
        List<Stat> listing;
        int nextEntry;
        long nextOffset;

        Fid(int number, FileEntry root, FileEntry entry) {
            this.number = number;
            this.root = root;
            this.entry = entry;
        }

        boolean isOpen() {
            return open != null;
        }

        void opened(OpenFile file, int openMode) {
            open = file;
            mode = openMode;
            entry = file.entry();
        }

        boolean readable() {
            int m = mode & 3;
            return m == Message.OREAD || m == Message.ORDWR || m == Message.OEXEC;
        }

        boolean writable() {
            int m = mode & 3;
            return m == Message.OWRITE || m == Message.ORDWR;
        }
    }

    private final Map<Integer, Fid> fids = new HashMap<>();
    private final int limit;
    private int epoch;

    FidTable(int limit) {
        this.limit = limit;
    }

    synchronized Fid get(int number) throws NinePException {
        Fid f = fids.get(number);
        if (f == null) {
            throw Errors.of(Errors.UNKNOWN_FID);
        }
        return f;
    }

    /** Checks that {@code number} may name a new fid, before any file-tree code runs. */
    synchronized void checkFree(int number) throws NinePException {
        if (number == Message.NOFID) {
            throw Errors.of(Errors.FID_IN_USE, "NOFID (0xFFFFFFFF) is reserved");
        }
        if (fids.containsKey(number)) {
            throw Errors.of(Errors.FID_IN_USE);
        }
        if (fids.size() >= limit) {
            throw Errors.of(Errors.TOO_MANY_FIDS, "this connection already holds its limit of " + limit
                    + " fids; clunk some first");
        }
    }

    synchronized Fid add(int number, FileEntry root, FileEntry entry) throws NinePException {
        checkFree(number);
        Fid f = new Fid(number, root, entry);
        fids.put(number, f);
        return f;
    }

    /**
     * Whether {@code f} is still this table's fid {@code f.number}: an answer that arrives after a Tversion reset or
     * the connection's end finds it gone and must undo what it made.
     */
    synchronized boolean holds(Fid f) {
        return fids.get(f.number) == f;
    }

    /** Bumped by {@link #clear()}: a walk begun before a reset must not add its fid after it. */
    synchronized int epoch() {
        return epoch;
    }

    /** {@link #add} unless the table was cleared since {@code epochSeen}. */
    synchronized Fid addIfCurrent(int number, FileEntry root, FileEntry entry, int epochSeen) throws NinePException {
        if (epoch != epochSeen) {
            throw Errors.of(Errors.INTERRUPTED, "the connection was reset while the walk was answered");
        }
        return add(number, root, entry);
    }

    synchronized Fid remove(int number) throws NinePException {
        Fid f = fids.remove(number);
        if (f == null) {
            throw Errors.of(Errors.UNKNOWN_FID);
        }
        return f;
    }

    /** Empties the table, returning what it held (for a Tversion reset or the connection's end). */
    synchronized List<Fid> clear() {
        epoch++;
        List<Fid> all = new ArrayList<>(fids.values());
        fids.clear();
        return all;
    }

    synchronized int size() {
        return fids.size();
    }
}
