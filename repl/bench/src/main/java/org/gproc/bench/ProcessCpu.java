package org.gproc.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * User plus system CPU seconds of a set of processes (this JVM and the daemons a bench started), from
 * {@code /proc/PID/stat}, between two snapshots. Beside a wall time it tells whether a run waited for the links or
 * for the cores: CPU seconds close to wall time times the cores mean the machine, not the network, was the limit.
 */
final class ProcessCpu {
    /** Linux's USER_HZ: the unit of utime and stime in /proc/PID/stat on every architecture gproc runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final double self;
    private final double[] others;

    private ProcessCpu(double self, double[] others) {
        this.self = self;
        this.others = others;
    }

    /** CPU seconds so far of this process and of each of {@code pids} (0 for one that has gone). */
    static ProcessCpu snapshot(List<Long> pids) {
        double[] others = new double[pids.size()];
        for (int i = 0; i < others.length; i++) {
            others[i] = seconds(Path.of("/proc", Long.toString(pids.get(i)), "stat"));
        }
        return new ProcessCpu(seconds(Path.of("/proc/self/stat")), others);
    }

    /** The pids in {@code file}, one a line (blank lines ignored). */
    static List<Long> pids(Path file) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.trim()));
            }
        }
        return pids;
    }

    double selfSince(ProcessCpu before) {
        return self - before.self;
    }

    double othersSince(ProcessCpu before) {
        double sum = 0;
        for (int i = 0; i < others.length; i++) {
            sum += Math.max(0, others[i] - before.others[i]);
        }
        return sum;
    }

    /** The most CPU one of the other processes used since {@code before}. */
    double busiestSince(ProcessCpu before) {
        double max = 0;
        for (int i = 0; i < others.length; i++) {
            max = Math.max(max, others[i] - before.others[i]);
        }
        return max;
    }

    /** utime + stime (fields 14 and 15; the command name, field 2, may hold spaces, so count after its ')'). */
    private static double seconds(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** The 1-minute load average, or -1 where there is none. */
    static double load() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
