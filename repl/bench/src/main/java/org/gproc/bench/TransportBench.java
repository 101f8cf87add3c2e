package org.gproc.bench;

import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePClient;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The transport's figures over one SSH connection on loopback: p50 and p99 of a Tstat round trip, and MB/s of a
 * large write through pipelined Twrites ({@link NinePClient#writeAll}) into a file that only counts bytes.
 *
 * <pre>
 * TransportBench [--quick] [--warmup 2000] [--iterations 20000] [--mib 64] [--warmup-writes 10] [--runs 3]
 *                [--jfr BASE]
 * </pre>
 * {@code --jfr BASE} records the measured phases only, into BASE-tstat.jfr and BASE-write.jfr.
 * Prints one JSON line per figure on stdout (see {@link Figure}); progress goes to stderr.
 */
public final class TransportBench {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private TransportBench() {
    }

    public static void main(String[] args) throws Exception {
        try {
            for (Figure f : run(args, System.err)) {
                System.out.println(f.toJson());
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    static List<Figure> run(String[] args, PrintStream log) throws Exception {
        Flags flags = Flags.parse("transport", args, Set.of("--warmup", "--iterations", "--mib", "--runs", "--warmup-writes", "--jfr"),
                Set.of("--quick"));
        boolean quick = flags.has("--quick");
        int warmup = flags.integer("--warmup", quick ? 200 : 2_000, 0);
        int iterations = flags.integer("--iterations", quick ? 2_000 : 20_000, 1);
        int mib = flags.integer("--mib", quick ? 8 : 64, 1);
        int runs = flags.integer("--runs", quick ? 1 : 3, 1);
        // Under load the JIT needs long to reach the AES-GCM and GHASH intrinsics: warm up by the gigabyte.
        int warmupWrites = flags.integer("--warmup-writes", quick ? 1 : 10, 0);
        String jfr = flags.text("--jfr", null);

        List<Figure> figures = new ArrayList<>();
        BenchTree tree = new BenchTree();
        try (LoopbackNode node = LoopbackNode.start(tree); NinePClient client = node.connect(TIMEOUT)) {
            figures.addAll(tstat(client, warmup, iterations, profile(jfr, "tstat"), log));
            figures.add(write(client, tree, mib, warmupWrites, runs, profile(jfr, "write"), log));
        }
        return figures;
    }

    /** A JFR recording of the measured phase only (1 ms method sampling), or a no-op without --jfr. */
    private static Profile profile(String base, String phase) {
        return base == null ? new Profile(null, null) : new Profile(Path.of(base + "-" + phase + ".jfr"), phase);
    }

    private record Profile(Path file, String phase) {
        Recording start() {
            if (file == null) {
                return null;
            }
            try {
                Recording r = new Recording(Configuration.getConfiguration("profile"));
                r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
                r.setDestination(file);
                r.start();
                return r;
            } catch (IOException | ParseException e) {
                throw new IllegalStateException("transport: cannot record " + file + ": " + e.getMessage(), e);
            }
        }

        void stop(Recording r, PrintStream log) {
            if (r != null) {
                r.stop();
                r.close();
                log.printf("transport: profile of the measured %s phase in %s (scripts/bench/jfr_top.py %s)%n", phase,
                        file, file);
            }
        }
    }

    private static List<Figure> tstat(NinePClient client, int warmup, int iterations, Profile profile,
            PrintStream log) throws Exception {
        Fid hello = client.walk("hello").get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        log.printf("transport: Tstat x %d warm-up, then x %d measured%n", warmup, iterations);
        for (int i = 0; i < warmup; i++) {
            client.stat(hello).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        Samples samples = new Samples(iterations);
        ThreadCpu threads = ThreadCpu.snapshot();
        Recording recording = profile.start();
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            client.stat(hello).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            samples.add(System.nanoTime() - t0);
        }
        profile.stop(recording, log);
        log.printf("transport: CPU seconds by thread over the %d measured Tstats: %s%n", iterations,
                ThreadCpu.snapshot().since(threads));
        client.clunk(hello).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        String note = iterations + " round trips after " + warmup + " warm-up";
        return List.of(
                Figure.measured("transport", "tstat_p50", 1, "gproc", Samples.micros(samples.percentile(50)), "us")
                        .withNote(note),
                Figure.measured("transport", "tstat_p99", 1, "gproc", Samples.micros(samples.percentile(99)), "us")
                        .withNote(note));
    }

    private static Figure write(NinePClient client, BenchTree tree, int mib, int warmups, int runs, Profile profile,
            PrintStream log) throws Exception {
        byte[] data = new byte[mib << 20];
        byte[] pattern = new byte[1 << 20];
        new Random(2).nextBytes(pattern); // incompressible, though SSH compression is off anyway
        for (int at = 0; at < data.length; at += pattern.length) {
            System.arraycopy(pattern, 0, data, at, Math.min(pattern.length, data.length - at));
        }
        Fid sink = client.walk("sink").thenCompose(f -> client.open(f, Message.OWRITE))
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        log.printf("transport: writeAll of %d MiB: %d warm-up, %d measured (msize %d)%n", mib, warmups, runs,
                client.msize());
        for (int w = 0; w < warmups; w++) {
            client.writeAll(sink, 0, data).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        double[] mbps = new double[runs];
        double[] cpu = new double[runs];
        ThreadCpu threads = ThreadCpu.snapshot();
        Recording recording = profile.start();
        for (int r = 0; r < runs; r++) {
            long before = tree.bytesWritten();
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            long n = client.writeAll(sink, 0, data).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long elapsed = System.nanoTime() - t0;
            if (n != data.length || tree.bytesWritten() - before != data.length) {
                throw new IllegalStateException("transport: writeAll reported " + n + " bytes and the server counted "
                        + (tree.bytesWritten() - before) + ", not " + data.length);
            }
            mbps[r] = data.length / 1e6 / (elapsed / 1e9);
            cpu[r] = (processCpuNanos() - cpu0) / 1e9;
            log.printf("transport: run %d: %.1f MB/s, %.2f s wall, %.2f s CPU (client and server)%n", r + 1, mbps[r],
                    elapsed / 1e9, cpu[r]);
        }
        profile.stop(recording, log);
        log.printf("transport: CPU seconds by thread over the %d measured writes: %s%n", runs,
                ThreadCpu.snapshot().since(threads));
        client.clunk(sink).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        double[] sorted = mbps.clone();
        Arrays.sort(sorted);
        return Figure.measured("transport", "write_" + mib + "MiB", 1, "gproc", sorted[runs / 2], "MB/s")
                .withNote("median of " + runs + " runs after " + warmups + " warm-up: " + Arrays.stream(mbps)
                        .mapToObj(v -> String.format(Locale.ROOT, "%.0f", v)).toList() + " MB/s; CPU s per run "
                        + Arrays.stream(cpu).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v)).toList());
    }

    /** CPU time of this whole process (client and server threads), where the platform tells; else 0. */
    static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? Math.max(0, sun.getProcessCpuTime()) : 0;
    }
}
