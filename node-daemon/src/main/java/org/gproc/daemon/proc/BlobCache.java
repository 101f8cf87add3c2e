package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.Tokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Content-addressed blobs named by their sha256 in lowercase hex, as pushed through {@code cache/}. An upload goes to
 * a private temporary file; {@link Upload#commit()} verifies the hash and renames it into place atomically, so a blob
 * is either complete and verified or absent, and concurrent uploads of one blob are harmless (the first rename wins,
 * the others verify and vanish). Blobs are read-only (mode 0444 plus execute bits as linked).
 *
 * <p>Quota: committing a blob that would pass {@code quotaBytes} evicts the least recently used blobs that nothing
 * references: no session holds a {@link #link} to it and no hard link to its inode exists anywhere (evicting such a
 * blob would free no space). If that is not enough, the commit fails and names the quota.
 *
 * <p>Trust model: names, paths, modes and contents come from the network. Names are checked before they touch the
 * file system; link targets are checked component by component inside the session's {@code fs/} root, refusing
 * {@code ..}, absolute paths and symbolic links. These checks are path-based: they protect the daemon from its
 * clients, while a session's own running process (same user) could race them, so links belong before {@code exec}.
 */
public final class BlobCache {

    /** One blob on its way in. */
    public interface Upload {
        /** Writes at {@code offset}; past the upload's limit (or the quota) it is an error. */
        void write(long offset, byte[] data) throws NinePException;

        /** Verifies the sha256 and publishes the blob; on a mismatch nothing becomes visible. */
        void commit() throws NinePException;

        /** Drops the upload; idempotent. */
        void abort();
    }

    /**
     * An upload still arriving, as a relay sees it when it feeds a child from it (cut-through): the bytes received
     * in order so far can be read while more arrive.
     */
    public interface Arriving {
        /** How many bytes from offset 0 have arrived, in order. */
        long received();

        /** Up to {@code max} received bytes at {@code offset} (fewer at the end of what has arrived). */
        byte[] read(long offset, int max) throws IOException;

        /** Runs {@code r} (quickly, without blocking) on every later write or end of the upload; once is enough. */
        void onProgress(Runnable r);

        /**
         * Completes with the final size once the blob is verified and published, or exceptionally with the reason
         * the upload failed (hash mismatch, quota, aborted).
         */
        java.util.concurrent.CompletableFuture<Long> finished();
    }

    private static final Set<PosixFilePermission> READ_ONLY = PosixFilePermissions.fromString("r--r--r--");

    private final Path dir;
    private final Path tmp;
    private final long quota;
    private final Map<String, Long> sizes = new HashMap<>();
    private final Map<String, Long> lastUse = new HashMap<>();
    private final Map<String, Set<Path>> references = new HashMap<>();
    private final Map<String, BlobUpload> arriving = new HashMap<>();
    private long clock;
    private long total;

    /** Opens (or creates) the cache in {@code dir}, dropping uploads a previous daemon left unfinished. */
    public BlobCache(Path dir, long quotaBytes) {
        if (quotaBytes < 0) {
            throw new IllegalArgumentException("cache quota must be >= 0, got " + quotaBytes);
        }
        this.dir = dir.toAbsolutePath();
        this.tmp = this.dir.resolve(".uploads");
        this.quota = quotaBytes;
        try {
            Files.createDirectories(this.dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Files.createDirectories(tmp);
            try (DirectoryStream<Path> stale = Files.newDirectoryStream(tmp)) {
                for (Path file : stale) {
                    Files.deleteIfExists(file);
                }
            }
            List<Path> blobs = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.dir)) {
                for (Path file : entries) {
                    if (isName(file.getFileName().toString()) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                        blobs.add(file);
                    }
                }
            }
            blobs.sort(Comparator.comparing(BlobCache::modified));
            for (Path blob : blobs) {
                String name = blob.getFileName().toString();
                sizes.put(name, Files.size(blob));
                lastUse.put(name, ++clock);
                total += sizes.get(name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cache: cannot open " + this.dir, e);
        }
    }

    /** A blob name is exactly 64 lowercase hex digits (a sha256); anything else is an error naming it. */
    public static void checkName(String name) throws NinePException {
        if (!isName(name)) {
            throw new NinePException("cache: bad blob name " + Tokens.shown(String.valueOf(name))
                    + " (a blob is named by its sha256: 64 lowercase hex digits)");
        }
    }

    static boolean isName(String name) {
        return name != null && name.length() == 64
                && name.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    /** Starts an upload of blob {@code hash} of at most {@code maxBytes} (and at most the quota). */
    public Upload begin(String hash, long maxBytes) throws NinePException {
        checkName(hash);
        try {
            BlobUpload upload = new BlobUpload(this, hash, Files.createTempFile(tmp, hash.substring(0, 16) + ".",
                    ".part"), Math.min(maxBytes, quota), maxBytes > quota);
            synchronized (this) {
                arriving.putIfAbsent(hash, upload);
            }
            return upload;
        } catch (IOException e) {
            throw new NinePException("cache/" + hash + ": cannot start the upload: " + e.getMessage(), e);
        }
    }

    /** The upload of {@code hash} under way (the first begun, if several), or null. */
    public synchronized Arriving arriving(String hash) {
        return arriving.get(hash);
    }

    /** An upload has ended, published or not. */
    synchronized void ended(String hash, BlobUpload upload) {
        arriving.remove(hash, upload);
    }

    public synchronized boolean contains(String hash) {
        return touch(hash);
    }

    /** The blob's size, or -1 if the cache does not hold it. */
    public synchronized long size(String hash) {
        return touch(hash) ? sizes.get(hash) : -1;
    }

    /** The blob's file (to serve reads of {@code cache/<hash>}), or null if the cache does not hold it. */
    public synchronized Path file(String hash) {
        return touch(hash) ? dir.resolve(hash) : null;
    }

    public synchronized List<String> list() {
        return List.copyOf(new TreeMap<>(sizes).keySet());
    }

    public synchronized long totalBytes() {
        return total;
    }

    public long quotaBytes() {
        return quota;
    }

    /**
     * Places blob {@code hash} at {@code path} inside the session's {@code fsRoot} with permission bits {@code mode}
     * (0-0777), creating missing directories. A read-only mode gives a hard link, which references the blob until
     * {@link #release} (the inode's mode becomes the union of the modes it was linked with; write bits never); a
     * writable mode gives a private copy, since a writable hard link would let one process rewrite the blob for every
     * session. {@code path} must stay inside {@code fsRoot}: no {@code ..}, no leading {@code /}, no symbolic link on
     * the way or at the end.
     */
    public void link(String hash, Path fsRoot, String path, int mode) throws NinePException {
        checkName(hash);
        if (mode < 0 || mode > 0777) {
            throw new NinePException("link: mode " + Integer.toOctalString(mode)
                    + " is not allowed (permission bits 0-777 only)");
        }
        Path target = LinkTarget.resolve(fsRoot, path);
        synchronized (this) {
            if (!touch(hash)) {
                throw new NinePException("link: no blob " + hash + " in the cache (push it first)");
            }
            Path blob = dir.resolve(hash);
            try {
                if ((mode & 0222) == 0 && hardLink(blob, target, mode)) {
                    forget(target);
                    references.computeIfAbsent(hash, h -> new HashSet<>()).add(target);
                    return;
                }
                forget(target);
                LinkTarget.copy(blob, target, mode);
            } catch (IOException e) {
                throw new NinePException("link: cannot place " + hash + " at " + path + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The three-argument form of the original contract: {@code target}'s parent directory is trusted to be inside a
     * session's {@code fs/} (only the last component is checked). Prefer {@link #link(String, Path, String, int)}.
     */
    public void link(String hash, Path target, int mode) throws NinePException {
        Path absolute = target.toAbsolutePath();
        if (absolute.getParent() == null) {
            throw new NinePException("link: target " + target + " has no parent directory");
        }
        link(hash, absolute.getParent(), absolute.getFileName().toString(), mode);
    }

    /** Drops the references held by links under {@code sessionFsRoot} (a wiped or reaped session). */
    public synchronized void release(Path sessionFsRoot) {
        Path root = sessionFsRoot.toAbsolutePath().normalize();
        for (var it = references.values().iterator(); it.hasNext(); ) {
            Set<Path> targets = it.next();
            targets.removeIf(target -> target.startsWith(root));
            if (targets.isEmpty()) {
                it.remove();
            }
        }
    }

    /** The blob a read-only {@code link} placed at {@code target}, or null if none did (for fs/ over 9P). */
    public synchronized String linkedAt(Path target) {
        Path t = target.toAbsolutePath().normalize();
        for (Map.Entry<String, Set<Path>> e : references.entrySet()) {
            if (e.getValue().contains(t)) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Whether a session holds a link to {@code hash} (for status and tests). */
    public synchronized boolean referenced(String hash) {
        return references.containsKey(hash);
    }

    /** Called by a verified upload: publish it, evicting unreferenced blobs if the quota needs room. */
    synchronized void install(String hash, Path verified, long size) throws NinePException {
        if (sizes.containsKey(hash)) {
            touch(hash);
            deleteQuietly(verified);
            return;
        }
        if (total + size > quota) {
            evict(total + size - quota);
        }
        if (total + size > quota) {
            deleteQuietly(verified);
            throw new NinePException("cache/" + hash + ": the cache quota of " + quota + " bytes is full ("
                    + (total) + " bytes held by blobs in use; this blob needs " + size + ")");
        }
        try {
            Files.setPosixFilePermissions(verified, READ_ONLY);
            Files.move(verified, dir.resolve(hash), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(verified);
            throw new NinePException("cache/" + hash + ": cannot publish the blob: " + e.getMessage(), e);
        }
        sizes.put(hash, size);
        lastUse.put(hash, ++clock);
        total += size;
    }

    Path uploadDir() {
        return tmp;
    }

    private void evict(long needed) {
        List<String> candidates = new ArrayList<>(sizes.keySet());
        candidates.sort(Comparator.comparing(lastUse::get));
        long freed = 0;
        for (String hash : candidates) {
            if (freed >= needed) {
                return;
            }
            if (references.containsKey(hash) || linkCount(dir.resolve(hash)) > 1) {
                continue;
            }
            try {
                Files.delete(dir.resolve(hash));
            } catch (NoSuchFileException gone) {
                // someone removed it by hand: account for it all the same
            } catch (IOException e) {
                continue;
            }
            long size = sizes.remove(hash);
            lastUse.remove(hash);
            total -= size;
            freed += size;
        }
    }

    private boolean hardLink(Path blob, Path target, int mode) throws IOException {
        Path temporary = target.resolveSibling(".link-" + Long.toHexString(System.nanoTime()) + "-"
                + target.getFileName());
        try {
            Files.createLink(temporary, blob);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // another file system, or one without hard links: copy instead
        }
        try {
            Set<PosixFilePermission> union = Files.getPosixFilePermissions(blob);
            union.addAll(LinkTarget.permissions(mode));
            Files.setPosixFilePermissions(blob, union);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (AtomicMoveNotSupportedException e) {
            return false;
        } finally {
            deleteQuietly(temporary);
        }
    }

    private void forget(Path target) {
        references.values().forEach(targets -> targets.remove(target));
        references.values().removeIf(Set::isEmpty);
    }

    private boolean touch(String hash) {
        if (!sizes.containsKey(hash)) {
            return false;
        }
        lastUse.put(hash, ++clock);
        return true;
    }

    private static int linkCount(Path file) {
        try {
            return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 1;
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temporary file is removed when the cache is next opened
        }
    }
}
