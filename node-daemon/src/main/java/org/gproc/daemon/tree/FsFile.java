package org.gproc.daemon.tree;

import org.gproc.daemon.session.Session;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.OpenFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * An opened regular file in a session's {@code fs/} (or a cached blob, read-only): plain positional reads and writes
 * on a file channel.
 */
final class FsFile implements OpenFile {
    private final FileEntry entry;
    private final Session session;
    private final FileChannel channel;
    private final Path path;
    private final boolean removeOnClunk;
    private final long maxBytes;
    private boolean clunked;
    private String discardedBecause;

    private FsFile(FileEntry entry, Session session, FileChannel channel, Path path, boolean removeOnClunk,
                   long maxBytes) {
        this.entry = entry;
        this.session = session;
        this.channel = channel;
        this.path = path;
        this.removeOnClunk = removeOnClunk;
        this.maxBytes = maxBytes;
        if (session != null) {
            session.fileOpened();
        }
    }

    /** A cached blob opened for reading (no session: blobs belong to the node). */
    static FsFile blob(FileEntry entry, Path path) throws NinePException {
        try {
            return new FsFile(entry, null, FileChannel.open(path, StandardOpenOption.READ), path, false,
                    0);
        } catch (IOException e) {
            throw new NinePException("open '" + entry + "': " + e.getMessage(), e);
        }
    }

    static FsFile open(FsEntry entry, Session session, Path path, int mode, long maxBytes)
            throws NinePException {
        if ((mode & 3) == Message.OEXEC) {
            mode = (mode & ~3) | Message.OREAD;
        }
        try {
            return new FsFile(entry, session, FsEntry.channel(path, mode, false), path,
                    (mode & Message.ORCLOSE) != 0, maxBytes);
        } catch (IOException e) {
            throw new NinePException("open '" + entry + "': " + e.getMessage(), e);
        }
    }

    static FsFile create(FsEntry dir, String name, Session session, Path target, int perm, int mode, long maxBytes)
            throws IOException, NinePException {
        FileChannel channel = FsEntry.channel(target, (mode & 3) == Message.OEXEC ? Message.OREAD : mode, true);
        try {
            Files.setPosixFilePermissions(target, FsEntry.permissions(perm));
            return new FsFile(dir.created(name), session, channel, target, (mode & Message.ORCLOSE) != 0, maxBytes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(target);
            throw e;
        }
    }

    @Override
    public FileEntry entry() {
        return entry;
    }

    @Override
    public CompletableFuture<byte[]> read(long offset, int count) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(0, Math.min(count, channel.size() - offset)));
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, offset + buffer.position());
                if (n < 0) {
                    break;
                }
            }
            return CompletableFuture.completedFuture(buffer.position() == buffer.capacity() ? buffer.array()
                    : Arrays.copyOf(buffer.array(), buffer.position()));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(new NinePException("read '" + entry + "': " + e.getMessage(), e));
        }
    }

    @Override
    public CompletableFuture<Integer> write(long offset, byte[] data) {
        if (offset + data.length > maxBytes) {
            return CompletableFuture.failedFuture(new NinePException("write '" + entry + "': " + (offset + data.length)
                    + " bytes is over the push limit of " + maxBytes + " bytes per file (--max-push)"));
        }
        try {
            synchronized (this) {
                if (discardedBecause != null) {
                    return CompletableFuture.failedFuture(new NinePException("write '" + entry + "': the file was"
                            + " removed when an earlier write passed a quota (" + discardedBecause + ")"));
                }
                long grow = offset + data.length - channel.size();
                if (grow > 0 && session != null) {
                    try {
                        session.charge(grow, "write '" + entry + "'");
                    } catch (NinePException over) {
                        discard(over.getMessage());
                        return CompletableFuture.failedFuture(over);
                    }
                }
            }
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                channel.write(buffer, offset + buffer.position());
            }
            return CompletableFuture.completedFuture(data.length);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(new NinePException("write '" + entry + "': " + e.getMessage(), e));
        }
    }

    /**
     * An upload that passed a quota leaves nothing behind, even while its fid stays open: the file is emptied and
     * removed now and its bytes given back; later writes on this fid fail.
     */
    private void discard(String because) throws IOException {
        discardedBecause = because;
        long size = channel.size();
        channel.truncate(0);
        Files.deleteIfExists(path);
        session.refund(size);
    }

    @Override
    public void clunk() throws NinePException {
        synchronized (this) {
            if (clunked) {
                return;
            }
            clunked = true;
        }
        try {
            channel.close();
            if (removeOnClunk) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new NinePException("clunk '" + entry + "': " + e.getMessage(), e);
        } finally {
            if (session != null) {
                session.fileClosed();
            }
        }
    }

    /**
     * Truncates or extends (with zeros) a file to {@code length}, within the push limit; growth is charged to
     * {@code session}'s quota like a write (refused past it), a cut given back.
     */
    static void setLength(Session session, Path path, long length, long maxBytes, String display)
            throws IOException, NinePException {
        if (length < 0 || length > maxBytes) {
            throw new NinePException("wstat '" + display + "': length " + length + " is outside 0.." + maxBytes
                    + " (--max-push)");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            if (length < size) {
                channel.truncate(length);
                session.refund(size - length);
            } else if (length > size) {
                session.charge(length - size, "wstat '" + display + "'");
                channel.write(ByteBuffer.wrap(new byte[1]), length - 1);
            }
        }
    }
}
