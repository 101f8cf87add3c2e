package org.gproc.daemon.proc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the native spawn helper from its C source (a class-path resource) with the machine's C compiler, once per
 * source version: the binary's name carries the source's hash, it is compiled to a temporary name and renamed into
 * place atomically, so concurrent daemons sharing a directory never see half a binary. The compiler is {@code cc},
 * or the command in the {@code GPROC_CC} environment variable.
 */
final class SpawnHelperBuild {

    static final String SOURCE = "gproc-spawn.c";

    private SpawnHelperBuild() {
    }

    /** The helper binary in {@code dir}, compiled first if needed; IOException when no compiler is usable. */
    static Path locate(Path dir) throws IOException {
        byte[] source;
        try (InputStream in = SpawnHelperBuild.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IOException("spawn helper: resource " + SOURCE + " is missing from the class path");
            }
            source = in.readAllBytes();
        }
        Path binary = dir.resolve("gproc-spawn-" + sha256(source).substring(0, 16));
        if (Files.isRegularFile(binary) && Files.isExecutable(binary)) {
            return binary;
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path src = Files.createTempFile(dir, "gproc-spawn-", ".c");
        Path out = Files.createTempFile(dir, "gproc-spawn-", ".tmp");
        try {
            Files.write(src, source);
            String cc = System.getenv().getOrDefault("GPROC_CC", "cc");
            List<String> command = List.of(cc, "-O2", "-o", out.toString(), src.toString());
            Process compiler = new ProcessBuilder(command).redirectErrorStream(true).start();
            compiler.getOutputStream().close();
            String diagnostics = new String(compiler.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!compiler.waitFor(120, TimeUnit.SECONDS)) {
                compiler.destroyForcibly();
                throw new IOException("spawn helper: " + cc + " took more than 120 s");
            }
            if (compiler.exitValue() != 0) {
                throw new IOException("spawn helper: " + String.join(" ", command) + " failed (exit "
                        + compiler.exitValue() + "): " + diagnostics.strip());
            }
            Files.move(out, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return binary;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("spawn helper: interrupted while compiling", e);
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(out);
        }
    }

    private static String sha256(byte[] data) {
        return HexFormat.of().formatHex(BlobUpload.sha256().digest(data));
    }
}
