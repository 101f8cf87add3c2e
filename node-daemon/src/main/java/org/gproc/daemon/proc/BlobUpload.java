package org.gproc.daemon.proc;

import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import org.gproc.transport.ninep.NinePException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One upload into the {@link BlobCache}: writes at any offset into a private temporary file. Writes that arrive in
 * order (the usual case, even with pipelined Twrites) are hashed as they come; otherwise the file is hashed again at
 * commit.
 */
final class BlobUpload implements BlobCache.Upload, BlobCache.Arriving {

    private final BlobCache cache;
    private final String hash;
    private final Path file;
    private final long limit;
    private final boolean limitIsQuota;
    private final MessageDigest digest;
    private final FileChannel channel;
    private long hashedUpTo;
    private boolean inOrder = true;
    private boolean finished;
    private final java.util.List<Runnable> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.CompletableFuture<Long> outcome = new java.util.concurrent.CompletableFuture<>();
    private volatile long received; // bytes from 0 written in order

    BlobUpload(BlobCache cache, String hash, Path file, long limit, boolean limitIsQuota) throws IOException {
        this.cache = cache;
        this.hash = hash;
        this.file = file;
        this.limit = limit;
        this.limitIsQuota = limitIsQuota;
        this.digest = sha256();
        this.channel = FileChannel.open(file, StandardOpenOption.WRITE);
    }

    @Override
    public synchronized void write(long offset, byte[] data) throws NinePException {
        if (finished) {
            throw new NinePException("cache/" + hash + ": the upload is already finished");
        }
        if (offset < 0 || offset + data.length > limit) {
            throw new NinePException("cache/" + hash + ": a write of " + data.length + " bytes at " + offset
                    + " passes the " + (limitIsQuota ? "cache quota" : "push limit") + " of " + limit + " bytes");
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                channel.write(buffer, offset + buffer.position());
            }
        } catch (IOException e) {
            abort();
            throw new NinePException("cache/" + hash + ": upload failed: " + e.getMessage(), e);
        }
        if (inOrder && offset == hashedUpTo) {
            digest.update(data);
            hashedUpTo += data.length;
            received = hashedUpTo;
        } else {
            inOrder = false;
        }
        watchers.forEach(Runnable::run);
    }

    @Override
    public long received() {
        return received;
    }

    @Override
    public byte[] read(long offset, int max) throws IOException {
        long have = received;
        int n = (int) Math.max(0, Math.min(max, have - offset));
        ByteBuffer buffer = ByteBuffer.allocate(n);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                if (in.read(buffer, offset + buffer.position()) < 0) {
                    break;
                }
            }
        } catch (NoSuchFileException moved) {
            return readPublished(offset, n);
        }
        return buffer.position() == n ? buffer.array() : Arrays.copyOf(buffer.array(), buffer.position());
    }

    /** After the commit the bytes live under the blob's own name. */
    private byte[] readPublished(long offset, int n) throws IOException {
        Path published = cache.file(hash);
        if (published == null) {
            throw new IOException("cache/" + hash + ": the upload ended and the blob is not in the cache");
        }
        try (FileChannel in = FileChannel.open(published, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(n);
            while (buffer.hasRemaining() && in.read(buffer, offset + buffer.position()) >= 0) {
                // keep reading
            }
            return Arrays.copyOf(buffer.array(), buffer.position());
        }
    }

    @Override
    public void onProgress(Runnable r) {
        watchers.add(r);
        if (outcome.isDone()) {
            r.run();
        }
    }

    @Override
    public java.util.concurrent.CompletableFuture<Long> finished() {
        return outcome;
    }

    private void end(Throwable failure, long size) {
        cache.ended(hash, this);
        if (failure == null) {
            received = size; // all of it, also when it arrived out of order
            outcome.complete(size);
        } else {
            outcome.completeExceptionally(failure);
        }
        watchers.forEach(Runnable::run);
    }

    @Override
    public void commit() throws NinePException {
        long size;
        try {
            size = commitLocked();
        } catch (NinePException | RuntimeException e) {
            end(e, -1);
            throw e;
        }
        end(null, size);
    }

    private synchronized long commitLocked() throws NinePException {
        if (finished) {
            throw new NinePException("cache/" + hash + ": the upload is already finished");
        }
        finished = true;
        String actual;
        long size;
        try {
            channel.close();
            size = Files.size(file);
            actual = HexFormat.of().formatHex(inOrder && hashedUpTo == size ? digest.digest() : hashFile());
        } catch (IOException e) {
            BlobCache.deleteQuietly(file);
            throw new NinePException("cache/" + hash + ": cannot verify the upload: " + e.getMessage(), e);
        }
        if (!actual.equals(hash)) {
            BlobCache.deleteQuietly(file);
            throw new NinePException("cache/" + hash + ": hash mismatch: the " + size + " bytes received hash to "
                    + actual);
        }
        cache.install(hash, file, size);
        return size;
    }

    @Override
    public void abort() {
        abortLocked();
        if (!outcome.isDone()) {
            end(new NinePException("cache/" + hash + ": the upload was abandoned before it was complete"), -1);
        }
    }

    private synchronized void abortLocked() {
        finished = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the file goes away below
        }
        BlobCache.deleteQuietly(file);
    }

    private byte[] hashFile() throws IOException {
        MessageDigest full = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                full.update(buffer, 0, n);
            }
        }
        return full.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
