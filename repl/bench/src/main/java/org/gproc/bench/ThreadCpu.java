package org.gproc.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * CPU time per thread group of this JVM between two snapshots ({@code sshd-SshClient[1a2b]-nio2-thread-3} counts as
 * {@code sshd-SshClient[N]-nioN-thread-N}). CPU seconds, unlike wall time, do not depend on what else the machine
 * runs, so they say where a transfer's work goes even on a busy machine.
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> nanos = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();

    private ThreadCpu() {
    }

    static ThreadCpu snapshot() {
        ThreadCpu s = new ThreadCpu();
        if (!THREADS.isThreadCpuTimeSupported()) {
            return s;
        }
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null) {
                long t = THREADS.getThreadCpuTime(info.getThreadId());
                if (t >= 0) {
                    s.nanos.put(info.getThreadId(), t);
                    s.names.put(info.getThreadId(), info.getThreadName());
                }
            }
        }
        return s;
    }

    /** CPU seconds per thread group spent since {@code before}, largest first, e.g. "main 0.12, gproc-ssh-frames-N 0.08". */
    String since(ThreadCpu before) {
        Map<String, Long> byGroup = new TreeMap<>();
        nanos.forEach((id, t) -> {
            long spent = t - before.nanos.getOrDefault(id, 0L);
            if (spent > 0) {
                byGroup.merge(names.get(id).replaceAll("[0-9a-f]*[0-9][0-9a-f]*", "N"), spent, Long::sum);
            }
        });
        return byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .filter(e -> e.getValue() >= 5_000_000)
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() / 1e9))
                .collect(Collectors.joining(", "));
    }
}
