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

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gproc status [-w NODES]}: XCPU's xstat — is each node up, what is it, how loaded. Memory in GiB; why a node is
 * down is a numbered note under the table (nodes down for the same reason share one), so a long reason does not
 * widen every row. {@code --json} has the numbers (bytes, loads, counts) and the reason as fields.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show each node: up or down (and why), architecture, system, load, memory, running and all"
                + " sessions, and daemon version.",
                "Exit status: 0 when every node is up, 1 when one is down."})
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "-w", paramLabel = "NODES", description = "Only these nodes (default: all).")
    String nodes;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10", converter = Seconds.class,
            description = "How long to wait for each node's connection (default ${DEFAULT-VALUE}).")
    double connectTimeout;

    @Override
    public Integer call() {
        boolean json = cli.json();
        String selected = nodes == null ? null : ClusterAccess.targets(cli, "status", nodes, null).fold();
        try (Cluster cluster = ClusterAccess.open(cli, selected, Seconds.duration(connectTimeout))) {
            List<String> headers = new ArrayList<>(List.of("NODE", "STATUS", "ARCH", "UNAME", "LOAD", "MEM_AVAIL",
                    "MEM_TOTAL", "RUNNING", "SESSIONS", "VERSION"));
            if (json) {
                headers.add("REASON");
            }
            Table table = new Table(headers.toArray(String[]::new));
            Footnotes notes = new Footnotes();
            for (Node node : cluster.getAll()) {
                if (!node.isUp()) {
                    table.row(node.getName(), Table.shown("down", "down " + notes.mark(node.getName(),
                            node.getDownReason())), "-", "-", "-", "-", "-", "-", "-", "-", node.getDownReason());
                    continue;
                }
                try {
                    NodeState state = NodeState.parse(node.getState());
                    List<Double> load = state.load().stream().map(Double::valueOf).toList();
                    table.row(node.getName(), "up", node.getArch(), node.getUname(),
                            Table.shown(load, String.join(" ", state.load())),
                            Table.shown(state.memAvail(), Units.bytes(state.memAvail())),
                            Table.shown(state.memTotal(), Units.bytes(state.memTotal())),
                            state.running(), state.sessions(), state.version(), null);
                } catch (NinePException | RuntimeException e) {
                    String reason = "reading its state failed: " + e.getMessage();
                    table.row(node.getName(), Table.shown("error", "error " + notes.mark(node.getName(), reason)),
                            "-", "-", "-", "-", "-", "-", "-", "-", reason);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            table.print(out, json);
            if (!json) {
                notes.print(out);
            }
            return cluster.getDown().isEmpty() ? 0 : 1;
        }
    }

    /** Numbered reasons, one per distinct reason, each listing its nodes: {@code [1] n[3-4]: connection refused}. */
    static final class Footnotes {
        private final Map<String, List<String>> byReason = new LinkedHashMap<>();

        String mark(String node, String reason) {
            byReason.computeIfAbsent(reason, k -> new ArrayList<>()).add(node);
            return "[" + (new ArrayList<>(byReason.keySet()).indexOf(reason) + 1) + "]";
        }

        void print(PrintWriter out) {
            int i = 1;
            for (Map.Entry<String, List<String>> e : byReason.entrySet()) {
                out.println("[" + i++ + "] " + ExecOutput.label(e.getValue()) + ": " + e.getKey());
            }
            out.flush();
        }
    }
}
