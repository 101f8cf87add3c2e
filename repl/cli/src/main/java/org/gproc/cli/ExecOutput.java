package org.gproc.cli;

import org.gproc.client.Hostlist;
import org.gproc.client.OutputListener;
import org.gproc.client.RemoteProcess;
import org.gproc.transport.text.Json;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@code gproc exec} shows what the nodes printed, in the forms pdsh and clush users read:
 * <ul>
 *   <li>{@code STREAM}: each line as it arrives, {@code node: line} (standard error on standard error), {@code -N}
 *       without the prefix;</li>
 *   <li>{@code BY_NODE} ({@code -L}): the same lines once all have ended, node by node in node order;</li>
 *   <li>{@code FOLD} ({@code -b}): identical standard outputs once, under a clush header (15 dashes, the node set and
 *       its size when more than one), largest group first; standard error streams per node, labelled;
 *       {@code FOLD_BOTH} ({@code -B}) folds standard output and error together;</li>
 *   <li>{@code DIFF} ({@code --diff}): a unified diff of every other output against the most common one;</li>
 *   <li>{@code JSON} ({@code --json}): one object per node per line, in node order, with node, exit, signal,
 *       stdout, stderr, start, end (Unix seconds, as the control node saw them), timed_out and error.</li>
 * </ul>
 * Failures are reported on standard error, one line per node ({@code gproc: n3: exit 1}), or folded like the output
 * ({@code gproc: n[1-4] (4): exit 3}) with -b, -B and --diff. {@code --outdir}/{@code --errdir} also write each node's
 * streams to {@code DIR/NODE}.
 */
final class ExecOutput {
    enum Mode { STREAM, BY_NODE, FOLD, FOLD_BOTH, DIFF, JSON }

    private static final String DASHES = "---------------";

    private final Mode mode;
    private final boolean noPrefix;
    private final Path outdir;
    private final Path errdir;
    private final PrintWriter out;
    private final PrintWriter err;

    ExecOutput(Mode mode, boolean noPrefix, Path outdir, Path errdir, PrintWriter out, PrintWriter err) {
        this.mode = mode;
        this.noPrefix = noPrefix;
        this.outdir = outdir;
        this.errdir = errdir;
        this.out = out;
        this.err = err;
    }

