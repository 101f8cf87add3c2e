package org.gproc.client.internal.exec;

import org.gproc.transport.xcpu.SessionVerb;
import org.gproc.transport.xcpu.Tokens;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
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
        var argv = new ArrayList<String>(args.size() + 1);
        argv.add(name);
        argv.addAll(args);
        return argv;
    }

    /** The display form, e.g. {@code date -u}. */
    public String commandLine() {
        return Tokens.join(argv());
    }

    /**
     * The one ctl write that sets up and starts the session: {@code argv} and {@code env} (when {@code withSettings};
     * otherwise they go to their files), {@code link} for every blob, {@code dir}, {@code id}, {@code exec}, and
     * {@code close stdin} unless the launch feeds stdin. The daemon applies the lines in order and stops at the first
     * failure, so a refused argv never runs the program. Null when {@code withSettings} and a token holds a newline
     * (a ctl line cannot carry it; the argv file can).
     */
    String ctlScript(boolean withSettings) {
        StringBuilder script = new StringBuilder();
        if (withSettings) {
            List<String> envTokens = envTokens();
            if (argv().stream().anyMatch(t -> t.indexOf('\n') >= 0)
                    || envTokens.stream().anyMatch(t -> t.indexOf('\n') >= 0)) {
                return null;
            }
            script.append(SessionVerb.ARGV.line(argv().toArray(String[]::new)));
            if (!envTokens.isEmpty()) {
                script.append(SessionVerb.ENV.line(envTokens.toArray(String[]::new)));
            }
        }
        for (LocalBlob blob : blobs) {
            script.append(SessionVerb.LINK.line(blob.hash(), blob.name(), blob.mode()));
        }
        if (dir != null) {
            script.append(SessionVerb.DIR.line(dir));
        }
        if (jobId != null) {
            script.append(SessionVerb.ID.line(jobId));
        }
        script.append(SessionVerb.EXEC.line(program));
        if (stdinBytes == null && stdinStream == null) {
            script.append(SessionVerb.CLOSE.line("stdin"));
        }
        return script.toString();
    }

    /** env as KEY=VALUE tokens. */
    List<String> envTokens() {
        List<String> tokens = new ArrayList<>(env.size());
        env.forEach((k, v) -> tokens.add(k + "=" + v));
        return tokens;
    }
}
