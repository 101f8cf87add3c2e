package org.gproc.daemon.proc;

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
final class BlobUpload implements BlobCache.Upload {

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
        } else {
            inOrder = false;
        }
    }

    @Override
    public synchronized void commit() throws NinePException {
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
    }

    @Override
    public synchronized void abort() {
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
