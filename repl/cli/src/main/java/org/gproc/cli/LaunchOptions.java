package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.ClusterOptions;
import org.gproc.client.LaunchGuard;
import org.gproc.client.RemoteProcess;
import org.gproc.repl.ProgressLine;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Function;

/**
 * The guard rails of the commands that start processes ({@code exec}, {@code copy}, {@code rcopy}, {@code run}): {@code --dry-run}
 * (say what would run where and what would be sent; start nothing), {@code --yes} (no question above the
 * inventory's {@code confirmAbove}), and {@code --quiet} / {@code --progress} (the progress line, drawn by default
 * only on a terminal).
 */
final class LaunchOptions {
    @Option(names = "--dry-run", description = "Print what would run on which node and what would be sent"
            + " (bytes per node, cached or not); start nothing.")
    boolean dryRun;

    @Option(names = "--yes", description = "Start without asking, also on more nodes than the inventory's"
            + " cluster.confirmAbove.")
    boolean yes;

    @Option(names = "--quiet", description = "No progress line.")
    boolean quiet;

    @Option(names = "--progress", description = "A progress line on standard error even when it is not a"
            + " terminal (default: only on a terminal).")
    boolean progress;

    /** {@code options} with this command's guard and progress line; {@code err} is where both write. */
    ClusterOptions apply(ClusterOptions options, Caller caller, PrintWriter err) {
        if (quiet && progress) {
            throw new IllegalArgumentException("--quiet and --progress contradict each other: give one");
        }
        InputStream stdin = caller.stdin();
        boolean terminal = caller.interactive();
        LaunchGuard guard = yes ? LaunchGuard.APPROVE : terminal ? new TerminalGuard(stdin, err) : LaunchGuard.REFUSE;
        ClusterOptions guarded = options.withGuard(guard);
        if (quiet || !(progress || terminal)) {
            return guarded;
        }
        ProgressLine line = ProgressLine.onStream(err);
        return guarded.withProgress(line).withListener(line);
    }

    /**
     * With {@code --dry-run}: prints on {@code out} what starting every run would do (nothing starts) and returns
     * true; otherwise asks the guard about starting {@code what} on all of {@code cluster} and returns false.
     */
    boolean dryRunOrConfirm(Cluster cluster, List<NodeRun> runs, Function<NodeRun, RemoteProcess> starter,
                            String what, PrintWriter out) {
        if (dryRun) {
            dryRun(cluster, runs, starter, out);
            return true;
        }
        cluster.confirm(cluster.getAll(), what);
        return false;
    }

    /** Prints on {@code out} what starting every run would do; nothing starts. */
    void dryRun(Cluster cluster, List<NodeRun> runs, Function<NodeRun, RemoteProcess> starter, PrintWriter out) {
        out.print(cluster.dryRun(() -> runs.forEach(starter::apply)).toText());
        out.flush();
    }
}
