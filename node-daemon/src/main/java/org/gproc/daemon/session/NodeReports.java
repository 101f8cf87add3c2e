package org.gproc.daemon.session;

import org.gproc.daemon.proc.ProcessTable;
import org.gproc.daemon.proc.SessionCgroup;
import org.gproc.transport.xcpu.NodeState;
import org.gproc.transport.xcpu.ProcsLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of {@code /procs} and {@code /state}, read from Linux {@code /proc}; the formats are
 * {@link ProcsLine} and {@link NodeState}, which the client parses with the same types.
 */
public final class NodeReports {
    private static final Path PROC = Path.of("/proc");
    private static final long TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux ABI the JDK runs on
    private static final long PAGE_KIB = 4;
    private static final long BOOT_SECONDS = bootTime();

    private NodeReports() {
    }

    /** A running process's counters, or null if it is gone. */
    record ProcStat(double cpuPercent, long rssKiB, long startSeconds) {
    }

    /**
     * One line per session for its process (state: the session's), then one per other process of the session: state
     * {@code child} while the session's process runs, {@code orphan} once it has exited and left them running. With
     * a cgroup, the session's line carries the cgroup's CPU (over the session's life) and, with the memory
     * controller, its memory.current as rss.
     */
    public static String procs(List<Session> sessions) {
        StringBuilder text = new StringBuilder();
        for (Session s : sessions) {
            long pid = s.pid();
            if (pid == 0) {
                continue;
            }
            Session.State state = s.state();
            ProcStat stat = state == Session.State.RUNNING ? procStat(pid) : null;
            double cpu = stat == null ? 0.0 : stat.cpuPercent();
            long rss = stat == null ? 0 : stat.rssKiB();
            SessionCgroup cgroup = s.cgroup();
            if (cgroup != null) {
                double lifeSeconds = Math.max(0.01, Duration.between(s.created(), Instant.now()).toMillis() / 1000.0);
                cpu = cgroup.cpuMicros() / 1e6 / lifeSeconds * 100.0;
                long memory = cgroup.memoryBytes();
                rss = memory >= 0 ? memory / 1024 : rss;
            }
            text.append(new ProcsLine(s.id(), pid, state.name().toLowerCase(Locale.ROOT), s.owner(), cpu, rss,
                    stat == null ? s.created().getEpochSecond() : stat.startSeconds(), s.launchedArgv()).format())
                    .append('\n');
            String memberState = state == Session.State.RUNNING ? "child" : "orphan";
            for (long member : s.members()) {
                if (member == pid) {
                    continue;
                }
                ProcStat m = procStat(member);
                List<String> argv = ProcessTable.argv(member);
                if (m == null || argv.isEmpty()) {
                    continue; // gone meanwhile
                }
                text.append(new ProcsLine(s.id(), member, memberState, s.owner(), m.cpuPercent(), m.rssKiB(),
                        m.startSeconds(), argv).format()).append('\n');
            }
        }
        return text.toString();
    }

    public static String state(VirtualNode node, String version) {
        List<Session> all = node.sessions().all();
        long running = all.stream().filter(s -> s.state() == Session.State.RUNNING).count();
        String[] load = firstLine(PROC.resolve("loadavg")).split(" ");
        List<String> loadFigures = load.length >= 3 ? List.of(load[0], load[1], load[2]) : List.of("0", "0", "0");
        return new NodeState(loadFigures, meminfoBytes("MemTotal:"), meminfoBytes("MemAvailable:"), all.size(),
                running, node.cacheBytes(), Duration.between(node.started(), Instant.now()).toSeconds(), version,
                usage(all)).format();
    }

    /** The cgroup figures of every session that has a cgroup. */
    private static List<NodeState.SessionUsage> usage(List<Session> sessions) {
        List<NodeState.SessionUsage> usage = new ArrayList<>();
        for (Session s : sessions) {
            SessionCgroup cgroup = s.cgroup();
            if (cgroup != null && s.isLive()) {
                usage.add(new NodeState.SessionUsage(s.id(), cgroup.cpuMicros(), cgroup.memoryBytes(),
                        cgroup.procs().size()));
            }
        }
        return usage;
    }

    static ProcStat procStat(long pid) {
        String line = firstLine(PROC.resolve(Long.toString(pid)).resolve("stat"));
        int close = line.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        // fields after "pid (comm)": state(3) ... utime(14) stime(15) ... starttime(22) vsize(23) rss(24)
        String[] f = line.substring(close + 2).split(" ");
        if (f.length < 22) {
            return null;
        }
        try {
            long cpuTicks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            long startTicks = Long.parseLong(f[19]);
            long rssPages = Long.parseLong(f[21]);
            long startSeconds = BOOT_SECONDS + startTicks / TICKS_PER_SECOND;
            double lifeSeconds = Math.max(0.01, uptimeSeconds() - (double) startTicks / TICKS_PER_SECOND);
            double cpu = 100.0 * cpuTicks / TICKS_PER_SECOND / lifeSeconds;
            return new ProcStat(cpu, rssPages * PAGE_KIB, startSeconds);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double uptimeSeconds() {
        String[] f = firstLine(PROC.resolve("uptime")).split(" ");
        try {
            return Double.parseDouble(f[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long bootTime() {
        try {
            for (String line : Files.readAllLines(PROC.resolve("stat"))) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            // not Linux: fall through
        }
        return Instant.now().getEpochSecond() - (long) uptimeSeconds();
    }

    private static long meminfoBytes(String key) {
        try {
            for (String line : Files.readAllLines(PROC.resolve("meminfo"))) {
                if (line.startsWith(key)) {
                    String[] f = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // reported as 0
        }
        return 0;
    }

    private static String firstLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? "" : lines.get(0);
        } catch (IOException e) {
            return "";
        }
    }
}
