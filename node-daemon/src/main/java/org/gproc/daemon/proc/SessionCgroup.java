package org.gproc.daemon.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One session's cgroup: its member processes ({@code cgroup.procs}), CPU time ({@code cpu.stat}), memory
 * ({@code memory.current}, where the memory controller is enabled) and whether a limit was hit
 * ({@code memory.events}, {@code pids.events}). Made by {@link Cgroups}; removed when the session ends.
 */
public final class SessionCgroup {

    private final Path dir;
    private final long memoryMax;
    private final long pidsMax;

    SessionCgroup(Path dir, long memoryMax, long pidsMax) {
        this.dir = dir;
        this.memoryMax = memoryMax;
        this.pidsMax = pidsMax;
    }

    public Path dir() {
        return dir;
    }

    /** The pids in the cgroup now (empty once it is gone). */
    public List<Long> procs() {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone: no members
        }
        return pids;
    }

    /** CPU time of every process that ran in it, in microseconds ({@code usage_usec}); 0 if unreadable. */
    public long cpuMicros() {
        return keyed(dir.resolve("cpu.stat"), "usage_usec");
    }

    /** Bytes charged to it now, or -1 without the memory controller. */
    public long memoryBytes() {
        try {
            return Long.parseLong(Files.readString(dir.resolve("memory.current")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Which limit its processes ran into, or null: {@code memory} (the kernel OOM-killed a member at memory.max) or
     * {@code pids} (a fork failed at pids.max).
     */
    public String limitHit() {
        if (memoryMax > 0 && keyed(dir.resolve("memory.events"), "oom_kill") > 0) {
            return "memory";
        }
        if (pidsMax > 0 && keyed(dir.resolve("pids.events"), "max") > 0) {
            return "pids";
        }
        return null;
    }

    /** {@link #limitHit()} in words, with the limit and its flag: {@code memory at 67108864 bytes (--session-memory)}. */
    public String limitHitText() {
        String hit = limitHit();
        if (hit == null) {
            return null;
        }
        return hit.equals("memory") ? "memory at " + memoryMax + " bytes (--session-memory)"
                : "pids at " + pidsMax + " processes (--session-pids)";
    }

    /** Removes the cgroup; false while processes are still in it (they are being killed). */
    public boolean remove() {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (IOException busy) {
            return false;
        }
    }

    private static long keyed(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key + " ")) {
                    return Long.parseLong(line.substring(key.length() + 1).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // absent controller or file: 0
        }
        return 0;
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
