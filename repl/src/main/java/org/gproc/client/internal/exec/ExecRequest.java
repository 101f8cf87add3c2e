package org.gproc.client.internal.exec;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything one session needs to start: the program (a pushed blob's name, or an absolute path on the node), its
 * arguments, environment additions, working directory, blobs to push and link, stdin, and an optional timeout.
 */
public record ExecRequest(String program, List<String> args, Map<String, String> env, String dir,
                          List<LocalBlob> blobs, byte[] stdinBytes, Supplier<InputStream> stdinStream,
                          Duration timeout, String jobId) {
    public ExecRequest {
        Objects.requireNonNull(program, "program");
        args = List.copyOf(args);
        env = Map.copyOf(env);
        blobs = List.copyOf(blobs);
    }

    /** The command line the daemon's argv file gets: argv[0] is the program's name. */
    List<String> argv() {
        String name = program.substring(program.lastIndexOf('/') + 1);
        var argv = new java.util.ArrayList<String>(args.size() + 1);
        argv.add(name);
        argv.addAll(args);
        return argv;
    }

    /** The display form, e.g. {@code date -u}. */
    public String commandLine() {
        return Plan9Quote.join(argv());
    }
}
