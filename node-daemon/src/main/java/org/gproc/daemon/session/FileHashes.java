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

/**
 * sha256 of the files exec runs, for the audit log and the pushed-binaries-only rule. A file is read once per
 * identity (device, inode, size, change time): a second exec of the same unchanged binary costs one stat.
 */
final class FileHashes {
    private static final int REMEMBERED = 1024;
    private static final Map<String, String> KNOWN = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };

    private FileHashes() {
    }

    /** The file's identity: device and inode, followed through symbolic links (what execve would run). */
    static FileId id(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,ctime");
        return new FileId((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"), a.get("ctime").toString());
    }

    /** Lowercase hex sha256 of {@code file}'s content. */
    static String sha256(Path file) throws IOException {
        FileId before = id(file);
        String key = before.key();
        synchronized (KNOWN) {
            String known = KNOWN.get(key);
            if (known != null) {
                return known;
            }
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        String hash = HexFormat.of().formatHex(digest.digest());
        if (id(file).key().equals(key)) { // not changed while we read it
            synchronized (KNOWN) {
                KNOWN.put(key, hash);
            }
        }
        return hash;
    }

    record FileId(long dev, long ino, long size, String ctime) {
        String key() {
            return dev + ":" + ino + ":" + size + ":" + ctime;
        }
    }
}
