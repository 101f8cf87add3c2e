package org.gproc.client.internal.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A local file to push, named by its sha256, with its whole content. {@link LocalBlobs} reads them, and remembers
 * them for as long as the cluster that pushes them lives.
 */
public record LocalBlob(Path path, String name, String hash, byte[] data, boolean executable) {

    /** Reads the regular file at {@code path} (absolute, normalized), named {@code file} in errors. */
    static LocalBlob read(Path file, Path path) {
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("push: cannot read '" + file + "': " + e.getMessage(), e);
        }
        return new LocalBlob(path, path.getFileName().toString(), sha256(data), data, Files.isExecutable(path));
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The same file linked into the session as {@code linkName} (a path inside fs/, e.g. {@code .lib/libm.so.6}). */
    public LocalBlob named(String linkName) {
        return new LocalBlob(path, linkName, hash, data, executable);
    }

    /** The same file linked with the executable mode or without it. */
    public LocalBlob executable(boolean runnable) {
        return new LocalBlob(path, name, hash, data, runnable);
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
