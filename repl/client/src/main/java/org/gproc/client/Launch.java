package org.gproc.client;

import org.gproc.client.internal.exec.ExecRequest;
import org.gproc.client.internal.exec.LocalBlob;
import org.gproc.client.internal.exec.LocalBlobs;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What to run and how, before it runs: {@code node.push('./sim').args('-n', 8).env(OMP: 4).run()}.
 * {@link #run()} starts at once and returns a {@link RemoteProcess} (one node) or a {@link Job} (a node set);
 * the processes are the foreground job of the REPL evaluation or script that started them. {@link #start()} runs
 * in the background. Pushed files are content-addressed: a node that already has a file receives nothing.
 */
public final class Launch<R> {
    private final String program;
    private final List<LocalBlob> blobs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Function<Launch<R>, R> starter;
    private final LocalBlobs reader;
    private String dir;
    private byte[] stdinBytes;
    private Supplier<InputStream> stdinStream;
    private Duration timeout;
    private boolean background;

    Launch(String program, List<Path> pushed, LocalBlobs reader, Function<Launch<R>, R> starter) {
        this.starter = starter;
        this.reader = reader;
        for (Path p : pushed) {
            blobs.add(reader.read(p));
        }
        if (!pushed.isEmpty()) {
            this.program = blobs.get(0).name();
        } else if (isBareName(program)) {
            // As gproc exec and a remote shell do: env(1) looks the name up in the node's PATH.
            this.program = PATH_LOOKUP;
            args.add(program);
        } else {
            this.program = requireAbsolute(program);
        }
    }

    /** The node program that finds a bare command name in the node's PATH. */
    static final String PATH_LOOKUP = "/usr/bin/env";

    private static boolean isBareName(String program) {
        return program != null && !program.isEmpty() && !program.contains("/") && !program.contains("=")
                && program.chars().noneMatch(Character::isWhitespace);
    }

    private static String requireAbsolute(String program) {
        if (program == null || !program.startsWith("/")) {
            throw new IllegalArgumentException("run: '" + program + "' must be an absolute path on the node"
                    + " or a bare name found in its PATH (or push it: node.push('" + program + "'))");
        }
        return program;
    }

    /** Appends arguments (each turned into a string). */
    public Launch<R> args(Object... arguments) {
        for (Object a : arguments) {
            args.add(String.valueOf(Objects.requireNonNull(a, "args: null argument")));
        }
        return this;
    }

    public Launch<R> args(Collection<?> arguments) {
        return args(arguments.toArray());
    }

    /** Adds variables to the node's environment for this process. */
    public Launch<R> env(Map<String, ?> variables) {
        variables.forEach((k, v) -> env(k, String.valueOf(v)));
        return this;
    }

    public Launch<R> env(String name, String value) {
        if (name.isEmpty() || name.contains("=") || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("env: '" + name + "' is not a variable name");
        }
        env.put(name, Objects.requireNonNull(value, "env: null value for " + name));
        return this;
    }

    /** The working directory: relative to the session's staging directory, or absolute on the node. */
    public Launch<R> dir(String directory) {
        this.dir = Objects.requireNonNull(directory, "dir");
        return this;
    }

    public Launch<R> stdin(byte[] data) {
        this.stdinBytes = data.clone();
        this.stdinStream = null;
        return this;
    }

    public Launch<R> stdin(String text) {
        return stdin(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Standard input from a local file, streamed to every node. */
    public Launch<R> stdin(Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("stdin: cannot read '" + file + "'");
        }
        this.stdinStream = () -> {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        this.stdinBytes = null;
        return this;
    }

    public Launch<R> stdin(File file) {
        return stdin(file.toPath());
    }

    /** Standard input from a stream; with several nodes only the first can consume it, so use bytes or a file. */
    public Launch<R> stdin(InputStream in) {
        this.stdinStream = () -> in;
        this.stdinBytes = null;
        return this;
    }

    /** After this long the process gets SIGTERM, then SIGKILL 5 s later, and counts as timed out. */
    public Launch<R> timeout(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("timeout: " + limit.toMillis() / 1000.0
                    + " s is not a time limit; give a positive number of seconds");
        }
        this.timeout = limit;
        return this;
    }

    public Launch<R> timeout(Number seconds) {
        return timeout(Duration.ofMillis(Math.round(seconds.doubleValue() * 1000)));
    }

    /** Pushes further files (libraries, data) into the session's staging directory beside the program. */
    public Launch<R> files(Object... paths) {
        for (Object p : paths) {
            blobs.add(reader.read(Path.of(String.valueOf(p))));
        }
        return this;
    }

    /**
     * Pushes {@code local} into the staging directory as {@code name}, a relative path inside it ({@code lib/x.so}),
     * read-only (hard-linked from the node's cache).
     */
    public Launch<R> file(Path local, String name) {
        LocalBlob blob = reader.read(local);
        blobs.add(new LocalBlob(blob.path(), name, blob.hash(), blob.data(), blob.executable()));
        return this;
    }

    /** Starts as the foreground job of the current evaluation and returns at once. */
    public R run() {
        background = false;
        return starter.apply(this);
    }

    /** Starts in the background: the REPL does not wait for it ({@code /jobs} lists it). */
    public R start() {
        background = true;
        return starter.apply(this);
    }

    boolean background() {
        return background;
    }

    ExecRequest request(String jobId) {
        return new ExecRequest(program, args, env, dir, blobs, stdinBytes, stdinStream, timeout, jobId);
    }

    @Override
    public String toString() {
        return request(null).commandLine();
    }
}
