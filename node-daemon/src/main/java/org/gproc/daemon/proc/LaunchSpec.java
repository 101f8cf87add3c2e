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
 */
public record LaunchSpec(List<String> argv, Map<String, String> env, Path dir, Path stdoutFile, Path stderrFile) {

    public LaunchSpec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
        dir = dir.toAbsolutePath();
        stdoutFile = stdoutFile.toAbsolutePath();
        stderrFile = stderrFile.toAbsolutePath();
    }

    /** The directory holding the spools, the exit status and the stdin fifo. */
    public Path spoolDir() {
        return stdoutFile.getParent();
    }
}
