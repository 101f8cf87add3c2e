package org.gproc.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
    /** CPU seconds every core of the machine spent busy and idle so far ({@code /proc/stat}), -1 if unreadable. */
    private final double machineBusy;
    private final double machineIdle;

    private ProcessCpu(double self, double[] others, double[] machine) {
        this.self = self;
        this.others = others;
        this.machineBusy = machine[0];
        this.machineIdle = machine[1];
    }

    /** CPU seconds so far of this process, of each of {@code pids} (0 for one that has gone) and of the machine. */
    static ProcessCpu snapshot(List<Long> pids) {
        double[] others = new double[pids.size()];
        for (int i = 0; i < others.length; i++) {
            others[i] = seconds(Path.of("/proc", Long.toString(pids.get(i)), "stat"));
        }
        return new ProcessCpu(seconds(Path.of("/proc/self/stat")), others, machine());
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

    /**
     * Where a stretch of wall time went on the machine: this process, the others, everything else that ran (helper
     * processes, the commands themselves, the kernel's own work, other load) and idle cores, in CPU seconds.
     */
    String split(ProcessCpu before, String selfName, String othersName) {
        double busy = machineBusy - before.machineBusy;
        double mine = selfSince(before);
        double theirs = othersSince(before);
        if (machineBusy < 0 || before.machineBusy < 0) {
            return String.format(Locale.ROOT, "CPU: %s %.2f s, %s %.2f s", selfName, mine, othersName, theirs);
        }
        return String.format(Locale.ROOT, "CPU: %s %.2f s, %s %.2f s, rest of the machine %.2f s, idle %.2f s",
                selfName, mine, othersName, theirs, Math.max(0, busy - mine - theirs),
                machineIdle - before.machineIdle);
    }

    /** Busy and idle seconds of all cores from the first line of /proc/stat (iowait counts as idle). */
    private static double[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            double busy = 0;
            double idle = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) { // user nice system idle iowait irq softirq steal
                double v = Long.parseLong(f[i]) / TICKS_PER_SECOND;
                if (i == 4 || i == 5) {
                    idle += v;
                } else {
                    busy += v;
                }
            }
            return new double[] {busy, idle};
        } catch (IOException | RuntimeException e) {
            return new double[] {-1, -1};
        }
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
