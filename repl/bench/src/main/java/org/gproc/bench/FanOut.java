package org.gproc.bench;

import org.gproc.client.Cluster;
import org.gproc.client.Inventory;
import org.gproc.client.Job;
import org.gproc.client.RemoteProcess;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * B1 and B2: one launch on N nodes, timed until every process has exited and its output is in. B1 runs the nodes'
 * own {@code /bin/date} (as pdsh does); B2 pushes a 16 MB executable and runs it.
 */
final class FanOut {
    static final Duration JOB_TIMEOUT = Duration.ofMinutes(10);

    private FanOut() {
    }

    /**
     * B1. {@code cold}: connect and authenticate to N nodes, run, collect (the first thing this JVM does, as a batch
     * job would); {@code warm}: the same run again on the open connections, median of {@code reps}, with where the
     * warm runs' CPU went (this client, the {@code daemons}, the rest of the machine, idle cores).
     */
    static List<Figure> b1(BenchCluster bench, int n, int reps, List<Long> daemons, PrintStream log)
            throws Exception {
        Inventory nodes = bench.subset(n);
        log.printf("B1: /bin/date on %d nodes: cold, then %d warm%n", n, reps);
        long heap0 = liveHeapBytes();
        long cpu0 = TransportBench.processCpuNanos();
        long t0 = System.nanoTime();
        Cluster cluster = bench.connect(nodes);
        double connected = (System.nanoTime() - t0) / 1e9;
        double connectCpu = (TransportBench.processCpuNanos() - cpu0) / 1e9;
        try {
            check(cluster.getNodes().run("/bin/date"), n, true);
            double cold = (System.nanoTime() - t0) / 1e9;
            log.printf("B1: n=%d cold %.3f s (connect %.3f s, client CPU %.2f s)%n", n, cold, connected, connectCpu);
            double[] warm = new double[reps];
            ProcessCpu warm0 = ProcessCpu.snapshot(daemons);
            for (int r = 0; r < reps; r++) {
                long w0 = System.nanoTime();
                check(cluster.getNodes().run("/bin/date"), n, true);
                warm[r] = (System.nanoTime() - w0) / 1e9;
                log.printf("B1: n=%d warm %.3f s%n", n, warm[r]);
            }
            String warmCpu = ProcessCpu.snapshot(daemons).split(warm0, "client", "gprocd") + " over the " + reps
                    + " warm runs";
            log.printf("B1: n=%d %s%n", n, warmCpu);
            long heap = liveHeapBytes();
            double perNode = (heap - heap0) / 1024.0 / n;
            log.printf("B1: client heap after GC %.0f MB used of %.0f MB max: %.1f KB per idle node connection%n",
                    heap / 1e6, Runtime.getRuntime().maxMemory() / 1e6, perNode);
            return List.of(
                    Figure.measured("B1", "heap_per_node_kb", n, "gproc", perNode, "KB")
                            .withNote("client heap after a full GC, connected and idle, less before connecting, / n"),
                    Figure.measured("B1", "warm", n, "gproc", median(warm), "s")
                            .withNote("run('/bin/date'), median of " + reps + " " + list(warm) + "; " + warmCpu),
                    Figure.measured("B1", "cold", n, "gproc", cold, "s")
                            .withNote(String.format(Locale.ROOT, "connect %.2f s (client CPU %.2f s) + run; JVM start"
                                    + " not included", connected, connectCpu)));
        } finally {
            cluster.close();
        }
    }

