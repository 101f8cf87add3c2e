package org.gproc.daemon.tree;

import org.gproc.daemon.session.Session;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.OpenFile;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * An opened synthetic file whose content is generated: a read at offset 0 takes a fresh snapshot, later offsets
 * read that snapshot (so a long listing read in pieces stays consistent, as Plan 9's readstr does per read).
 * Writes, if the file takes them, go to a {@link Sink}. Files inside a session count as open fids of the session.
 */
class TextFile implements OpenFile {

    interface Source {
        byte[] content() throws NinePException;
    }

    interface Sink {
        void write(long offset, byte[] data) throws NinePException;
    }

    private final FileEntry entry;
    private final Session session;
    private final Source source;
    private final Sink sink;
    private byte[] snapshot;
    private boolean clunked;

    TextFile(FileEntry entry, Session session, Source source, Sink sink) {
        this.entry = entry;
        this.session = session;
        this.source = source;
        this.sink = sink;
        if (session != null) {
            session.fileOpened();
        }
    }

    @Override
    public FileEntry entry() {
        return entry;
    }

    @Override
    public CompletableFuture<byte[]> read(long offset, int count) {
        try {
            if (session != null) {
                session.checkLive();
            }
            byte[] content;
            synchronized (this) {
                if (offset == 0 || snapshot == null) {
                    snapshot = source.content();
                }
                content = snapshot;
            }
            return CompletableFuture.completedFuture(slice(content, offset, count));
        } catch (NinePException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new NinePException("read " + entry + ": " + e, e));
        }
    }

    @Override
    public CompletableFuture<Integer> write(long offset, byte[] data) {
        if (sink == null) {
            return CompletableFuture.failedFuture(new NinePException("write " + entry + ": read-only file"));
        }
        try {
            sink.write(offset, data);
            return CompletableFuture.completedFuture(data.length);
        } catch (NinePException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new NinePException("write " + entry + ": " + e, e));
        }
    }

    @Override
    public void clunk() throws NinePException {
        synchronized (this) {
            if (clunked) {
                return;
            }
            clunked = true;
        }
        if (session != null) {
            session.fileClosed();
        }
    }

    static byte[] slice(byte[] content, long offset, int count) {
        if (offset >= content.length || count <= 0) {
            return new byte[0];
        }
        int from = (int) offset;
        return Arrays.copyOfRange(content, from, (int) Math.min(content.length, from + (long) count));
    }
}
