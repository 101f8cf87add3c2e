package org.gproc.cli;

import org.gproc.client.Hostlist;
import org.gproc.client.OutputListener;
import org.gproc.client.RemoteProcess;
import org.gproc.transport.text.Json;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How {@code gproc exec} shows what the nodes printed, in the forms pdsh and clush users read:
 * <ul>
 *   <li>{@code STREAM}: each line as it arrives, {@code node: line} (standard error on standard error), {@code -N}
 *       without the prefix;</li>
 *   <li>{@code BY_NODE} ({@code -L}): the standard output lines once all have ended, node by node, the nodes by
 *       exit code and then in node order (as clush -L); standard error streams per node, labelled;</li>
 *   <li>{@code FOLD} ({@code -b}): identical standard outputs once, under a clush header (15 dashes, the node set and
 *       its size when more than one; no header with {@code -N}); as clush, nodes with another exit code are another
 *       group, groups come by exit code, then largest first; standard error streams per node, labelled;
 *       {@code FOLD_BOTH} ({@code -B}) folds standard output and error together;</li>
 *   <li>{@code DIFF} ({@code --diff}): a unified diff of every other group against the first one (the largest of the
 *       lowest exit code), as clush --diff;</li>
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
                throw new IllegalArgumentException("exec: cannot create the output directory '" + dir + "': "
                        + reason(e));
            }
        }
    }

    /** Why a directory could not be made, in words (the exception's own message is often just the path). */
    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "it exists and is not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return "not possible here";
    }

    /** A node's process has started: stream its lines if this mode streams them. */
    void started(NodeRun run) {
        boolean streamOut = mode == Mode.STREAM;
        boolean streamErr = mode == Mode.STREAM || mode == Mode.FOLD || mode == Mode.DIFF || mode == Mode.BY_NODE;
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

    /** clush -L: standard output node by node, the nodes by exit code and then in node order (stderr went live). */
    private void byNode(List<NodeRun> runs) {
        List<NodeRun> ordered = new ArrayList<>(runs);
        ordered.sort(Comparator.comparingInt(NodeRun::exitCode));
        for (NodeRun r : ordered) {
            NodeRun.lines(r.stdoutText()).forEach(line -> print(out, r.node, line));
        }
    }

    /** clush -b and -B: each output under its node set (with -N, the output alone). */
    private void folded(List<NodeRun> runs, boolean both) {
        for (Group group : groups(runs, both)) {
            if (group.text.isEmpty()) {
                continue;
            }
            if (!noPrefix) {
                out.println(DASHES);
                out.println(label(group.nodes));
                out.println(DASHES);
            }
            out.print(group.text.endsWith("\n") ? group.text : group.text + "\n");
        }
    }

    /**
     * clush --diff: the first output (of the lowest exit code, the largest node set) is the reference; every other,
     * and the nodes of each exit code that printed nothing once a reference exists, as a unified diff against it.
     */
    private void diff(List<NodeRun> runs) {
        Group base = null;
        for (Group other : groups(runs, false)) {
            if (base == null) {
                if (!other.text.isEmpty()) {
                    base = other;
                }
                continue;
            }
            out.print(UnifiedDiff.of(label(base.nodes), NodeRun.lines(base.text), label(other.nodes),
                    NodeRun.lines(other.text)));
        }
    }

    /** The nodes with one exit code that printed one text. */
    private record Group(int exit, String text, List<String> nodes) {
    }

    /**
     * Output text to the nodes that printed it, in clush's order: by exit code, then the largest set first, then by
     * first node name; the nodes of an exit code that printed nothing come after that exit code's texts.
     */
    private static List<Group> groups(List<NodeRun> runs, boolean both) {
        Map<Integer, Map<String, List<String>>> byExit = new TreeMap<>();
        for (NodeRun r : runs) {
            String text = both ? r.stdoutText() + r.stderrText() : r.stdoutText();
            byExit.computeIfAbsent(r.exitCode(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(text, k -> new ArrayList<>()).add(r.node);
        }
        List<Group> groups = new ArrayList<>();
        byExit.forEach((exit, byText) -> {
            List<Group> texts = new ArrayList<>();
            byText.forEach((text, nodes) -> texts.add(new Group(exit, text, nodes)));
            texts.sort(Comparator.comparing((Group g) -> g.text.isEmpty()).thenComparing(g -> -g.nodes.size())
                    .thenComparing(g -> g.nodes.get(0)));
            groups.addAll(texts);
        });
        return groups;
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
