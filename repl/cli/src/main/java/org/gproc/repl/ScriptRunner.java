package org.gproc.repl;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.gproc.client.Job;
import org.gproc.client.ProcessTracker;
import org.gproc.client.ProgressListener;
import org.jline.utils.Signals;

/**
 * {@code gproc run script.groovy [args]}: runs a Groovy script with the REPL's bindings plus {@code args}
 * (a {@code String[]}), as one foreground job: every process it starts streams {@code node: line} (standard error to
 * standard error) from the moment it starts, and the run ends once the script has returned and all of them have
 * ended. Ctrl-C sends them SIGINT, again SIGKILL, a third time stops waiting (they keep running on their nodes).
 * <p>
 * Exit status, so that scripts compose in shell pipelines and CI:
 * <ul>
 *   <li>{@value #SCRIPT_FAILED} — the script did not compile or threw; the error, with the script's file name and
 *       line, is on standard error;</li>
 *   <li>{@value #INTERRUPTED} — the user pressed Ctrl-C (128 + SIGINT, as a shell reports it);</li>
 *   <li>{@value #PROCESS_FAILED} — the script succeeded but a process it started failed (a non-zero exit or a
 *       signal); standard error names each one as {@code node:session status};</li>
 *   <li>0 — otherwise.</li>
 * </ul>
 * The script's value decides when it has one, so a script that handles failures can say how it went:
 * <ul>
 *   <li>a number — that exit status (0 to 255; outside that range the script fails, exit 1);</li>
 *   <li>a {@link Job} — its verdict: 0 when every one of its processes succeeded, else {@value #PROCESS_FAILED}.
 *       Earlier failures count as handled: a script that retries the failed nodes and returns the retry exits 0
 *       when the retry succeeded;</li>
 *   <li>anything else (nothing, a string, a list) — the rules above.</li>
 * </ul>
 * End such a script with an explicit {@code return job} or {@code return 3}: only the last statement's value counts.
 */
public final class ScriptRunner {

    public static final int SCRIPT_FAILED = 1;
    public static final int PROCESS_FAILED = 2;
    public static final int INTERRUPTED = 130;

    private final Map<String, Object> bindings;
    private final ProcessTracker tracker;
    private final PrintStream out;
    private final StreamOutput output;
    private final ProgressLine progress;
    private volatile ForegroundEvaluation current;

    /**
     * @param terminal whether standard error is a terminal: enables node colours and the in-place progress line
     */
    public ScriptRunner(Map<String, Object> bindings, ProcessTracker tracker, PrintStream out, PrintStream err,
                        boolean terminal) {
        this.bindings = new LinkedHashMap<>(bindings);
        this.tracker = tracker;
        this.out = out;
        this.output = new StreamOutput(out, err, terminal);
        this.progress = new ProgressLine(output);
    }

    /**
     * The CLI's entry: runs {@code script} on standard output and error, with Ctrl-C (SIGINT) handled as described
     * above; a fourth Ctrl-C exits at once, for a script stuck in a call that ignores interrupts.
     */
    public static int run(Path script, List<String> args, Map<String, Object> bindings, ProcessTracker tracker) {
        boolean terminal = System.console() != null
                && NodeColours.colourAllowed(System.getenv().getOrDefault("TERM", "dumb"), System.getenv());
        ScriptRunner runner = new ScriptRunner(bindings, tracker, System.out, System.err, terminal);
        int[] presses = {0};
        Object previous = Signals.register("INT", () -> {
            if (++presses[0] > 3) {
                System.exit(INTERRUPTED);
            }
            runner.interrupt();
        });
        try {
            return runner.run(script, args);
        } finally {
            Signals.unregister("INT", previous);
        }
    }

    /** Draws the progress line of a push or fan-out over many nodes; hand it to the cluster API. */
    public ProgressListener progress() {
        return progress;
    }

    /** Binds a variable the script sees, e.g. once the cluster is connected (with {@link #progress()}). */
    public synchronized ScriptRunner bind(String name, Object value) {
        bindings.put(name, value);
        return this;
    }

    /** What Ctrl-C does; callable from any thread. */
    public void interrupt() {
        ForegroundEvaluation evaluation = current;
        if (evaluation != null) {
            evaluation.interrupt();
        }
    }

    /** Runs the script and returns the exit status (see the class comment). */
    public int run(Path script, List<String> args) {
        if (!Files.isRegularFile(script) || !Files.isReadable(script)) {
            output.error("gproc run: " + script + ": no such readable file");
            return SCRIPT_FAILED;
        }
        GroovyEvaluator evaluator;
        synchronized (this) {
            evaluator = new GroovyEvaluator(bindings, false);
        }
        evaluator.binding().setVariable("args", args.toArray(new String[0]));
        evaluator.setOut(new PrintWriter(out, true));
        ErrorReport errors = new ErrorReport(script.getFileName().toString(), true);
        ForegroundEvaluation evaluation = new ForegroundEvaluation(output, tracker);
        current = evaluation;
        ForegroundEvaluation.Outcome outcome;
        try {
            outcome = evaluation.run("gproc-script", () -> evaluator.run(script.toFile()),
                    failure -> output.error(errors.describe(failure)));
        } finally {
            current = null;
            output.status(null);
        }
        String summary = evaluation.job().failureSummary();
        if (summary != null) {
            output.note("gproc run: " + summary);
        }
        if (outcome.interrupted()) {
            return INTERRUPTED;
        }
        if (outcome.failure() != null) {
            return SCRIPT_FAILED;
        }
        Object value = outcome.value();
        if (value instanceof Number number) {
            long code = number.longValue();
            if (code < 0 || code > 255 || number.doubleValue() != code) {
                output.error("gproc run: " + script.getFileName() + " returned " + number
                        + ": an exit status is a whole number from 0 to 255");
                return SCRIPT_FAILED;
            }
            return (int) code;
        }
        if (value instanceof Job job) {
            return job.getSucceeded().size() == job.getProcesses().size() ? 0 : PROCESS_FAILED;
        }
        return summary != null ? PROCESS_FAILED : 0;
    }
}
