package org.gproc.daemon.tree;

import org.gproc.daemon.session.Session;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.OpenFile;

import java.util.concurrent.CompletableFuture;

/** An opened directory: the server core packs {@link FileEntry#list()} into its reads. */
final class DirectoryFile implements OpenFile {
    private final FileEntry entry;
    private final Session session;
    private boolean clunked;

    DirectoryFile(FileEntry entry, Session session) {
        this.entry = entry;
        this.session = session;
        if (session != null) {
            session.fileOpened();
        }
    }

    DirectoryFile(SynthEntry entry) {
        this(entry, entry.session());
    }

    @Override
    public FileEntry entry() {
        return entry;
    }

    @Override
    public CompletableFuture<byte[]> read(long offset, int count) {
        return CompletableFuture.failedFuture(new NinePException("read: '" + entry + "' is a directory"));
    }

    @Override
    public CompletableFuture<Integer> write(long offset, byte[] data) {
        return CompletableFuture.failedFuture(new NinePException("write: '" + entry + "' is a directory"));
    }

    @Override
    public synchronized void clunk() {
        if (!clunked && session != null) {
            clunked = true;
            session.fileClosed();
        }
    }
}
