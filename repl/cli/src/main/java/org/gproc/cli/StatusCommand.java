package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.Node;
import org.gproc.repl.Table;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.NodeState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code gproc status [-w NODES]}: XCPU's xstat — is each node up, what is it, how loaded. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show each node: up or down (and why), architecture, system, load, free memory, running"
                + " sessions and daemon version.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "-w", paramLabel = "NODES", description = "Only these nodes (default: all).")
    String nodes;

    @Override
    public Integer call() {
        try (Cluster cluster = ClusterAccess.open(cli, nodes, Duration.ofSeconds(10))) {
            Table table = new Table("NODE", "STATUS", "ARCH", "UNAME", "LOAD", "MEM_AVAIL", "RUNNING", "VERSION");
            for (Node node : cluster.getAll()) {
                if (!node.isUp()) {
                    table.row(node.getName(), "down: " + node.getDownReason(), "-", "-", "-", "-", "-", "-");
                    continue;
                }
                try {
                    NodeState state = NodeState.parse(node.getState());
                    table.row(node.getName(), "up", node.getArch(), node.getUname(), String.join(" ", state.load()),
                            mib(state.memAvail()) + "/" + mib(state.memTotal()) + " MiB",
                            state.running() + "/" + state.sessions(), state.version());
                } catch (NinePException | RuntimeException e) {
                    table.row(node.getName(), "error: " + e.getMessage(), "-", "-", "-", "-", "-", "-");
                }
            }
            table.print(spec.commandLine().getOut(), cli.json());
            return cluster.getDown().isEmpty() ? 0 : 1;
        }
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }
}
