package org.gproc.daemon.policy;

import org.gproc.daemon.proc.LaunchSpec;

import java.util.Objects;
import java.util.Set;

/**
 * What {@code exec} may run and as whom.
 *
 * <p>{@code localExec}: the principals that may exec node-local files (absolute paths); {@code null} means everyone
 * ({@code --local-exec '*'}, the default). Everyone else may only run pushed binaries: a file in the session's
 * {@code fs/}, reached without symbolic links, whose sha256 names a blob in the node's cache.
 *
 * <p>{@code userMap} (may be null) and {@code daemonUid}: when the daemon runs as root (uid 0) with a user map, a
 * session's process runs as its owner's mapped user and an unmapped owner cannot exec. Without a map, or not as root,
 * processes run as the daemon's own user.
 */
public record ExecPolicy(Set<String> localExec, UserMap userMap, int daemonUid) {

    /** Everyone may exec node files; processes run as the daemon's user. */
    public static final ExecPolicy OPEN = new ExecPolicy(null, null, -1);

    public ExecPolicy {
        localExec = localExec == null ? null : Set.copyOf(localExec);
    }

    public boolean mayExecLocal(String principal) {
        return localExec == null || localExec.contains(principal);
    }

    /** Whether a user map is in force: the daemon runs as root and has one. */
    public boolean mapsUsers() {
        return userMap != null && daemonUid == 0;
    }

    /**
     * The Unix user {@code owner}'s processes run as, or null for the daemon's own user.
     *
     * @throws IllegalStateException naming the principal when the daemon runs as root with a map lacking it
     */
    public LaunchSpec.RunAs runAs(String owner) {
        if (!mapsUsers()) {
            return null;
        }
        UnixUser user = userMap.user(Objects.requireNonNull(owner)).orElseThrow(() -> new IllegalStateException(
                "gprocd runs as root and principal '" + owner + "' has no entry in --user-map " + userMap.file()));
        return new LaunchSpec.RunAs(user.name(), user.uid(), user.gid());
    }
}
