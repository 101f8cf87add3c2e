import org.gproc.daemon.proc.LaunchSpec;
import org.gproc.daemon.proc.ProcessLauncher;
import org.gproc.daemon.proc.RunningProcess;
import org.gproc.daemon.proc.Signals;
import org.gproc.daemon.proc.Spool;
import org.gproc.transport.xcpu.ExitStatus;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Process launch figures for node-daemon's org.gproc.daemon.proc (run through spawn-bench.sh):
 * spawn latency of /bin/true (start() returning), the full start-to-exit-noticed round trip, group signal latency,
 * the JDK ProcessBuilder baseline, and daemon threads/heap with N running `sleep 1000` processes.
 */
public class SpawnBench {

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int sleepers = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        Path work = Files.createTempDirectory("spawn-bench");
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin");
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();

        try (ProcessLauncher launcher = new ProcessLauncher(work.resolve("state"))) {
            System.out.printf("backend: %s, load average %s%n", launcher.isNative() ? "native gproc-spawn" : "ProcessBuilder fallback",
                    Files.readString(Path.of("/proc/loadavg")).strip());
            Path session = Files.createDirectories(work.resolve("s"));
            LaunchSpec trueSpec = new LaunchSpec(List.of("/bin/true"), env, session, session.resolve("stdout"),
                    session.resolve("stderr"));
            // As in the daemon, the session's spools watch its directory while the process runs.
            Spool out = new Spool(session.resolve("stdout"), 1 << 30, launcher.watcher());
            for (int i = 0; i < 200; i++) { // warm-up: JIT, helper start
                launcher.start(trueSpec).onExit().get(30, TimeUnit.SECONDS);
            }
            long[] spawn = new long[runs];
            long[] roundTrip = new long[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                RunningProcess p = launcher.start(trueSpec);
                long t1 = System.nanoTime();
                p.onExit().get(30, TimeUnit.SECONDS);
                long t2 = System.nanoTime();
                spawn[i] = t1 - t0;
                roundTrip[i] = t2 - t0;
            }
            out.delete();
            report("spawn /bin/true (start() returns)", spawn);
            report("start -> exit status noticed", roundTrip);

            long[] sessions = new long[runs / 4];
            for (int i = 0; i < sessions.length; i++) {
                long t0 = System.nanoTime();
                Path dir = Files.createDirectories(work.resolve("sessions/" + i));
                Spool stdout = new Spool(dir.resolve("stdout"), 1 << 30, launcher.watcher());
                Spool stderr = new Spool(dir.resolve("stderr"), 1 << 30, launcher.watcher());
                RunningProcess p = launcher.start(new LaunchSpec(List.of("/bin/true"), env, dir, stdout.file(),
                        stderr.file()));
                p.onExit().get(30, TimeUnit.SECONDS);
                stdout.finish();
                stderr.finish();
                if (stdout.read(0, 100).get().length != 0) {
                    throw new AssertionError("unexpected output");
                }
                stdout.delete();
                stderr.delete();
                sessions[i] = System.nanoTime() - t0;
            }
            report("new dir + 2 spools + run + read EOF + delete", sessions);

            long[] jdk = new long[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder("/bin/true").start();
                jdk[i] = System.nanoTime() - t0;
                p.waitFor();
            }
            report("JDK ProcessBuilder.start() /bin/true (baseline)", jdk);

            Path sleepDir = Files.createDirectories(work.resolve("sleep"));
            RunningProcess sleeper = launcher.start(new LaunchSpec(List.of("sleep", "1000"), env, sleepDir,
                    sleepDir.resolve("stdout"), sleepDir.resolve("stderr")));
            long[] signal = new long[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                sleeper.signal(18); // SIGCONT: harmless to a running process
                signal[i] = System.nanoTime() - t0;
            }
            report("signal to a process group (SIGCONT)", signal);
            sleeper.signal(Signals.KILL);
            sleeper.onExit().get(30, TimeUnit.SECONDS);

            List<RunningProcess> running = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < sleepers; i++) {
                Path dir = Files.createDirectories(work.resolve("sleepers/" + i));
                running.add(launcher.start(new LaunchSpec(List.of("sleep", "1000"), env, dir, dir.resolve("stdout"),
                        dir.resolve("stderr"))));
            }
            long startAll = System.nanoTime() - t0;
            Thread.sleep(2000); // let idle pool threads settle before counting
            System.gc();
            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            Map<String, Integer> byName = new TreeMap<>();
            Thread.getAllStackTraces().keySet().forEach(t -> byName.merge(t.getName().replaceAll("[0-9]+$", "N"), 1,
                    Integer::sum));
            System.out.printf("%d running sleep processes (started in %.0f ms): JVM threads %d (before the launcher:"
                            + " %d), heap used %.1f MB after GC, JVM fds %d%n", sleepers, startAll / 1e6,
                    ManagementFactory.getThreadMXBean().getThreadCount(), threadsBefore, heap.getUsed() / 1e6,
                    Files.list(Path.of("/proc/self/fd")).count());
            System.out.println("  threads by name: " + byName);
            monitors();
            t0 = System.nanoTime();
            for (RunningProcess p : running) {
                p.signal(Signals.KILL);
            }
            for (RunningProcess p : running) {
                ExitStatus status = p.onExit().get(60, TimeUnit.SECONDS);
                if (!status.toString().equals("signal 9")) {
                    throw new AssertionError("unexpected " + status);
                }
            }
            System.out.printf("killed all %d and saw every exit in %.0f ms%n", sleepers, (System.nanoTime() - t0) / 1e6);
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** The per-process monitors' count and memory (proportional set size: shared pages split among sharers). */
    private static void monitors() throws Exception {
        int count = 0;
        long pssKb = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                try {
                    if (!Files.readString(proc.resolve("comm")).strip().equals("gproc-monitor")) {
                        continue;
                    }
                    count++;
                    for (String line : Files.readAllLines(proc.resolve("smaps_rollup"))) {
                        if (line.startsWith("Pss:")) {
                            pssKb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                        }
                    }
                } catch (IOException notOurs) {
                    // not a process, gone, or not readable
                }
            }
        }
        System.out.printf("  %d gproc-monitor processes, total PSS %.1f MB (%.0f kB each)%n", count, pssKb / 1024.0,
                count == 0 ? 0.0 : (double) pssKb / count);
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-48s n=%d  p50 %6.0f us  p90 %6.0f us  p99 %6.0f us%n", what, sorted.length,
                sorted[sorted.length / 2] / 1e3, sorted[sorted.length * 9 / 10] / 1e3,
                sorted[sorted.length * 99 / 100] / 1e3);
    }
}
