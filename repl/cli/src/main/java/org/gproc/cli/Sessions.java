package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.ClusterListener;
import org.gproc.client.ClusterOptions;
import org.gproc.client.Inventory;
import org.gproc.client.ProcessTracker;
import org.gproc.repl.Repl;
import org.gproc.repl.ScriptRunner;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Connects a cluster and hands it to the REPL or the batch runner as the bindings {@code cluster} and {@code nodes}. */
final class Sessions {
    private Sessions() {
    }

    static int repl(Inventory inventory, ClusterOptions options) throws IOException {
        ProcessTracker tracker = new ProcessTracker();
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            Repl repl = new Repl(terminal, Map.of(), tracker, Repl.defaultHistoryFile());
            ClusterOptions shown = options.withTracker(tracker).withProgress(repl.progress())
                    .withGuard(new TerminalGuard(terminal.input(), new PrintWriter(terminal.output(), true)));
            if (repl.progress() instanceof ClusterListener bytesSent) {
                shown = shown.withListener(bytesSent);
            }
            try (Cluster cluster = Cluster.connect(inventory, shown)) {
                PrintStream err = new PrintStream(terminal.output(), true);
                reportDown(cluster, err);
                repl.bind("cluster", cluster).bind("nodes", cluster.getNodes());
                repl.run();
            }
        }
        return 0;
    }

    static int script(Inventory inventory, ClusterOptions options, Path script, List<String> args) {
        ProcessTracker tracker = new ProcessTracker();
        try (Cluster cluster = Cluster.connect(inventory, options.withTracker(tracker))) {
            reportDown(cluster, System.err);
            return ScriptRunner.run(script, args, Map.of("cluster", cluster, "nodes", cluster.getNodes()), tracker);
        }
    }

    /**
     * Runs {@code script} inside {@code cluster.dryRun}: every launch it makes is listed on {@code out} (node, arch,
     * command, files to send) and nothing starts. The script's own output and exit status are kept; 0 unless it
     * failed.
     */
    static int dryRunScript(Inventory inventory, ClusterOptions options, Path script, List<String> args,
                            PrintWriter out) {
        ProcessTracker tracker = new ProcessTracker();
        try (Cluster cluster = Cluster.connect(inventory, options.withTracker(tracker))) {
            reportDown(cluster, System.err);
            int[] status = new int[1];
            var report = cluster.dryRun(() -> status[0] = ScriptRunner.run(script, args,
                    Map.of("cluster", cluster, "nodes", cluster.getNodes()), tracker));
            out.print(report.toText());
            out.flush();
            return status[0] == 1 ? 1 : 0;
        }
    }

    private static void reportDown(Cluster cluster, PrintStream err) {
        cluster.getDownReasons().forEach((node, reason) -> err.println("gproc: " + node + " is down: " + reason));
        err.flush();
    }
}
