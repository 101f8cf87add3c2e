package org.gproc.cli.agent;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Where a user's agent lives: {@code $GPROC_AGENT_DIR}, else {@code $XDG_RUNTIME_DIR/gproc}, else
 * {@code $HOME/.gproc/run}; in it {@code agent.sock}, {@code agent.log} and {@code agent.lock}. scripts/gproc picks the same
 * directory. The directory must be the user's own and closed to everyone else (mode 0700): the socket's only guard
 * before the agent's peer check is that nobody else can reach it.
 */
public record AgentPaths(Path dir) {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    public static AgentPaths of(Map<String, String> env, Path home) {
        String explicit = env.get("GPROC_AGENT_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return new AgentPaths(Path.of(explicit).toAbsolutePath());
        }
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
            return new AgentPaths(Path.of(runtime, "gproc"));
        }
        String envHome = env.get("HOME");
        Path base = envHome != null && !envHome.isBlank() ? Path.of(envHome) : home;
        return new AgentPaths(base.resolve(".gproc").resolve("run"));
    }

    public Path socket() {
        return dir.resolve("agent.sock");
    }

    public Path log() {
        return dir.resolve("agent.log");
    }

    Path lock() {
        return dir.resolve("agent.lock");
    }

    /** Creates the directory (0700) when missing; refuses one that another user owns or others can open. */
    void prepare() throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException raced) {
                // another agent starting at the same moment made it; checked below like any other
            }
            Files.setPosixFilePermissions(dir, OWNER_ONLY); // the umask may have taken bits away, never added
        }
        check();
    }

    /** Throws when the directory is not a real directory of this user's with mode 0700. */
    void check() throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a directory (the agent's socket directory must be one, mode 0700)");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != PeerCheck.ownUid()) {
            throw new IOException(dir + " belongs to uid " + owner + ", not to this user (uid " + PeerCheck.ownUid()
                    + "): the agent's socket directory must be the user's own");
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!mode.equals(OWNER_ONLY)) {
            throw new IOException(dir + " has mode " + PosixFilePermissions.toString(mode) + ": the agent's socket"
                    + " directory must be rwx------ (chmod 700 " + dir + ")");
        }
    }
}
