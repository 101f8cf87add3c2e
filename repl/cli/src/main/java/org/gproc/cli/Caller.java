package org.gproc.cli;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Who runs a command and from where: the environment, home and working directory it reads, its standard input (and
 * whether that is a terminal), where its signals come from and how it reaches the nodes. {@link #process()} is this
 * JVM's own; the control-node agent makes one per client request from what the thin client sent.
 *
 * @param cwd           relative paths on the command line are resolved against it
 * @param stdinTerminal whether {@code stdin} is a terminal (a terminal's input is never broadcast to the nodes)
 * @param interactive   whether standard input and output are a terminal (a launch may ask there; progress shows)
 */
public record Caller(Map<String, String> env, Path home, Path cwd, InputStream stdin, boolean stdinTerminal,
                     boolean interactive, CommandSignals signals, ClusterSource clusters) {
    public Caller {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(cwd, "cwd");
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(signals, "signals");
        Objects.requireNonNull(clusters, "clusters");
    }

    /** This process: its environment, user.home, user.dir, System.in, the JVM's signals, fresh connections. */
    public static Caller process() {
        return of(System.getenv(), Path.of(System.getProperty("user.home")), System.in);
    }

    /** For tests and embedding: this process's working directory, signals and connections with these. */
    public static Caller of(Map<String, String> env, Path home, InputStream stdin) {
        return new Caller(env, home, Path.of("").toAbsolutePath(), stdin, StdinBroadcast.isTerminal(stdin),
                Tty.interactive(stdin), CommandSignals.JVM, ClusterSource.CONNECT);
    }

    /** {@code path} as the caller means it: relative to its working directory. */
    public Path resolve(String path) {
        return cwd.resolve(path);
    }
}
