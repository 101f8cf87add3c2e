package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.Hostlist;
import org.gproc.client.Launch;
import org.gproc.client.Node;
import org.gproc.client.RemoteProcess;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The options exec, copy and rcopy share, spelled as pdsh and clush spell them: -w, -x, -f, --connect-timeout. */
final class TargetOptions {
    @Option(names = "-w", paramLabel = "NODES", required = true, description = "Target nodes, e.g. n[1-8] or @rack1.")
    String nodes;

    @Option(names = "-x", paramLabel = "NODES", description = "Leave these nodes out (pdsh -x, clush -x).")
    String exclude;

    @Option(names = "-f", paramLabel = "FANOUT", converter = ExecCommand.Fanout.class,
            description = "Work on at most FANOUT nodes at a time (default: all at once).")
    Integer fanout;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10", converter = Seconds.class,
            description = "How long to wait for each node's connection (default ${DEFAULT-VALUE}).")
    double connectTimeout;

    /** Checks the target set against the inventory (status 1 when unknown or empty) and connects to it. */
    Cluster open(GprocCli cli, String command) {
        Hostlist targets = ClusterAccess.targets(cli, command, nodes, exclude);
        return ClusterAccess.open(cli, targets.fold(), Seconds.duration(connectTimeout));
    }

    /** As {@link #open(GprocCli, String)}, with a launching command's guard rails and progress line. */
    Cluster open(GprocCli cli, String command, LaunchOptions launching, PrintWriter err) {
        Hostlist targets = ClusterAccess.targets(cli, command, nodes, exclude);
        return ClusterAccess.open(cli, targets.fold(), Seconds.duration(connectTimeout), launching, err);
    }

    /**
     * Starts each run's launch as its place in one job of the command (rank in node order), so a fan-out that starts
     * the nodes one at a time still gives every process the job's {@code GPROC_RANK} and {@code GPROC_SIZE}.
     */
    static Function<NodeRun, RemoteProcess> inOneJob(Cluster cluster, List<NodeRun> runs,
                                                     Function<NodeRun, Launch<RemoteProcess>> launch) {
        String job = cluster.newJob();
        Map<String, Integer> ranks = new HashMap<>();
        for (NodeRun r : runs) {
            ranks.put(r.node, ranks.size());
        }
        return r -> launch.apply(r).inJob(job, ranks.get(r.node), runs.size()).run();
    }

    /** One run per node of {@code cluster}, in node order. */
    static List<NodeRun> runs(Cluster cluster) {
        List<NodeRun> runs = new ArrayList<>();
        for (Node n : cluster.getAll()) {
            runs.add(new NodeRun(n.getName()));
        }
        return runs;
    }
}
