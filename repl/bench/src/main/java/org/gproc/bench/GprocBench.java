package org.gproc.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The gproc side of the benchmarks (B1-B5, see scripts/bench) against a running {@code gprocd --instances N} (started by
 * {@code scripts/bench/run} as its own process, so its heap and threads can be measured).
 *
 * <pre>
 * GprocBench b1 --inventory FILE --identity KEY --n 100 [--reps 3] [--pids FILE]
 * GprocBench b2 --inventory FILE --identity KEY --n 100 --exe FILE [--reps 3] [--libs] [--pids FILE]
 * GprocBench b3 --inventory FILE --identity KEY [--runs 1000] [--warmup 100] [--node NAME --tool LABEL]
 * GprocBench b6 --inventory FILE --identity KEY --n 32 --exe FILE [--tree-width 4] [--pids FILE]
 * GprocBench b4 --inventory FILE --identity KEY --pid DAEMON_PID [--sessions 1000]
 * GprocBench b3-trace --inventory FILE --identity KEY [--runs 200] [--warmup 50]
 * GprocBench client-inventory --inventory FILE --identity KEY --n 1 --out FILE
 * </pre>
 * {@code client-inventory} writes the first N nodes of gprocd's inventory with our identity and its known_hosts in
 * the {@code cluster} block, for the {@code gproc} command (B5). {@code b3-trace} times each 9P request of B3's runs
 * and prints where a run waits (stderr; no figures). {@code b3 --node NAME} measures that node as the inventory
 * reaches it (through its {@code via} gateways: {@code scripts/bench/b3-jump}), its figures labelled {@code --tool}.
 * {@code --pids FILE} names the daemons (one pid a line) whose CPU seconds b1's warm runs, b2's cold push and b6
 * report beside the client's, the rest of the machine's and the idle cores'.
 * Prints one JSON line per figure (see {@link Figure}); a failure prints the figures it was after with value null
 * and the reason, and exits 1.
 */