    /** Creates the output directories before anything runs, so a bad path fails the command at once. */
    void prepareDirectories() {
        for (Path dir : new Path[] {outdir, errdir}) {
            if (dir == null) {
                continue;
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot create output directory '" + dir + "': "
                        + (e.getMessage() == null ? "not possible here" : e.getMessage()));
            }
        }
    }

    /** A node's process has started: stream its lines if this mode streams them. */
    void started(NodeRun run) {
        boolean streamOut = mode == Mode.STREAM;
        boolean streamErr = mode == Mode.STREAM || mode == Mode.FOLD || mode == Mode.DIFF;
        if (!streamOut && !streamErr) {
            return;
        }
        run.process().subscribe(new OutputListener() {
            @Override
            public void onLine(RemoteProcess p, Stream stream, String line) {
                boolean isOut = stream == Stream.STDOUT;
                if (isOut ? streamOut : streamErr) {
                    print(isOut ? out : err, p.node(), line);
                }
            }
        });
    }

    private void print(PrintWriter to, String node, String line) {
        synchronized (to) {
            to.println(noPrefix ? line : node + ": " + line);
            to.flush();
        }
    }

    /** Prints what is printed at the end, writes the files, reports failures; returns the largest exit code. */
    int finish(List<NodeRun> runs, boolean json) {
        writeFiles(runs);
        switch (mode) {
            case BY_NODE -> byNode(runs);
            case FOLD -> folded(runs, false);
            case FOLD_BOTH -> folded(runs, true);
            case DIFF -> diff(runs);
            case JSON -> json(runs);
            default -> { }
        }
        out.flush();
        reportFailures(runs, mode == Mode.FOLD || mode == Mode.FOLD_BOTH || mode == Mode.DIFF);
        int status = 0;
        for (NodeRun r : runs) {
            status = Math.max(status, r.exitCode() == 0 && !r.succeeded() ? 1 : r.exitCode());
        }
        return Math.min(status, 255);
    }

    private void byNode(List<NodeRun> runs) {
        for (NodeRun r : runs) {
            NodeRun.lines(r.stdoutText()).forEach(line -> print(out, r.node, line));
            NodeRun.lines(r.stderrText()).forEach(line -> print(err, r.node, line));
        }
    }

    private void folded(List<NodeRun> runs, boolean both) {
        for (Map.Entry<String, List<String>> group : groups(runs, both).entrySet()) {
            String text = group.getKey();
            if (text.isEmpty()) {
                continue;
            }
            out.println(DASHES);
            out.println(label(group.getValue()));
            out.println(DASHES);
            out.print(text.endsWith("\n") ? text : text + "\n");
        }
    }

    private void diff(List<NodeRun> runs) {
        Map<String, List<String>> groups = groups(runs, false);
        if (groups.size() < 2) {
            return;
        }
        List<Map.Entry<String, List<String>>> ordered = new ArrayList<>(groups.entrySet());
        Map.Entry<String, List<String>> base = ordered.get(0);
        for (Map.Entry<String, List<String>> other : ordered.subList(1, ordered.size())) {
            out.print(UnifiedDiff.of(label(base.getValue()), NodeRun.lines(base.getKey()), label(other.getValue()),
                    NodeRun.lines(other.getKey())));
        }
    }

    /** Output text to the nodes that printed it: largest group first, then in node order (clush's order). */
    private static Map<String, List<String>> groups(List<NodeRun> runs, boolean both) {
        Map<String, List<String>> byText = new LinkedHashMap<>();
        for (NodeRun r : runs) {
            String text = both ? r.stdoutText() + r.stderrText() : r.stdoutText();
            byText.computeIfAbsent(text, k -> new ArrayList<>()).add(r.node);
        }
        Map<String, List<String>> ordered = new LinkedHashMap<>();
        byText.entrySet().stream().sorted((a, b) -> b.getValue().size() - a.getValue().size())
                .forEach(e -> ordered.put(e.getKey(), e.getValue()));
        return ordered;
    }

    /** {@code n[1-4] (4)}, or just {@code n1} for one node, as clush labels a group. */
    static String label(List<String> nodes) {
        String folded = Hostlist.fromList(nodes).fold();
        return nodes.size() == 1 ? folded : folded + " (" + nodes.size() + ")";
    }

    private void json(List<NodeRun> runs) {
        for (NodeRun r : runs) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("node", r.node);
            o.put("exit", r.exitCode());
            o.put("signal", r.signal());
            o.put("stdout", r.stdoutText());
            o.put("stderr", r.stderrText());
            o.put("start", seconds(r.start()));
            o.put("end", seconds(r.end()));
            o.put("timed_out", r.timedOut());
            o.put("error", r.error());
            out.println(Json.write(o));
        }
    }

    private static Double seconds(Instant t) {
        return t == null ? null : t.getEpochSecond() + t.getNano() / 1_000_000 / 1000.0;
    }

    private void writeFiles(List<NodeRun> runs) {
        for (NodeRun r : runs) {
            write(outdir, r, r.stdout());
            write(errdir, r, r.stderr());
        }
    }

    private static void write(Path dir, NodeRun r, byte[] bytes) {
        if (dir == null) {
            return;
        }
        try {
            Files.write(dir.resolve(r.node), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(r.node) + ": " + e.getMessage(), e);
        }
    }

    private void reportFailures(List<NodeRun> runs, boolean foldFailures) {
        Map<String, List<String>> byOutcome = new LinkedHashMap<>();
        for (NodeRun r : runs) {
            if (!r.succeeded()) {
                byOutcome.computeIfAbsent(r.outcome(), k -> new ArrayList<>()).add(r.node);
            }
        }
        synchronized (err) {
            if (foldFailures) {
                byOutcome.forEach((outcome, nodes) -> err.println("gproc: " + label(nodes) + ": " + outcome));
            } else {
                for (NodeRun r : runs) {
                    if (!r.succeeded()) {
                        err.println("gproc: " + r.node + ": " + r.outcome());
                    }
                }
            }
            err.flush();
        }
    }
}
