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
import java.time.ZoneId;
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

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10", converter = Seconds.class,
            description = "How long to wait for each node's connection (default ${DEFAULT-VALUE}).")
    double connectTimeout;

    /**
     * People read RSS in KiB/MiB/GiB and START as a time of day (a date when not today); {@code --json} has the
     * numbers: session, pid, cpu (percent), rss (bytes) and start (Unix seconds).
     */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String selected = nodes == null ? null : ClusterAccess.targets(cli, "ps", nodes, null).fold();
        try (Cluster cluster = ClusterAccess.open(cli, selected, Seconds.duration(connectTimeout))) {
            Table table = new Table("NODE", "SESSION", "PID", "STATE", "OWNER", "CPU", "RSS", "START", "ARGV");
            ZoneId zone = ZoneId.systemDefault();
            for (ProcessInfo p : cluster.ps(all)) {
                long start = Long.parseLong(p.getStart());
                table.row(p.getNode(), Table.shown(Long.parseLong(p.getSession()), p.getSession()), p.getPid(),
                        p.getState(), p.getOwner(),
                        Table.shown(p.getCpu(), String.format(Locale.ROOT, "%.1f", p.getCpu())),
                        Table.shown(p.getRss() * 1024, Units.bytes(p.getRss() * 1024)),
                        Table.shown(start, Units.start(start, zone)), p.getArgv());
            }
            table.print(spec.commandLine().getOut(), cli.json());
            for (Node down : cluster.getDown()) {
                err.println("gproc: " + down.getName() + " is down: " + down.getDownReason());
            }
            err.flush();
            return cluster.getDown().isEmpty() ? 0 : 1;
        }
    }
}
