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
 * ELF ignores it), after one untimed push through the tree that warms the JITs. Prints seconds and the bytes the
 * client wrote on its connections.
 */
final class TreePush {
    private TreePush() {
    }

    static List<Figure> b6(BenchCluster bench, int n, Path exe, int width, PrintStream log) throws Exception {
        Inventory nodes = bench.subset(n);
        long size = Files.size(exe);
        List<Path> blobs = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                blobs.add(variant(exe, i));
            }
            log.printf("B6: warm-up push through the tree (width %d, untimed)%n", width);
            run(bench, nodes.withTreeWidth(width), blobs.get(0), n, log, "warm-up");
            double[] flat = run(bench, nodes.withTreeWidth(0), blobs.get(1), n, log, "flat");
            double[] tree = run(bench, nodes.withTreeWidth(width), blobs.get(2), n, log, "tree");
            String what = String.format(Locale.ROOT, "push(%.1f MB).run() on %d nodes", size / 1e6, n);
            return List.of(
                    Figure.measured("B6", "flat", n, "gproc", flat[0], "s").withNote(what + ", every node direct;"
                            + String.format(Locale.ROOT, " client wrote %.1f MB", flat[1] / 1e6)),
                    Figure.measured("B6", "tree", n, "gproc", tree[0], "s").withNote(what + ", relay tree width "
                            + width + String.format(Locale.ROOT, "; client wrote %.1f MB", tree[1] / 1e6)),
                    Figure.measured("B6", "speedup", n, "gproc", flat[0] / tree[0], "x")
                            .withNote("flat / tree (target >= 4)"));
        } finally {
            for (Path p : blobs) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Connects (untimed), pushes and runs {@code blob} everywhere; seconds and client bytes written. */
    private static double[] run(BenchCluster bench, Inventory nodes, Path blob, int n, PrintStream log, String what)
            throws Exception {
        try (Cluster cluster = bench.connect(nodes)) {
            long bytes0 = cluster.getBytesSent();
            long t0 = System.nanoTime();
            FanOut.check(cluster.getNodes().push(blob.toString()).run(), n, false);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double bytes = cluster.getBytesSent() - bytes0;
            log.printf("B6: %s %.3f s, client wrote %.1f MB%n", what, seconds, bytes / 1e6);
            return new double[] {seconds, bytes};
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
