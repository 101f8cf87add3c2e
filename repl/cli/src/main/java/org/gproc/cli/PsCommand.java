package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.Node;
import org.gproc.client.ProcessInfo;
import org.gproc.repl.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code gproc ps [-a] [-w NODES]}: XCPU's xps — the caller's running processes (with {@code -a} also exited ones) on every node, one table. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "List your running processes on every node (node, session, pid, state, owner, cpu, rss, start, argv).")
final class PsCommand implements Callable<Integer> {
    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "-w", paramLabel = "NODES", description = "Only these nodes (default: all).")
    String nodes;

    @Option(names = {"-a", "--all"}, description = "Also the processes that have exited (until their session is wiped).")
    boolean all;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try (Cluster cluster = ClusterAccess.open(cli, nodes, Duration.ofSeconds(10))) {
            Table table = new Table("NODE", "SESSION", "PID", "STATE", "OWNER", "CPU", "RSS", "START", "ARGV");
            for (ProcessInfo p : cluster.ps(all)) {
                table.row(p.getNode(), p.getSession(), p.getPid(), p.getState(), p.getOwner(),
                        String.format(Locale.ROOT, "%.1f", p.getCpu()), p.getRss(), p.getStart(), p.getArgv());
            }
            table.print(spec.commandLine().getOut(), cli.json());
            for (Node down : cluster.getDown()) {
                err.println("gproc: " + down.getName() + ": " + down.getDownReason());
            }
            err.flush();
            return cluster.getDown().isEmpty() ? 0 : 1;
        }
    }
}
