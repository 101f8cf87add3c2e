package org.gproc.client;

import org.gproc.client.internal.exec.ExecRequest;
import org.gproc.client.internal.exec.LocalBlob;
import org.gproc.client.internal.exec.LocalBlobs;
import org.gproc.client.internal.exec.PushPlan;
import org.gproc.transport.xcpu.Tokens;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
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
    /** The job variables every process gets: its job, its rank in the job (node order), the job's size, its node. */
    public static final String JOB_ENV = "GPROC_JOB";
    public static final String RANK_ENV = "GPROC_RANK";
    public static final String SIZE_ENV = "GPROC_SIZE";
    public static final String NODE_ENV = "GPROC_NODE";

    private final String program;
    /** What is pushed as the program (one binary, or one per arch); null for the node's own program. */
    private PushPlan plan;
    private final Map<String, Path> pushedPrograms;
    private boolean libraries;
    /** Further files linked beside the program ({@link #files}). */
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
    private Place place;

    Launch(String program, List<Path> pushed, LocalBlobs reader, Function<Launch<R>, R> starter) {
        this(program, pushed.isEmpty() ? Map.of() : Map.of("", pushed.get(0)),
                pushed.isEmpty() ? List.of() : pushed.subList(1, pushed.size()), false, reader, starter);
    }

    /**
     * A push of {@code programs} (key "" for one binary for every node, else arch to binary), with {@code extra}
     * files beside it; with {@code libs}, each binary's shared-library closure too.
     */
    Launch(Map<String, Path> programs, List<Path> extra, boolean libs, LocalBlobs reader,
           Function<Launch<R>, R> starter) {
        this(null, requireProgram(programs), extra, libs, reader, starter);
    }

    /**
     * The launch {@code push(options, paths)} makes: {@code options} holds {@code libs} (a boolean) and arch names
     * mapped to that arch's binary ({@code x86_64: 'build/sim.x86_64'}); {@code paths} are the program (unless
     * binaries are given per arch) and further files.
     */
    static <R> Launch<R> pushing(Map<String, ?> options, Object[] paths, LocalBlobs reader,
                                 Function<Launch<R>, R> starter) {
        boolean libs = false;
        Map<String, Path> perArch = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : options.entrySet()) {
            if (e.getKey().equals("libs")) {
                if (!(e.getValue() instanceof Boolean b)) {
                    throw new IllegalArgumentException("push: libs: must be true or false, not '" + e.getValue() + "'");
                }
                libs = b;
            } else if (e.getValue() == null) {
                throw new IllegalArgumentException("push: no binary given for arch " + e.getKey());
            } else {
                perArch.put(e.getKey(), Path.of(String.valueOf(e.getValue())));
            }
        }
        List<Path> files = new ArrayList<>();
        for (Object p : paths) {
            files.add(Path.of(String.valueOf(Objects.requireNonNull(p, "push: null path"))));
        }
        if (perArch.isEmpty()) {
            if (files.isEmpty()) {
                throw new IllegalArgumentException("push: name at least the program to push");
            }
            return new Launch<>(Map.of("", files.get(0)), files.subList(1, files.size()), libs, reader, starter);
        }
        return new Launch<>(perArch, files, libs, reader, starter);
    }

    private static Map<String, Path> requireProgram(Map<String, Path> programs) {
        if (programs.isEmpty()) {
            throw new IllegalArgumentException("push: name at least the program to push");
        }
        return programs;
    }

    private Launch(String program, Map<String, Path> programs, List<Path> extra, boolean libs, LocalBlobs reader,
                   Function<Launch<R>, R> starter) {
        this.starter = starter;
        this.reader = reader;
        this.pushedPrograms = Map.copyOf(programs);
        this.libraries = libs;
        for (Path p : extra) {
            blobs.add(reader.read(p));
        }
        if (!programs.isEmpty()) {
            this.plan = makePlan();
            this.program = plan.programName();
        } else if (isBareName(program)) {
            // As gproc exec and a remote shell do: env(1) looks the name up in the node's PATH.
            this.program = PATH_LOOKUP;
            args.add(program);
        } else {
            this.program = requireAbsolute(program);
        }
    }

    private PushPlan makePlan() {
        Path one = pushedPrograms.get("");
        return one != null ? PushPlan.of(one, libraries, reader) : PushPlan.perArch(pushedPrograms, libraries, reader);
    }

    /**
     * With {@code true}, the pushed program's shared libraries (and its program interpreter) are pushed too, found
     * as the control node's loader finds them, and the process loads only those: the node's own libraries are never
     * used. Fails at once, naming the library, when one is not on the control node.
     */
    public Launch<R> libs(boolean withLibraries) {
        if (pushedPrograms.isEmpty()) {
            throw new IllegalStateException("libs: only a pushed program brings its libraries (use push(...))");
        }
        if (withLibraries != libraries) {
            libraries = withLibraries;
            plan = makePlan();
        }
        return this;
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

    /**
     * Appends arguments, each turned into a string; an array or collection among them is spread in order, so a
     * script's {@code String[] args} passed on becomes its words, not the array's Java name.
     */
    public Launch<R> args(Object... arguments) {
        for (Object a : arguments) {
            if (a instanceof Collection<?> c) {
                args(c.toArray());
            } else if (a != null && a.getClass().isArray()) {
                int n = Array.getLength(a);
                for (int i = 0; i < n; i++) {
                    args(Array.get(a, i));
                }
            } else {
                args.add(String.valueOf(Objects.requireNonNull(a, "args: null argument")));
            }
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

    /**
     * For a one-node launch: start it as rank {@code rank} of a job of {@code size} processes that the caller starts
     * one node at a time (a fan-out of limited width), so its job variables are the job's, not rank 0 of 1.
     * {@code job} comes from {@link Cluster#newJob()}.
     */
    public Launch<R> inJob(String job, int rank, int size) {
        if (job == null || job.isBlank() || size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("inJob: rank " + rank + " of " + size + " in job '" + job
                    + "' is not a place in a job (0 <= rank < size, job from cluster.newJob())");
        }
        place = new Place(job, rank, size);
        return this;
    }

    /** The place {@link #inJob} gave, or null. */
    Place place() {
        return place;
    }

    /** A job, rank and size chosen by the caller for a one-node launch. */
    record Place(String job, int rank, int size) {
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

    /** Where one process of a launch goes: its job, its rank in the job, the job's size, its node and arch. */
    record Placement(String job, int rank, int size, String node, String arch) {
    }

    /** True when each node's arch must be read before its request is made (to choose or check the binary). */
    boolean needsArch() {
        return plan != null && plan.needsArch();
    }

    /** What is pushed, for a dry run's accounting; null for the node's own program. */
    PushPlan plan() {
        return plan;
    }

    /**
     * The request for the process placed at {@code at}; throws {@link IllegalStateException} (nothing is sent) when
     * no pushed binary fits the node's arch.
     */
    ExecRequest request(Placement at) {
        Map<String, String> fullEnv = new LinkedHashMap<>(env);
        fullEnv.put(JOB_ENV, at.job());
        fullEnv.put(RANK_ENV, Integer.toString(at.rank()));
        fullEnv.put(SIZE_ENV, Integer.toString(at.size()));
        fullEnv.put(NODE_ENV, at.node());
        String jobId = at.job() + "/" + at.rank();
        if (plan == null) {
            return new ExecRequest(program, args, fullEnv, dir, blobs, stdinBytes, stdinStream, timeout, jobId);
        }
        PushPlan.Choice choice = plan.forNode(at.node(), at.arch(), dir);
        List<String> allArgs = new ArrayList<>(choice.leadingArgs());
        allArgs.addAll(args);
        List<LocalBlob> allBlobs = new ArrayList<>(choice.blobs());
        allBlobs.addAll(blobs);
        return new ExecRequest(choice.program(), allArgs, fullEnv, dir, allBlobs, stdinBytes, stdinStream, timeout,
                jobId);
    }

    /** The request as shown for a process that could not be placed (nothing is sent). */
    ExecRequest unplaced() {
        return new ExecRequest(program, args, env, dir, List.of(), null, null, null, null);
    }

    @Override
    public String toString() {
        List<String> line = new ArrayList<>();
        line.add(program.substring(program.lastIndexOf('/') + 1));
        line.addAll(args);
        return Tokens.join(line);
    }
}
