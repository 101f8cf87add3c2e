package org.gproc.daemon.session;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * sha256 of the files exec runs, for the audit log and the pushed-binaries-only rule. A file is read once per
 * identity (device, inode, size, modification time): a second exec of the same unchanged binary costs one stat.
 * Not the change time: every session's {@code link} of a cached blob is a new hard link to the same inode, which
 * moves its change time, so a 16 MB blob would be read again at every exec on every node. Resetting the modification
 * time after rewriting a file takes a process that may write the cache, the state directory and this audit log
 * anyway (the daemon's own user; with --user-map, sessions cannot write cached blobs).
 *
 * <p>One per daemon, in its {@link NodeServices}: file identities are the host's, so every virtual node of the daemon
 * shares what any of them hashed, and a daemon that stops (or a spec's own instance) takes its memory with it.
 */
public final class FileHashes {
    private static final int REMEMBERED = 1024;

    private final Map<String, String> known = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final Consumer<Path> onRead;

    public FileHashes() {
        this(file -> { });
    }

    /** @param onRead told of each file read in full to hash it (not of a hash this instance remembered) */
    public FileHashes(Consumer<Path> onRead) {
        this.onRead = Objects.requireNonNull(onRead, "onRead");
    }

    /**
     * Records {@code hash} as {@code file}'s content hash, for a file whose content was just verified against it (a
     * committed cache blob). Ignored if the file is gone or unreadable: it is then simply read at exec.
     */
    public void remember(Path file, String hash) {
        if (file == null) {
            return;
        }
        try {
            String key = id(file).key();
            synchronized (known) {
                known.put(key, hash);
            }
        } catch (IOException gone) {
            // read at exec instead
        }
    }

    /** The file's identity: device and inode, followed through symbolic links (what execve would run). */
    static FileId id(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime");
        return new FileId((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                a.get("lastModifiedTime").toString());
    }

    /** Lowercase hex sha256 of {@code file}'s content. */
    String sha256(Path file) throws IOException {
        String key = id(file).key();
        synchronized (known) {
            String hash = known.get(key);
            if (hash != null) {
                return hash;
            }
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        onRead.accept(file);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        String hash = HexFormat.of().formatHex(digest.digest());
        if (id(file).key().equals(key)) { // not changed while we read it
            synchronized (known) {
                known.put(key, hash);
            }
        }
        return hash;
    }

    record FileId(long dev, long ino, long size, String mtime) {
        String key() {
            return dev + ":" + ino + ":" + size + ":" + mtime;
        }
    }
}
