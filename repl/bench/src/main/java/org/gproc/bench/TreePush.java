package org.gproc.bench;

import org.gproc.client.Cluster;
import org.gproc.client.Inventory;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * B6: push a 16 MB executable to N nodes and run it, flat (the control node sends it N times) and through an
 * automatic relay tree of {@code width} (the control node sends it once per relay it reaches directly; the relays
 * feed their children while it still arrives). Each case pushes a blob no node has (the trailing byte differs:
 * ELF ignores it), after one untimed push through the tree that warms the JITs. Prints seconds, the bytes the
 * client wrote on its connections, and the CPU seconds the client and the daemons ({@code pids}) used meanwhile.
 */
final class TreePush {
    private TreePush() {
    }

    /** One timed case: wall seconds, client bytes, CPU seconds (client, all daemons, busiest daemon), load. */
    private record Run(double seconds, double bytes, double clientCpu, double daemonCpu, double busiest, double load) {
        String cpuNote() {
            return String.format(Locale.ROOT, "CPU: client %.1f s, daemons %.1f s (busiest %.1f s), %.1f cores busy;"
                    + " load %.1f before", clientCpu, daemonCpu, busiest, (clientCpu + daemonCpu) / seconds, load);
        }
    }

    static List<Figure> b6(BenchCluster bench, int n, Path exe, int width, List<Long> pids, PrintStream log)
            throws Exception {
        Inventory nodes = bench.subset(n);
        long size = Files.size(exe);
        List<Path> blobs = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                blobs.add(variant(exe, i));
            }
            log.printf("B6: warm-up push through the tree (width %d, untimed)%n", width);
            run(bench, nodes.withTreeWidth(width), blobs.get(0), n, pids, log, "warm-up");
            // GPROC_B6_TREE_ONLY=1 skips the flat case (its figures are then those of a tree run): for profiling
            Run flat = System.getenv("GPROC_B6_TREE_ONLY") != null ? run(bench, nodes.withTreeWidth(width),
                    blobs.get(1), n, pids, log, "tree (again, in place of flat)")
                    : run(bench, nodes.withTreeWidth(0), blobs.get(1), n, pids, log, "flat");
            Run tree = run(bench, nodes.withTreeWidth(width), blobs.get(2), n, pids, log, "tree");
            String what = String.format(Locale.ROOT, "push(%.1f MB).run() on %d nodes", size / 1e6, n);
            return List.of(
                    Figure.measured("B6", "flat", n, "gproc", flat.seconds(), "s").withNote(what + ", every node direct;"
                            + String.format(Locale.ROOT, " client wrote %.1f MB; ", flat.bytes() / 1e6)
                            + flat.cpuNote()),
                    Figure.measured("B6", "tree", n, "gproc", tree.seconds(), "s").withNote(what + ", relay tree width "
                            + width + String.format(Locale.ROOT, "; client wrote %.1f MB; ", tree.bytes() / 1e6)
                            + tree.cpuNote()),
                    Figure.measured("B6", "flat_cpu", n, "gproc", flat.clientCpu() + flat.daemonCpu(), "s")
                            .withNote("user+sys of the client and every daemon during flat"),
                    Figure.measured("B6", "tree_cpu", n, "gproc", tree.clientCpu() + tree.daemonCpu(), "s")
                            .withNote("user+sys of the client and every daemon during tree"),
                    Figure.measured("B6", "speedup", n, "gproc", flat.seconds() / tree.seconds(), "x")
                            .withNote("flat / tree (target >= 4)"));
        } finally {
            for (Path p : blobs) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Connects (untimed), pushes and runs {@code blob} everywhere, measuring the push and run only. */
    private static Run run(BenchCluster bench, Inventory nodes, Path blob, int n, List<Long> pids, PrintStream log,
            String what) throws Exception {
        try (Cluster cluster = bench.connect(nodes)) {
            long bytes0 = cluster.getBytesSent();
            double load = ProcessCpu.load();
            ProcessCpu cpu0 = ProcessCpu.snapshot(pids);
            long t0 = System.nanoTime();
            FanOut.check(cluster.getNodes().push(blob.toString()).run(), n, false);
            double seconds = (System.nanoTime() - t0) / 1e9;
            ProcessCpu cpu1 = ProcessCpu.snapshot(pids);
            Run r = new Run(seconds, cluster.getBytesSent() - bytes0, cpu1.selfSince(cpu0), cpu1.othersSince(cpu0),
                    cpu1.busiestSince(cpu0), load);
            log.printf(Locale.ROOT, "B6: %s %.3f s, client wrote %.1f MB; %s%n", what, seconds, r.bytes() / 1e6,
                    r.cpuNote());
            return r;
        }
    }

    private static Path variant(Path exe, int i) throws Exception {
        byte[] bytes = Files.readAllBytes(exe);
        bytes[bytes.length - 1] ^= (byte) (0x11 * (i + 1));
        Path p = Files.createTempFile("gproc-b6-", ".bin");
        Files.write(p, bytes);
        p.toFile().setExecutable(true);
        return p;
    }
}
