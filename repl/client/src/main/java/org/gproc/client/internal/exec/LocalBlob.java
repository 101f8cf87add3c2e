package org.gproc.client.internal.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A local file to push, named by its sha256. Hashes and contents are remembered by (path, size, mtime) so a second
 * push of the same binary reads and hashes nothing; a handful of recent files are kept.
 */
public record LocalBlob(Path path, String name, String hash, byte[] data, boolean executable) {
    private static final int REMEMBERED = 16;
    private static final Map<String, LocalBlob> RECENT = new LinkedHashMap<>(REMEMBERED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LocalBlob> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** Every file named (a path or anything whose text is one), read as {@link #of} reads it. */
    public static List<LocalBlob> allOf(Object... files) {
        return Arrays.stream(files).map(f -> of(Path.of(String.valueOf(f)))).toList();
    }

    /** Reads {@code file}; fails with a message naming it when it is missing, a directory or unreadable. */
    public static LocalBlob of(Path file) {
        Path path = file.toAbsolutePath().normalize();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("push: cannot read '" + file + "': no such file");
        }
        if (!attrs.isRegularFile()) {
            throw new IllegalArgumentException("push: '" + file + "' is not a regular file");
        }
        String key = path + "\0" + attrs.size() + "\0" + attrs.lastModifiedTime().toMillis();
        synchronized (RECENT) {
            LocalBlob known = RECENT.get(key);
            if (known != null) {
                return known;
            }
        }
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("push: cannot read '" + file + "': " + e.getMessage(), e);
        }
        LocalBlob blob = new LocalBlob(path, path.getFileName().toString(), sha256(data), data,
                Files.isExecutable(path));
        synchronized (RECENT) {
            RECENT.put(key, blob);
        }
        return blob;
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * The octal mode used for {@code link}: executables 0555, other files 0444. Read-only, so the node hard-links the
     * cached blob into the session (a writable mode makes it copy the whole file for every session, and hash the
     * copy again at exec).
     */
    public String mode() {
        return executable ? "555" : "444";
    }
}
