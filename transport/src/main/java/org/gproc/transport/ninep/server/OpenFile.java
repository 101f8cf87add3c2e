package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.NinePException;

import java.util.concurrent.CompletableFuture;

/**
 * An opened file behind one fid. Reads and writes return futures so a read that must wait (output not yet
 * produced) is parked without holding a thread; the server core cancels the future when the request is flushed.
 * A future completed exceptionally with a {@link NinePException} becomes an Rerror carrying its message.
 */
public interface OpenFile {

    /** The entry the fid now points at (usually the one opened; for clone, the new session's ctl). */
    FileEntry entry();

    /** 9P iounit to advertise, 0 for "msize minus header". */
    default int iounit() {
        return 0;
    }

    /** At most {@code count} bytes at {@code offset}; an empty array means end of file. */
    CompletableFuture<byte[]> read(long offset, int count);

    /** Writes {@code data} at {@code offset}; completes with the number of bytes taken. */
    CompletableFuture<Integer> write(long offset, byte[] data);

    /**
     * The fid is being clunked (or the connection is gone). The fid is released whatever happens; an exception
     * here is reported to the client as the Tclunk's Rerror (e.g. a cache blob whose hash does not match).
     */
    void clunk() throws NinePException;

    /**
     * Ends the fid, answering later: {@link #clunk()}, then, when the file was opened with ORCLOSE
     * ({@code removeAfter}), removes it; the remove runs even when the clunk fails, and the first failure is the
     * reply's. A proxied file forwards its clunk (the other server does the ORCLOSE) and completes with its reply.
     */
    default CompletableFuture<Void> clunkAsync(boolean removeAfter) {
        try {
            try {
                clunk();
            } finally {
                if (removeAfter) {
                    entry().remove();
                }
            }
            return CompletableFuture.completedFuture(null);
        } catch (NinePException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Whether reads of this open directory go to {@link #read} as they are (a proxied directory, whose server packs
     * its own stat entries) rather than being packed by the core from {@link FileEntry#list()}.
     */
    default boolean readsDirectoryItself() {
        return false;
    }
}
