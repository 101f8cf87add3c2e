package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.Tokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts processes, each in its own session and process group, with exactly the given argv, environment and working
 * directory, stdout and stderr appended straight to spool files, stdin a pipe the daemon holds, and the exact exit
 * status. Normally through a small native helper ({@code src/main/c/gproc-spawn.c}, compiled with {@code cc} into
 * {@code <stateDir>/bin} on first use); without a compiler, through {@link ProcessBuilder} with the limits that
 * {@link JdkSpawner} lists. Running processes cost no thread in either case except, in the fallback, the JDK's
 * reaper thread per process.
 *
 * <p>Lifecycle: closing the launcher (or the daemon dying) ends the helper, which exits when its stdin closes; it does
 * not kill running processes. Each process's monitor is independent of the daemon (its own session, reparented to
 * init if need be) and still writes {@code exit-status} in the session directory, and keeps the stdin fifo open, so a
 * restarted daemon finds each process again through {@link #adopt} (the session layer keeps the pids, see
 * {@link RunningProcess#ids()}): its exit, its stdin, its members and signals. The JDK fallback's processes cannot be
 * adopted.
 */
public final class ProcessLauncher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessLauncher.class);

    /** Well under the native helper's 64 MiB request limit; the kernel refuses more than ARG_MAX long before. */
    static final long MAX_ARGV_ENV_CHARS = 8 << 20;

    /** Stdin drain threads exist only while a process's pipe is full; this many such processes at most. */
    private static final int STDIN_THREADS = 256;

    private final SpoolWatcher watcher;
    private final boolean ownsWatcher;
    private final ThreadPoolExecutor stdinExecutor;
    private final NativeSpawner nativeSpawner;
    private final JdkSpawner jdkSpawner;
    private final Cgroups cgroups;

    /** A launcher with its own {@link SpoolWatcher}; a daemon with several launchers should share one instead. */
    public ProcessLauncher(Path stateDir) {
        this(stateDir, null, true);
    }

    public ProcessLauncher(Path stateDir, SpoolWatcher watcher) {
        this(stateDir, watcher, true, detectQuietly(stateDir));
    }

    /** With {@code cgroups} (null: none) for the sessions' processes; see {@link Cgroups#detect}. */
    public ProcessLauncher(Path stateDir, SpoolWatcher watcher, Cgroups cgroups) {
        this(stateDir, watcher, true, cgroups);
    }

    /** {@code tryNative=false} forces the ProcessBuilder fallback (tests of the fallback use it). */
    ProcessLauncher(Path stateDir, SpoolWatcher watcher, boolean tryNative) {
        this(stateDir, watcher, tryNative, tryNative ? detectQuietly(stateDir) : null);
    }

    private ProcessLauncher(Path stateDir, SpoolWatcher watcher, boolean tryNative, Cgroups cgroups) {
        this.cgroups = cgroups;
        this.ownsWatcher = watcher == null;
        this.watcher = watcher != null ? watcher : new SpoolWatcher();
        AtomicInteger threads = new AtomicInteger();
        this.stdinExecutor = new ThreadPoolExecutor(0, STDIN_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "gprocd-stdin-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        Path binary = null;
        if (tryNative) {
            try {
                binary = SpawnHelperBuild.locate(stateDir.resolve("bin"));
            } catch (IOException e) {
                log.warn("process launcher: no native spawn helper ({}); falling back to ProcessBuilder: exit codes"
                        + " above 128 read as signals, no core flag, one JDK reaper thread per process", e.getMessage());
            }
        }
        this.nativeSpawner = binary != null ? new NativeSpawner(binary, this.watcher, stdinExecutor) : null;
        this.jdkSpawner = binary != null ? null : new JdkSpawner(stdinExecutor);
    }

    /** Starts {@code spec}; a missing or non-executable program, a bad directory or bad argv/env is a clear error. */
    public RunningProcess start(LaunchSpec spec) throws NinePException {
        check(spec);
        return nativeSpawner != null ? nativeSpawner.start(spec) : jdkSpawner.start(spec);
    }

    /**
     * A process an earlier daemon started in {@code spoolDir}, as {@link NativeSpawner#adopt} describes; refused in
     * the JDK fallback, whose processes end their bond with the daemon when it exits.
     */
    public RunningProcess adopt(Path spoolDir, RunningProcess.Ids ids, SessionCgroup cgroup, boolean stdinOpen,
                                boolean monitorAlive) throws NinePException {
        if (nativeSpawner == null) {
            throw new NinePException("adopt: process " + ids.pid() + " needs the native spawn helper, and there is none");
        }
        return nativeSpawner.adopt(spoolDir, ids, cgroup, stdinOpen, monitorAlive);
    }

    /** The cgroup {@code dir} of an adopted session, or null if it is gone or not one of this daemon's. */
    public SessionCgroup existingCgroup(Path dir) {
        return cgroups == null || dir == null ? null : cgroups.existing(dir);
    }

    /**
     * A cgroup for one session's processes, or null where sessions are contained by the subreaper alone (no cgroup v2
     * the daemon can manage, the JDK fallback, or this cgroup could not be made: logged).
     */
    public SessionCgroup newCgroup(String name) {
        if (cgroups == null || nativeSpawner == null) {
            return null;
        }
        try {
            return cgroups.create(name);
        } catch (IOException e) {
            log.warn("session {}: no cgroup ({}); contained by the spawn helper's subreaper only", name,
                    e.getMessage());
            return null;
        }
    }

    /** The sessions' cgroups, or null. */
    public Cgroups cgroups() {
        return cgroups;
    }

    private static Cgroups detectQuietly(Path stateDir) {
        try {
            Cgroups.Detected detected = Cgroups.detect(stateDir, 0, 0);
            if (detected.cgroups() == null) {
                log.info("no session cgroups: {}; processes are contained by the spawn helper's subreaper",
                        detected.unavailableBecause());
            }
            return detected.cgroups();
        } catch (IOException e) {
            log.info("no session cgroups: {}", e.getMessage());
            return null;
        }
    }

    /** True when processes start through the native helper (exact exit status), false in the fallback. */
    public boolean isNative() {
        return nativeSpawner != null;
    }

    public SpoolWatcher watcher() {
        return watcher;
    }

    /** The native helper's pid, -1 if none runs (diagnostics and tests). */
    long helperPid() {
        return nativeSpawner == null ? -1 : nativeSpawner.helperPid();
    }

    /**
     * For a daemon that exits leaving its sessions running (a restart): the helper and the stdin threads stop, the
     * cgroups stay as they are (a cgroup still holding processes would only make {@link #close()} wait).
     */
    public void detach() {
        if (nativeSpawner != null) {
            nativeSpawner.close();
        }
        stdinExecutor.shutdown();
        if (ownsWatcher) {
            watcher.close();
        }
    }

    @Override
    public void close() {
        if (nativeSpawner != null) {
            nativeSpawner.close();
        }
        stdinExecutor.shutdown();
        if (cgroups != null) {
            cgroups.close();
        }
        if (ownsWatcher) {
            watcher.close();
        }
    }

    private static void check(LaunchSpec spec) throws NinePException {
        if (spec.argv().isEmpty() || spec.argv().get(0).isEmpty()) {
            throw new NinePException("exec: empty argv (the first argument names the program)");
        }
        long chars = 0;
        for (String arg : spec.argv()) {
            chars += arg.length() + 1;
            if (arg.indexOf('\0') >= 0) {
                throw new NinePException("argv: argument " + Tokens.shown(arg) + " contains a NUL byte");
            }
        }
        for (Map.Entry<String, String> e : spec.env().entrySet()) {
            String key = e.getKey();
            chars += key.length() + e.getValue().length() + 2;
            if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
                throw new NinePException("env: bad variable name " + Tokens.shown(key)
                        + " (non-empty, without '=' or NUL)");
            }
            if (e.getValue().indexOf('\0') >= 0) {
                throw new NinePException("env: value of " + key + " contains a NUL byte");
            }
        }
        if (chars > MAX_ARGV_ENV_CHARS) {
            throw new NinePException("exec: argv and env take " + chars + " characters (limit " + MAX_ARGV_ENV_CHARS
                    + ")");
        }
        if (!Files.isDirectory(spec.dir())) {
            throw new NinePException("dir " + spec.dir() + ": no such directory");
        }
        if (!Files.isDirectory(spec.spoolDir())) {
            throw new NinePException("exec: spool directory " + spec.spoolDir() + " does not exist");
        }
    }

    /** Throws the {@link NinePException} a failed future carries. */
    static void rethrow(CompletableFuture<?> failed) throws NinePException {
        try {
            failed.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof NinePException nine) {
                throw nine;
            }
            throw e;
        }
    }
}
