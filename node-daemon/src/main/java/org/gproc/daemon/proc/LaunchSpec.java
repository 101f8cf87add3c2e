package org.gproc.daemon.proc;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to run: {@code argv} exactly (its first element is the program: a path, or a name looked up in the
 * {@code PATH} of {@code env}), {@code env} as the process's whole environment (nothing is inherited from the daemon),
 * {@code dir} as its working directory. stdout and stderr are opened in append mode on the given files (the same
 * file for both is allowed). The launcher also uses the directory holding {@code stdoutFile} for the process's
 * {@code exit-status} file and a transient {@code stdin.fifo}; that directory must exist and be private to the daemon.
 *
 * <p>Optional checks (null: none): {@code program}, the device and inode the daemon checked — the spawn helper
 * executes the program through a descriptor it opened and refuses to run it if that is a different file (a path
 * swapped after the check); {@code runAs}, the Unix user to become before exec (setgid, setgroups, setuid, in that
 * order; any failure fails the exec); {@code privateRoot}, a directory only the daemon may traverse (the session's
 * {@code fs/}): a working directory or program inside it is reached before privileges are dropped, everything else
 * after, so the user can reach nothing through the daemon that it could not reach itself; {@code cgroup}, the
 * session's cgroup, which the command joins before exec (null: contained by the monitor's subreaper alone).
 */
public record LaunchSpec(List<String> argv, Map<String, String> env, Path dir, Path stdoutFile, Path stderrFile,
                         FileId program, RunAs runAs, Path privateRoot, SessionCgroup cgroup) {

    public LaunchSpec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
        dir = dir.toAbsolutePath();
        stdoutFile = stdoutFile.toAbsolutePath();
        stderrFile = stderrFile.toAbsolutePath();
        privateRoot = privateRoot == null ? null : privateRoot.toAbsolutePath();
    }

    public LaunchSpec(List<String> argv, Map<String, String> env, Path dir, Path stdoutFile, Path stderrFile) {
        this(argv, env, dir, stdoutFile, stderrFile, null, null, null, null);
    }

    public LaunchSpec(List<String> argv, Map<String, String> env, Path dir, Path stdoutFile, Path stderrFile,
                      FileId program, RunAs runAs, Path privateRoot) {
        this(argv, env, dir, stdoutFile, stderrFile, program, runAs, privateRoot, null);
    }

    /** The directory holding the spools, the exit status and the stdin fifo. */
    public Path spoolDir() {
        return stdoutFile.getParent();
    }

    /** A file's identity: what {@code stat} reports as st_dev and st_ino. */
    public record FileId(long dev, long ino) {
    }

    /** A Unix user to run as. */
    public record RunAs(String user, int uid, int gid) {
        public RunAs {
            if (user.isEmpty() || user.indexOf('\0') >= 0 || uid < 0 || gid < 0) {
                throw new IllegalArgumentException("bad user " + user + " (" + uid + ":" + gid + ")");
            }
        }
    }
}
