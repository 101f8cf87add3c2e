package org.gproc.repl;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import groovy.lang.GroovyShell;
import org.gproc.client.Job;
import org.gproc.client.ProcessTracker;
import org.gproc.client.ProgressListener;
import org.gproc.client.RemoteProcess;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.Terminal.Signal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive gproc shell: Groovy on a JLine 3 line reader, with the caller's bindings ({@code cluster},
 * {@code nodes}) and top-level {@code def}s that persist between lines.
 * <p>
 * Every process an input starts is that input's foreground job ({@link ForegroundEvaluation}): its output streams
 * as {@code node: line}, in a stable colour per node on a colour terminal, and the prompt returns when all of them
 * have ended. Ctrl-C while waiting sends SIGINT to all of them (again: SIGKILL; a third time: stop waiting); at the
 * prompt it clears the line. Ctrl-D or {@code /exit} leaves. History persists in the given file.
 * <p>
 * Built on a plain {@link LineReader} and {@link GroovyShell} rather than groovysh's engine: it starts faster, and
 * groovysh's {@code GroovyEngine.execute} does not keep {@code def}s between calls; {@link ReplState} does.
 */
public final class Repl {

    public static final String PROMPT = "gproc> ";
    static final String CONTINUATION_PROMPT = "  ...> ";
    static final String RESULT = "===> ";

    private final Terminal terminal;
    private final ProcessTracker tracker;
    private final TerminalOutput output;
    private final CompletableFuture<GroovyEvaluator> evaluator = new CompletableFuture<>();
    private final ReplCommands commands;
    private final LineReader reader;
    private final ProgressLine progress;
    private final Map<String, Object> bindings = new ConcurrentHashMap<>();
    private boolean groovyStarted;

    /**
     * @param terminal    the user's terminal ({@code TerminalBuilder.terminal()}); the REPL does not close it
     * @param bindings    variables the user's code sees, e.g. {@code cluster}, {@code nodes}
     * @param tracker     the tracker the cluster API reports started processes to
     * @param historyFile where history persists ({@code ~/.gproc/history}); created (mode 0600) if missing
     */
    public Repl(Terminal terminal, Map<String, Object> bindings, ProcessTracker tracker, Path historyFile) {
        this(terminal, bindings, tracker, historyFile, System.getenv());
    }