public final class GprocBench {
    private GprocBench() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || !Set.of("b1", "b2", "b3", "b3-trace", "b4", "b6", "client-inventory").contains(args[0])) {
            System.err.println("gproc bench: first argument must be b1, b2, b3, b3-trace, b4, b6 or client-inventory"
                    + (args.length == 0 ? "" : ", not '" + args[0] + "'"));
            System.exit(2);
        }
        String bench = args[0];
        Flags flags;
        try {
            flags = Flags.parse("gproc bench " + bench, Arrays.copyOfRange(args, 1, args.length),
                    Set.of("--inventory", "--identity", "--known-hosts", "--n", "--reps", "--runs", "--warmup",
                            "--exe", "--pid", "--sessions", "--out", "--tree-width", "--node", "--tool", "--pids"),
                    Set.of("--libs"));
            if (!flags.has("--inventory") || !flags.has("--identity")) {
                throw new IllegalArgumentException("gproc bench " + bench + ": --inventory and --identity are required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        int n = flags.integer("--n", 1, 1);
        if (bench.equals("client-inventory")) {
            try {
                BenchCluster cluster = new BenchCluster(Path.of(flags.text("--inventory", null)),
                        Path.of(flags.text("--identity", null)), null);
                cluster.subset(n).withIdentity(cluster.identity().toAbsolutePath())
                        .withKnownHosts(cluster.knownHosts().toAbsolutePath())
                        .write(Path.of(flags.text("--out", "client-inventory.groovy")));
                return;
            } catch (Exception e) {
                System.err.println("gproc bench client-inventory: " + e.getMessage());
                System.exit(1);
            }
        }
        if (bench.equals("b3-trace")) {
            try {
                RoundTrip.trace(new BenchCluster(Path.of(flags.text("--inventory", null)),
                        Path.of(flags.text("--identity", null)), null), flags.integer("--runs", 200, 1),
                        flags.integer("--warmup", 50, 0), System.err);
                return;
            } catch (Exception e) {
                e.printStackTrace(System.err);
                System.exit(1);
            }
        }
        try {
            for (Figure f : run(bench, flags, n, System.err)) {
                System.out.println(f.toJson());
            }
        } catch (Exception e) {
            String why = "n/a (failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()) + ")";
            e.printStackTrace(System.err);
            for (Figure f : expected(bench, n, flags.integer("--sessions", 1000, 1), why)) {
                System.out.println(f.toJson());
            }
            System.exit(1);
        }
    }

    private static List<Figure> run(String bench, Flags flags, int n, PrintStream log) throws Exception {
        BenchCluster cluster = new BenchCluster(Path.of(flags.text("--inventory", null)),
                Path.of(flags.text("--identity", null)),
                flags.has("--known-hosts") ? Path.of(flags.text("--known-hosts", null)) : null);
        int reps = flags.integer("--reps", 3, 1);
        return switch (bench) {
            case "b1" -> FanOut.b1(cluster, n, reps, daemonPids(flags), log);
            case "b2" -> {
                if (!flags.has("--exe")) {
                    throw new IllegalArgumentException("gproc bench b2: --exe FILE is required");
                }
                yield FanOut.b2(cluster, n, Path.of(flags.text("--exe", null)), reps, flags.has("--libs"),
                        daemonPids(flags), log);
            }
            case "b6" -> {
                if (!flags.has("--exe")) {
                    throw new IllegalArgumentException("gproc bench b6: --exe FILE is required");
                }
                yield TreePush.b6(cluster, n, Path.of(flags.text("--exe", null)), flags.integer("--tree-width", 4, 2),
                        daemonPids(flags), log);
            }
            case "b3" -> flags.has("--node")
                    ? RoundTrip.b3(cluster, cluster.named(flags.text("--node", null)), flags.text("--tool", "gproc"),
                            flags.integer("--runs", 1000, 1), flags.integer("--warmup", 100, 0), log)
                    : RoundTrip.b3(cluster, flags.integer("--runs", 1000, 1), flags.integer("--warmup", 100, 0), log);
            case "b4" -> {
                if (!flags.has("--pid")) {
                    throw new IllegalArgumentException("gproc bench b4: --pid DAEMON_PID is required");
                }
                yield Footprint.b4(cluster, Long.parseLong(flags.text("--pid", null)),
                        flags.integer("--sessions", 1000, 1), log);
            }
            default -> throw new IllegalArgumentException(bench);
        };
    }

    /** The daemons' pids from {@code --pids FILE} (one a line), for the CPU split; none without it. */
    private static List<Long> daemonPids(Flags flags) throws IOException {
        return flags.has("--pids") ? ProcessCpu.pids(Path.of(flags.text("--pids", null))) : List.of();
    }

    /** The figures a bench would have produced, unmeasured, each saying why. */
    static List<Figure> expected(String bench, int n, int sessions, String why) {
        return switch (bench) {
            case "b1" -> List.of(Figure.unavailable("B1", "warm", n, "gproc", "s", why),
                    Figure.unavailable("B1", "cold", n, "gproc", "s", why));
            case "b6" -> List.of(Figure.unavailable("B6", "flat", n, "gproc", "s", why),
                    Figure.unavailable("B6", "tree", n, "gproc", "s", why));
            case "b2" -> List.of(Figure.unavailable("B2", "cold", n, "gproc", "s", why),
                    Figure.unavailable("B2", "warm", n, "gproc", "s", why));
            case "b3" -> List.of(Figure.unavailable("B3", "p50", 1, "gproc", "ms", why),
                    Figure.unavailable("B3", "p99", 1, "gproc", "ms", why));
            default -> List.of(Figure.unavailable("B4", "idle_session_kb", sessions, "gproc", "KB", why),
                    Figure.unavailable("B4", "threads_running", sessions, "gproc", "threads", why));
        };
    }
}
