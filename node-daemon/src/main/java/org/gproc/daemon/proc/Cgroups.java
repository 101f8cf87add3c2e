package org.gproc.daemon.proc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where the daemon keeps one cgroup v2 per session: {@code <mount><own cgroup>/gprocd-<hash of the state dir>/}, a
 * subtree of the cgroup the daemon itself runs in (from {@code /proc/self/cgroup}), on the cgroup2 mount found in
 * {@code /proc/self/mountinfo}. The daemon never writes to any other cgroup; under systemd its unit needs
 * {@code Delegate=yes} so that this subtree is the daemon's to manage. The name follows the state dir, so a daemon
 * restarted on the same state dir finds the cgroups of the sessions it re-adopts.
 *
 * <p>Limits ({@code --session-memory}, {@code --session-pids}) need the memory and pids controllers delegated to the
 * daemon's cgroup; enabling them for the subtree needs a cgroup without processes, so the daemon then moves itself
 * into a leaf {@code gprocd-<hash>.daemon} of its own cgroup (the systemd-documented layout for a delegated unit).
 * Where there is no cgroup2 mount or the subtree cannot be made, {@link #detect} says why and the daemon falls back
 * to the spawn helper's subreaper containment.
 */
public final class Cgroups {

    private static final Logger log = LoggerFactory.getLogger(Cgroups.class);

    private final Path own;
    private final Path base;
    private final Set<String> controllers;
    private final long memoryMax;
    private final long pidsMax;

    private Cgroups(Path own, Path base, Set<String> controllers, long memoryMax, long pidsMax) {
        this.own = own;
        this.base = base;
        this.controllers = controllers;
        this.memoryMax = memoryMax;
        this.pidsMax = pidsMax;
    }

    /** What {@link #detect} found: the cgroups, or why there are none. */
    public record Detected(Cgroups cgroups, String unavailableBecause) {
    }

    /**
     * Finds the daemon's cgroup and makes the sessions' subtree. {@code memoryMax}, {@code pidsMax}: per-session
     * limits, 0 for none; asking for one whose controller is not delegated is an error naming the controller.
     */
    public static Detected detect(Path stateDir, long memoryMax, long pidsMax) throws IOException {
        Path mount = cgroup2Mount(Path.of("/proc/self/mountinfo"));
        String ownPath = ownCgroup(Path.of("/proc/self/cgroup"));
        String why = mount == null ? "no cgroup2 file system is mounted"
                : ownPath == null ? "this process has no cgroup v2 entry in /proc/self/cgroup" : null;
        if (why != null) {
            refuseLimits(memoryMax, pidsMax, why);
            return new Detected(null, why);
        }
        Path own = mount.resolve(ownPath.substring(1));
        Path base = own.resolve("gprocd-" + shortHash(stateDir.toAbsolutePath().normalize().toString()));
        Set<String> available = words(own.resolve("cgroup.controllers"));
        Set<String> wanted = new TreeSet<>();
        if (memoryMax > 0) {
            wanted.add("memory");
        }
        if (pidsMax > 0) {
            wanted.add("pids");
        }
        for (String c : wanted) {
            if (!available.contains(c)) {
                throw new IOException("--session-" + c + ": the " + c
                        + " controller is not available in cgroup " + own + " (cgroup.controllers: "
                        + (available.isEmpty() ? "none" : String.join(" ", available))
                        + "); delegate it (systemd: Delegate=yes) or leave the limit unset");
            }
        }
        try {
            Files.createDirectories(base);
        } catch (IOException e) {
            why = "cannot create " + base + " (" + e.getMessage() + "; under systemd, Delegate=yes)";
            refuseLimits(memoryMax, pidsMax, why);
            return new Detected(null, why);
        }
        if (!wanted.isEmpty()) {
            enableControllers(own, base, wanted);
        } else {
            // only a probe: the subtree is made again by the first session, so a launcher that never runs a
            // process (or is never closed) leaves no empty cgroup behind
            try {
                Files.deleteIfExists(base);
            } catch (IOException inUse) {
                // another launcher on the same state dir has sessions in it
            }
        }
        log.info("sessions get cgroups under {} (controllers: {})", base,
                wanted.isEmpty() ? "none enabled" : String.join(" ", wanted));
        return new Detected(new Cgroups(own, base, Set.copyOf(words(base.resolve("cgroup.controllers"))), memoryMax,
                pidsMax), null);
    }

    private static void refuseLimits(long memoryMax, long pidsMax, String why) throws IOException {
        if (memoryMax > 0 || pidsMax > 0) {
            throw new IOException((memoryMax > 0 ? "--session-memory" : "--session-pids")
                    + ": session limits need a cgroup v2 the daemon can manage, and " + why);
        }
    }

    /** {@code +memory +pids} down to the sessions' subtree; the daemon first leaves its cgroup for a leaf of it. */
    private static void enableControllers(Path own, Path base, Set<String> wanted) throws IOException {
        String enable = String.join(" ", wanted.stream().map(c -> "+" + c).toList());
        try {
            Files.writeString(own.resolve("cgroup.subtree_control"), enable);
        } catch (IOException busy) {
            // "no internal processes": a cgroup that hands controllers down holds no process itself
            Path leaf = Files.createDirectories(own.resolve(base.getFileName() + ".daemon"));
            Files.writeString(leaf.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
            Files.writeString(own.resolve("cgroup.subtree_control"), enable);
        }
        Files.writeString(base.resolve("cgroup.subtree_control"), enable);
    }

    /** A new, empty cgroup for one session (an existing one of that name is reused: a re-adopted session's). */
    public SessionCgroup create(String name) throws IOException {
        Path dir = Files.createDirectories(base.resolve(name));
        if (memoryMax > 0) {
            Files.writeString(dir.resolve("memory.max"), Long.toString(memoryMax));
        }
        if (pidsMax > 0) {
            Files.writeString(dir.resolve("pids.max"), Long.toString(pidsMax));
        }
        return new SessionCgroup(dir, memoryMax, pidsMax);
    }

    /** The cgroup of a re-adopted session, if it is still there. */
    public SessionCgroup existing(Path dir) {
        return dir.getParent() != null && dir.getParent().equals(base) && Files.isDirectory(dir)
                ? new SessionCgroup(dir, memoryMax, pidsMax) : null;
    }

    public boolean hasController(String name) {
        return controllers.contains(name);
    }

    public Path base() {
        return base;
    }

    public Path own() {
        return own;
    }

    /**
     * Removes the subtree if no process is left in it (at shutdown): session cgroups whose killed processes are still
     * exiting get a few seconds.
     */
    public void close() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        try (var children = Files.list(base)) {
            for (Path dir : children.filter(Files::isDirectory).toList()) {
                SessionCgroup cgroup = new SessionCgroup(dir, 0, 0);
                while (!cgroup.remove() && !cgroup.procs().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                cgroup.remove();
            }
            Files.deleteIfExists(base);
        } catch (IOException leftBusy) {
            log.debug("cgroup {} kept: {}", base, leftBusy.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The mount point of the cgroup2 file system, from mountinfo (field after " - " is the type). */
    static Path cgroup2Mount(Path mountinfo) throws IOException {
        if (!Files.isReadable(mountinfo)) {
            return null;
        }
        for (String line : Files.readAllLines(mountinfo, StandardCharsets.UTF_8)) {
            int dash = line.indexOf(" - ");
            String[] before = line.substring(0, Math.max(dash, 0)).split(" ");
            String[] after = dash < 0 ? new String[0] : line.substring(dash + 3).split(" ");
            if (after.length > 0 && after[0].equals("cgroup2") && before.length > 4) {
                return Path.of(before[4].replace("\\040", " "));
            }
        }
        return null;
    }

    /** The v2 path ("0::/a/b") in /proc/self/cgroup. */
    static String ownCgroup(Path procCgroup) throws IOException {
        if (!Files.isReadable(procCgroup)) {
            return null;
        }
        for (String line : Files.readAllLines(procCgroup, StandardCharsets.UTF_8)) {
            if (line.startsWith("0::/")) {
                return line.substring(3).replace(" (deleted)", "");
            }
        }
        return null;
    }

    private static Set<String> words(Path file) {
        try {
            String text = Files.readString(file).trim();
            return text.isEmpty() ? Set.of() : new TreeSet<>(List.of(text.split("\\s+")));
        } catch (IOException e) {
            return Set.of();
        }
    }

    private static String shortHash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
