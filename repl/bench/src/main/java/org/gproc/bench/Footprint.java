package org.gproc.bench;

import org.gproc.client.Cluster;
import org.gproc.client.Node;
import org.gproc.client.NodeAddress;
import org.gproc.client.RemoteProcess;
import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ssh.SshConnector;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * B4: the daemon process (pid given by the harness, which started it as its own JVM) holding S idle sessions, then
 * S more running {@code sleep}: live heap after a full GC ({@code jcmd GC.run}, {@code GC.heap_info}) and the thread
 * count from {@code /proc/PID/status}. An idle session is a cloned session whose ctl stays open and runs nothing.
 */
final class Footprint {
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private Footprint() {
    }

    static List<Figure> b4(BenchCluster bench, long pid, int sessions, PrintStream log) throws Exception {
        NodeAddress n1 = bench.subset(1).addresses().iterator().next();
        List<Figure> figures = new ArrayList<>();
        try (SshConnector ssh = bench.ssh()) {
            NinePClient client = ssh.connect(n1.host(), n1.port())
                    .thenCompose(ch -> NinePClient.connect(ch, BenchCluster.MSIZE, "bench", ""))
                    .get(3, TimeUnit.MINUTES);
            long heap0 = liveHeapKb(pid);
            int threads0 = threads(pid);
            log.printf("B4: daemon pid %d: %d KB live heap, %d threads; cloning %d idle sessions%n", pid, heap0,
                    threads0, sessions);
            List<CompletableFuture<Fid>> ctls = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                ctls.add(client.walk("clone").thenCompose(f -> client.open(f, Message.ORDWR)));
            }
            CompletableFuture.allOf(ctls.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            long heapIdle = liveHeapKb(pid);
            int threadsIdle = threads(pid);
            double perIdle = (heapIdle - heap0) / (double) sessions;
            log.printf("B4: idle: %d KB live heap (%.1f KB per session), %d threads%n", heapIdle, perIdle,
                    threadsIdle);
            figures.add(Figure.measured("B4", "idle_session_kb", sessions, "gproc", perIdle, "KB")
                    .withNote("(" + heapIdle + " - " + heap0 + " KB live heap) / " + sessions + " cloned sessions"));
            figures.add(Figure.measured("B4", "threads_idle", sessions, "gproc", threadsIdle, "threads")
                    .withNote(threads0 + " before the sessions"));

            try (Cluster cluster = bench.connect(bench.subset(1))) {
                Node node = cluster.getNodes().getAt(0);
                List<RemoteProcess> sleeps = new ArrayList<>();
                for (int i = 0; i < sessions; i++) {
                    sleeps.add(node.command("/bin/sleep").args("600").start());
                }
                for (RemoteProcess p : sleeps) {
                    p.pid(); // waits until the node reports it started
                    if (!p.isAlive() || p.failure().isPresent()) {
                        throw new IllegalStateException(p.node() + ":" + p.session() + " sleep did not start: "
                                + p.failure().orElse(p.exitStatus().orElse("ended")));
                    }
                }
                long heapRunning = liveHeapKb(pid);
                int threadsRunning = threads(pid);
                log.printf("B4: running: %d KB live heap, %d threads%n", heapRunning, threadsRunning);
                figures.add(Figure.measured("B4", "threads_running", sessions, "gproc", threadsRunning, "threads")
                        .withNote(sessions + " running sleep processes (and " + sessions + " idle sessions)"));
                figures.add(Figure.measured("B4", "running_session_kb", sessions, "gproc",
                        (heapRunning - heapIdle) / (double) sessions, "KB")
                        .withNote("live heap per session running sleep"));
                List<CompletableFuture<Void>> kills = sleeps.stream().map(p -> p.killAsync("KILL")).toList();
                CompletableFuture.allOf(kills.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            }
            client.close();
        }
        return figures;
    }

    /**
     * Live heap after a full collection, in KB, as {@code jcmd PID GC.heap_info} reports it: the median of three,
     * since the daemon keeps allocating a little (keep-alives, timers) between collections.
     */
    static long liveHeapKb(long pid) throws IOException, InterruptedException {
        long[] kb = {liveHeapOnceKb(pid), liveHeapOnceKb(pid), liveHeapOnceKb(pid)};
        Arrays.sort(kb);
        return kb[1];
    }

    private static long liveHeapOnceKb(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = USED.matcher(info);
        if (!m.find()) {
            throw new IOException("jcmd " + pid + " GC.heap_info: no 'used NK' in: " + info.strip());
        }
        return Long.parseLong(m.group(1));
    }

    static int threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring(8).strip());
            }
        }
        throw new IOException("/proc/" + pid + "/status has no Threads: line");
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path sibling = Path.of(java).resolveSibling("jcmd");
        String jcmd = Files.isExecutable(sibling) ? sibling.toString() : "jcmd";
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out.strip());
        }
        return out;
    }
}
