package org.gproc.daemon.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A Unix account as {@code getent passwd} reports it (so NSS users — LDAP, sssd — work too). */
public record UnixUser(String name, int uid, int gid) {

    /** {@code getent passwd NAME}; empty if there is no such user. */
    public static Optional<UnixUser> lookup(String name) throws IOException {
        if (name.isEmpty() || name.startsWith("-") || name.contains(":") || name.chars().anyMatch(Character::isWhitespace)) {
            return Optional.empty();
        }
        Process getent = new ProcessBuilder("getent", "passwd", name).redirectErrorStream(true).start();
        getent.getOutputStream().close();
        String out = new String(getent.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!getent.waitFor(30, TimeUnit.SECONDS)) {
                getent.destroyForcibly();
                throw new IOException("getent passwd " + name + " took more than 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while looking up user " + name, e);
        }
        if (getent.exitValue() == 2) {
            return Optional.empty();
        }
        if (getent.exitValue() != 0) {
            throw new IOException("getent passwd " + name + " failed (exit " + getent.exitValue() + "): " + out);
        }
        String[] f = out.split("\n")[0].split(":", -1);
        if (f.length < 4 || !f[0].equals(name)) {
            throw new IOException("getent passwd " + name + " printed an unexpected line: " + out);
        }
        try {
            return Optional.of(new UnixUser(name, Integer.parseInt(f[2]), Integer.parseInt(f[3])));
        } catch (NumberFormatException e) {
            throw new IOException("getent passwd " + name + ": uid/gid are not numbers: " + out);
        }
    }

    /** The daemon's effective uid, from /proc/self/status. */
    public static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the daemon's uid from /proc/self/status: " + e, e);
        }
        throw new IllegalStateException("/proc/self/status has no Uid line");
    }
}