    Repl(Terminal terminal, Map<String, Object> bindings, ProcessTracker tracker, Path historyFile,
         Map<String, String> env) {
        this.terminal = terminal;
        this.tracker = tracker;
        this.output = new TerminalOutput(terminal, NodeColours.forTerminal(terminal, env));
        this.progress = new ProgressLine(output);
        bindings.forEach(this::bind);
        Supplier<Map<?, ?>> variables = () -> evaluator.isDone() && !evaluator.isCompletedExceptionally()
                ? evaluator.join().binding().getVariables() : this.bindings;
        this.commands = new ReplCommands(variables, tracker, output, this::foreground);
        prepareHistory(historyFile);
        this.reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("gproc")
                .parser(new GroovyLineParser())
                .completer(new ReplCompleter(variables, ReplCommands.NAMES))
                .variable(LineReader.HISTORY_FILE, historyFile)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUATION_PROMPT)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' is node set difference
                .option(LineReader.Option.INSERT_TAB, true) // pasted indented code must not trigger completion
                .build();
        output.attach(reader);
        // Groovy loads once the reader is set up and about to draw the first prompt, so it does not compete with
        // that on a busy machine
        reader.getWidgets().put(LineReader.CALLBACK_INIT, () -> {
            startGroovy();
            return true;
        });
    }

    /** The default history file, {@code ~/.gproc/history}. */
    public static Path defaultHistoryFile() {
        return Path.of(System.getProperty("user.home"), ".gproc", "history");
    }

    /**
     * Draws the progress line of a push or fan-out over many nodes: hand it to the cluster API
     * ({@code ClusterOptions.withProgress}). Usable at once, so the cluster can connect before {@link #bind}.
     */
    public ProgressListener progress() {
        return progress;
    }

    /** Binds (or, with null, unbinds) a variable the user's code sees; callable before and during {@link #run}. */
    public Repl bind(String name, Object value) {
        synchronized (bindings) {
            if (value == null) {
                bindings.remove(name);
            } else {
                bindings.put(name, value);
            }
            if (evaluator.isDone() && !evaluator.isCompletedExceptionally()) {
                evaluator.join().binding().setVariable(name, value);
            }
        }
        return this;
    }

    /** Reads and evaluates lines until Ctrl-D or {@code /exit}; saves the history. */
    public void run() {
        output.note("gproc: Groovy with your cluster bound; /help lists commands, Ctrl-D leaves");
        try {
            while (true) {
                String line;
                try {
                    line = reader.readLine(PROMPT);
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C at the prompt clears the line
                } catch (EndOfFileException e) {
                    break;
                }
                String source = line.strip();
                if (source.isEmpty()) {
                    continue;
                }
                if (ReplCommands.isCommand(source)) {
                    if (commands.run(source) == ReplCommands.Result.EXIT) {
                        break;
                    }
                    continue;
                }
                evaluate(line);
            }
        } finally {
            saveHistory();
        }
    }

    private void evaluate(String source) {
        ForegroundEvaluation evaluation = new ForegroundEvaluation(output, tracker);
        ErrorReport errors = new ErrorReport(null, source.strip().contains("\n"));
        ForegroundEvaluation.Outcome outcome = withInterrupts(evaluation::interrupt, () -> evaluation.run(
                "gproc-eval", () -> evaluator.join().evaluate(source), failure -> output.error(errors.describe(failure))));
        output.endLine();
        String summary = evaluation.job().failureSummary();
        if (summary != null) {
            output.note(summary);
        }
        if (outcome.failure() == null && shown(outcome.value())) {
            output.plain(RESULT + ResultText.of(outcome.value()));
        }
    }

    /** {@code /fg}: waits for background processes as if a line had started them. */
    private void foreground(List<RemoteProcess> processes) {
        ForegroundJob job = new ForegroundJob(output, process -> {});
        withInterrupts(job::interrupt, () -> {
            processes.forEach(job::add);
            job.await();
            return null;
        });
        output.endLine();
        String summary = job.failureSummary();
        if (summary != null) {
            output.note(summary);
        }
    }

    private <T> T withInterrupts(Runnable onInterrupt, Supplier<T> body) {
        Terminal.SignalHandler previous = terminal.handle(Signal.INT, signal -> onInterrupt.run());
        try {
            return body.get();
        } finally {
            terminal.handle(Signal.INT, previous);
            Thread.interrupted();
        }
    }

    /** Results worth printing: not nothing, and not processes, whose output says more than their toString. */
    static boolean shown(Object value) {
        if (value == null || value instanceof RemoteProcess || value instanceof Job) {
            return false;
        }
        if (value instanceof Collection<?> collection && !collection.isEmpty()) {
            return !collection.stream().allMatch(e -> e instanceof RemoteProcess || e instanceof Job);
        }
        return true;
    }

    private static void prepareHistory(Path historyFile) {
        try {
            Path parent = historyFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!Files.exists(historyFile)) {
                Files.createFile(historyFile);
                try {
                    Files.setPosixFilePermissions(historyFile, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: keep its default permissions
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("history file " + historyFile + ": cannot create it: " + e.getMessage(), e);
        }
    }

    private void saveHistory() {
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            output.error("history: cannot save to " + reader.getVariable(LineReader.HISTORY_FILE) + ": "
                    + e.getMessage());
        }
    }

    /**
     * Groovy's runtime and compiler take a second or more to load, so they load on a background thread while the
     * prompt is already up and the user types; the first evaluation waits for them if it has to. A throwaway compile
     * then warms the compiler, so the first line does not pay for that either.
     */
    private void startGroovy() {
        if (groovyStarted) {
            return;
        }
        groovyStarted = true;
        Thread loader = new Thread(() -> {
            try {
                GroovyEvaluator groovy = new GroovyEvaluator(Map.of(), true);
                groovy.setOut(new PrintWriter(output.scriptWriter(), true));
                synchronized (bindings) {
                    bindings.forEach((name, value) -> groovy.binding().setVariable(name, value));
                    evaluator.complete(groovy);
                }
                new GroovyShell().parse("[1].collect { it + 1 }");
            } catch (Throwable t) {
                evaluator.completeExceptionally(t);
            }
        }, "gproc-groovy-loader");
        loader.setDaemon(true);
        loader.start();
    }

    /** A bare REPL with no cluster bound: to try the shell and to measure its start-up. */
    public static void main(String[] args) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().name("gproc").build()) {
            Path history = args.length > 0 ? Path.of(args[0]) : defaultHistoryFile();
            new Repl(terminal, Map.of(), new ProcessTracker(), history).run();
        }
    }
}
