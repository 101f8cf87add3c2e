package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.Node;
import org.gproc.client.OutputListener;
import org.gproc.client.ProcessInfo;
import org.gproc.client.RemoteProcess;
import org.gproc.repl.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gproc attach}: recovers the work of a control node that died. Sessions live on the nodes, so every byte of
 * output and every exit status is still there: without arguments it lists the sessions of yours that ran a process;
 * with {@code NODE:SESSION}s (or {@code --all}) it follows them as {@code gproc exec} would have, output from the
 * first byte as {@code node: line}, and exits with the largest exit code.
 */
@Command(name = "attach", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List the sessions of yours that ran a process, or follow some of them again.",
                "Following prints their output from the first byte as 'node: line' and waits for them;",
                "the exit status is the largest exit code, as for exec (255: a session could not be followed)."})
final class AttachCommand implements Callable<Integer> {
    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "-w", paramLabel = "NODES", description = "Only these nodes (default: all).")
    String nodes;

    @Option(names = "--all", description = "Follow every listed session, running or exited.")
    boolean all;

    @Parameters(paramLabel = "NODE:SESSION", arity = "0..*", description = "Sessions to follow, e.g. n3:12.")
    List<String> targets = List.of();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (String t : targets) {
            if (!t.matches("[^:]+:\\d+")) {
                err.println("gproc attach: '" + t + "' is not NODE:SESSION (e.g. n3:12)");
                err.flush();
                return 2;
            }
        }
        if (all && !targets.isEmpty()) {
            err.println("gproc attach: name sessions or give --all, not both");
            err.flush();
            return 2;
        }
        try (Cluster cluster = ClusterAccess.open(cli, nodes, Duration.ofSeconds(10))) {
            Map<String, ProcessInfo> sessions = new LinkedHashMap<>();
            for (ProcessInfo row : cluster.ps(true)) {
                if (row.isSessionProcess()) {
                    sessions.put(row.getId(), row);
                }
            }
            for (Node down : cluster.getDown()) {
                err.println("gproc: " + down.getName() + ": " + down.getDownReason());
            }
            int status = cluster.getDown().isEmpty() ? 0 : 1;
            if (targets.isEmpty() && !all) {
                list(sessions.values(), out);
                err.flush();
                return status;
            }
            List<ProcessInfo> chosen = new ArrayList<>();
            for (String t : all ? List.copyOf(sessions.keySet()) : targets) {
                ProcessInfo row = sessions.get(t);
                if (row == null) {
                    err.println("gproc attach: " + t + ": no session of yours there that ran a process"
                            + " (gproc attach lists them)");
                    status = Math.max(status, 255);
                } else {
                    chosen.add(row);
                }
            }
            err.flush();
            return Math.max(status, follow(cluster, chosen, out, err));
        }
    }

    private void list(Iterable<ProcessInfo> rows, PrintWriter out) {
        Table table = new Table("NODE", "SESSION", "PID", "STATE", "ARGV");
        for (ProcessInfo p : rows) {
            table.row(p.getNode(), p.getSession(), p.getPid(), p.getState(), p.getArgv());
        }
        table.print(out, cli.json());
    }

    /** Streams each one's output as it is read back, waits for all; the largest exit code. */
    private static int follow(Cluster cluster, List<ProcessInfo> rows, PrintWriter out, PrintWriter err)
            throws InterruptedException {
        List<RemoteProcess> followed = new ArrayList<>();
        for (ProcessInfo row : rows) {
            RemoteProcess p = cluster.reattach(row);
            p.subscribe((process, stream, line) -> {
                PrintWriter to = stream == OutputListener.Stream.STDOUT ? out : err;
                synchronized (to) {
                    to.println(process.node() + ": " + line);
                    to.flush();
                }
            });
            followed.add(p);
        }
        int largest = 0;
        for (RemoteProcess p : followed) {
            p.waitFor();
            int code = p.exitValue();
            if (p.failure().isPresent() || code != 0) {
                synchronized (err) {
                    err.println("gproc: " + p.node() + ":" + p.session() + ": "
                            + p.failure().orElseGet(() -> p.exitStatus().orElse("exit " + code)));
                    err.flush();
                }
            }
            largest = Math.max(largest, code);
        }
        return Math.min(largest, 255);
    }
}
