package org.gproc.bench;

import org.gproc.client.Cluster;
import org.gproc.client.Node;
import org.gproc.client.RemoteProcess;

import java.io.PrintStream;
import java.util.List;

/** B3: one node, connection open: {@code run('/bin/true')} until its exit status is in, p50 and p99. */
final class RoundTrip {
    private RoundTrip() {
    }

    static List<Figure> b3(BenchCluster bench, int runs, int warmup, PrintStream log) throws Exception {
        try (Cluster cluster = bench.connect(bench.subset(1))) {
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
                    Figure.measured("B3", "p50", 1, "gproc", Samples.millis(samples.percentile(50)), "ms").withNote(note),
                    Figure.measured("B3", "p99", 1, "gproc", Samples.millis(samples.percentile(99)), "ms").withNote(note));
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