    /** Heap in use after a full collection (System.gc() is a full GC with the collectors the bench runs under). */
    private static long liveHeapBytes() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /**
     * B2. {@code cold}: the blob is in no node's cache (the harness starts a fresh daemon); {@code warm}: cached.
     * Before the cold push, a different blob of the same size is pushed and run once, untimed: a freshly started
     * daemon JVM decrypts its first megabytes without the AES-GCM intrinsics (C2 has not compiled GHASH yet), which
     * is JIT warm-up, not the cold cache this case is about. With {@code libs}, each push also sends the executable's
     * shared-library closure and runs it through the pushed loader ({@code push(exe, libs: true)}); the cases are
     * then {@code cold --libs} (the warm-up pushes no library, so the closure is cold too) and {@code warm --libs}.
     */
    static List<Figure> b2(BenchCluster bench, int n, Path exe, int reps, boolean libs, List<Long> daemons,
            PrintStream log) throws Exception {
        Cluster cluster = bench.connect(bench.subset(n));
        Path other = Files.createTempFile("gproc-bench-warmup-", ".bin");
        try {
            long size = Files.size(exe);
            byte[] bytes = Files.readAllBytes(exe);
            bytes[bytes.length - 1] ^= 0x5A; // ELF ignores trailing bytes: still runs, but another hash
            Files.write(other, bytes);
            other.toFile().setExecutable(true);
            log.printf("B2: warm-up push of another %d-byte blob on %d nodes (untimed)%n", size, n);
            check(cluster.getNodes().push(other.toString()).run(), n, false); // without libs: they stay cold
            log.printf("B2: push and run %s (%d bytes) on %d nodes: cold, then %d warm%n", exe, size, n, reps);
            ProcessCpu cold0 = ProcessCpu.snapshot(daemons);
            long t0 = System.nanoTime();
            check(cluster.getNodes().push(exe.toString()).libs(libs).run(), n, false);
            double cold = (System.nanoTime() - t0) / 1e9;
            String coldCpu = ProcessCpu.snapshot(daemons).split(cold0, "client", "gprocd");
            log.printf("B2: n=%d cold %.3f s; %s%n", n, cold, coldCpu);
            double[] warm = new double[reps];
            for (int r = 0; r < reps; r++) {
                long w0 = System.nanoTime();
                check(cluster.getNodes().push(exe.toString()).libs(libs).run(), n, false);
                warm[r] = (System.nanoTime() - w0) / 1e9;
                log.printf("B2: n=%d warm %.3f s%n", n, warm[r]);
            }
            String what = String.format(Locale.ROOT, "push('%s', %.1f MB%s).run()", exe.getFileName(), size / 1e6,
                    libs ? ", libs: true" : "");
            String suffix = libs ? " --libs" : "";
            return List.of(
                    Figure.measured("B2", "cold" + suffix, n, "gproc", cold, "s")
                            .withNote(what + ", not cached (after an untimed push of another blob: JIT warm); "
                                    + coldCpu),
                    Figure.measured("B2", "warm" + suffix, n, "gproc", median(warm), "s")
                            .withNote(what + ", cached; median of " + reps + " " + list(warm)));
        } finally {
            cluster.close();
            Files.deleteIfExists(other);
        }
    }

    /** Waits for every process; each must exit 0 and, if {@code output}, print something. */
    static void check(Job job, int n, boolean output) throws InterruptedException {
        if (!job.waitFor(JOB_TIMEOUT)) {
            throw new IllegalStateException("job " + job.getId() + ": " + job.getTimedOut().size()
                    + " nodes still running after " + JOB_TIMEOUT.toMinutes() + " min");
        }
        List<RemoteProcess> processes = job.getProcesses();
        if (processes.size() != n) {
            throw new IllegalStateException("job " + job.getId() + " started " + processes.size() + " of " + n);
        }
        List<String> bad = new ArrayList<>();
        for (RemoteProcess p : processes) {
            if (p.failure().isPresent()) {
                bad.add(p.node() + ": " + p.failure().get());
            } else if (p.exitValue() != 0) {
                bad.add(p.node() + ": " + p.exitStatus().orElse("exit " + p.exitValue()));
            } else if (output && p.getText().isBlank()) {
                bad.add(p.node() + ": printed nothing");
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalStateException(bad.size() + " of " + n + " processes failed, e.g. " + bad.get(0));
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    static String list(double[] values) {
        return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.3f", v)).toList().toString();
    }
}
