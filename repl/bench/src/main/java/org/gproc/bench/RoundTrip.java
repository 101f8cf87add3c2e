package org.gproc.bench;

import org.gproc.client.Cluster;
import org.gproc.client.ClusterOptions;
import org.gproc.client.Inventory;
import org.gproc.client.Node;
import org.gproc.client.NodeAddress;
import org.gproc.client.NodeConnector;
import org.gproc.client.RemoteProcess;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ssh.SshConnector;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** B3: one node, connection open: {@code run('/bin/true')} until its exit status is in, p50 and p99. */
final class RoundTrip {
    private RoundTrip() {
    }

    static List<Figure> b3(BenchCluster bench, int runs, int warmup, PrintStream log) throws Exception {
        return b3(bench, bench.subset(1), "gproc", runs, warmup, log);
    }

    /** B3 on the one node {@code nodes} holds (reached as its inventory says, e.g. through a gateway). */
    static List<Figure> b3(BenchCluster bench, Inventory nodes, String tool, int runs, int warmup,
                           PrintStream log) throws Exception {
        try (Cluster cluster = bench.connect(nodes)) {
            Node node = cluster.getNodes().getAt(0);
            log.printf("B3: run('/bin/true') on %s x %d warm-up, then x %d measured%n", node.getName(), warmup, runs);
            for (int i = 0; i < warmup; i++) {
                once(node);
            }
            Samples samples = new Samples(runs);
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                once(node);
                samples.add(System.nanoTime() - t0);
            }
            String note = "run('/bin/true') + exit status, " + runs + " runs after " + warmup + " warm-up";
            return List.of(
                    Figure.measured("B3", "p50", 1, tool, Samples.millis(samples.percentile(50)), "ms").withNote(note),
                    Figure.measured("B3", "p99", 1, tool, Samples.millis(samples.percentile(99)), "ms").withNote(note));
        }
    }

    /**
     * B3 taken apart: the same runs over a connection whose 9P requests are timed one by one, printed to
     * {@code log} as a table (which request a run waits on). Produces no figures.
     */
    static void trace(BenchCluster bench, int runs, int warmup, PrintStream log) throws Exception {
        Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
        AtomicReference<TracingChannel> tracing = new AtomicReference<>();
        SshConnector ssh = bench.ssh();
        NodeConnector traced = new NodeConnector() {
            @Override
            public CompletableFuture<NinePClient> connect(
                    NodeAddress address) {
                return ssh.connect(address.host(), address.port()).thenCompose(ch -> {
                    TracingChannel traced = new TracingChannel(ch, latencies);
                    tracing.set(traced);
                    return NinePClient.connect(traced, BenchCluster.MSIZE,
                            System.getProperty("user.name"), "");
                });
            }

            @Override
            public void close() {
                ssh.close();
            }
        };
        ClusterOptions options = ClusterOptions.defaults()
                .withConnectTimeout(BenchCluster.CONNECT_TIMEOUT);
        try (Cluster cluster = Cluster.connect(bench.subset(1), options, traced)) {
            Node node = cluster.getNodes().getAt(0);
            for (int i = 0; i < warmup; i++) {
                once(node);
            }
            latencies.clear();
            tracing.get().clearTimeline();
            Samples samples = new Samples(runs);
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                tracing.get().runStarted();
                once(node);
                samples.add(System.nanoTime() - t0);
            }
            log.printf("B3 trace: run('/bin/true') x %d: p50 %.3f ms, p90 %.3f ms; its 9P requests:%n%s"
                    + "%nthe same requests on a run's timeline (pipelined requests overlap):%n%s", runs,
                    Samples.millis(samples.percentile(50)), Samples.millis(samples.percentile(90)),
                    TracingChannel.report(latencies), tracing.get().timelineReport());
        }
    }

    private static void once(Node node) throws InterruptedException {
        RemoteProcess p = node.run("/bin/true");
        int exit = p.waitFor();
        if (p.failure().isPresent() || exit != 0) {
            throw new IllegalStateException(node.getName() + ": /bin/true " + p.failure()
                    .orElse(p.exitStatus().orElse("exit " + exit)));
        }
    }
}
