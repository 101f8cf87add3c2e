package org.gproc.daemon.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's processes without a cgroup, read from {@code /proc}: the spawn helper's monitor is a child subreaper,
 * so everything the command started and left behind is a descendant of the monitor; processes still in the
 * command's process group count too. The spawn helper applies the same rule when it signals them (through pidfds).
 */
public final class ProcessTable {

    private static final Path PROC = Path.of("/proc");

    private ProcessTable() {
    }

    /** Live members by pid, in pid order: descendants of {@code monitor} and processes of group {@code pgid}. */
    public static List<Long> members(long monitor, long pgid) {
        Map<Long, long[]> table = snapshot(); // pid -> {ppid, pgrp}
        List<Long> members = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : table.entrySet()) {
            long pid = e.getKey();
            if (pid != monitor && (e.getValue()[1] == pgid || descends(table, pid, monitor))) {
                members.add(pid);
            }
        }
        members.sort(null);
        return members;
    }

    private static boolean descends(Map<Long, long[]> table, long pid, long ancestor) {
        long at = pid;
        for (int depth = 0; depth < 4096; depth++) {
            long[] entry = table.get(at);
            if (entry == null || entry[0] <= 1) {
                return false;
            }
            if (entry[0] == ancestor) {
                return true;
            }
            at = entry[0];
        }
        return false;
    }

    private static Map<Long, long[]> snapshot() {
        Map<Long, long[]> table = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> isDigits(p.getFileName().toString()))) {
            for (Path dir : dirs) {
                long[] entry = parentAndGroup(dir.resolve("stat"));
                if (entry != null) {
                    table.put(Long.parseLong(dir.getFileName().toString()), entry);
                }
            }
        } catch (IOException e) {
            // no /proc: no members known
        }
        return table;
    }

    /** {ppid, pgrp} of a stat file, null if the process is gone or a zombie. */
    private static long[] parentAndGroup(Path stat) {
        try {
            String line = Files.readString(stat, StandardCharsets.US_ASCII);
            int close = line.lastIndexOf(')');
            String[] f = line.substring(close + 2).split(" ", 4);
            if (f[0].equals("Z") || f[0].equals("X")) {
                return null;
            }
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The start time of a live process (field 22 of {@code /proc/PID/stat}: clock ticks after boot) and its name,
     * or null if it is gone or a zombie. A pid and its start time name one process for the whole uptime: a pid reused
     * by another process has a later start time.
     */
    public static Identity identity(long pid) {
        try {
            String line = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.US_ASCII);
            int open = line.indexOf('(');
            int close = line.lastIndexOf(')');
            String[] f = line.substring(close + 2).split(" ");
            if (open < 0 || f.length < 20 || f[0].equals("Z") || f[0].equals("X")) {
                return null;
            }
            return new Identity(line.substring(open + 1, close), Long.parseLong(f[19]));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether {@code pid} is still the process that started at {@code startTicks} (and is no zombie). */
    public static boolean isSame(long pid, long startTicks) {
        Identity now = pid > 1 ? identity(pid) : null;
        return now != null && now.startTicks() == startTicks;
    }

    /** A process's name ({@code comm}) and start time in clock ticks after boot. */
    public record Identity(String name, long startTicks) {
    }

    /** The argv of a live process from /proc/PID/cmdline; empty if it is gone (or a kernel thread). */
    public static List<String> argv(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) {
                args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            }
            return args;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
