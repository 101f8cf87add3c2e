package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.ExitStatus;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A process started by {@link ProcessLauncher}. It leads its own session and process group; its pid is the group id.
 * No daemon thread is spent on it while it runs: output goes straight to the spool files and the exit is noticed by
 * the shared {@link SpoolWatcher}. Everything it starts — children, double forks, setsid — stays one of its
 * {@link #members()} (its cgroup, or the descendants of its subreaper monitor), also after it exited itself.
 */
public interface RunningProcess {

    /** Also the process group id. */
    long pid();

    /**
     * Completes once with the exact exit status; exceptionally only for an adopted process whose monitor was killed
     * while no daemon ran, so that nobody recorded how it ended.
     */
    CompletableFuture<ExitStatus> onExit();

    /**
     * What a restarted daemon needs to find the process again and make sure it is the same one, or null where the
     * process cannot outlive the daemon (the JDK fallback).
     */
    default Ids ids() {
        return null;
    }

    /**
     * The process and its monitor, each with its start time from {@code /proc/PID/stat} (clock ticks after boot;
     * -1 if it had already gone when asked), so a pid reused by another process is never taken for them.
     */
    record Ids(long pid, long pidStart, long monitor, long monitorStart) {
    }

    /**
     * Sends {@code sig} to every member, each through a pidfd checked to still be a member (a reused pid is never
     * signalled); an error once none is left.
     */
    void signal(int sig) throws NinePException;

    /** The pids of every live process it and its descendants started, itself included while it runs. */
    List<Long> members();

    /** Its cgroup, or null when it is contained by the subreaper alone. */
    default SessionCgroup cgroup() {
        return null;
    }

    /**
     * Queues {@code data} for the process's stdin and returns at once. Bytes are written in call order by a small
     * shared pool; a process that does not read holds back at most {@link #STDIN_PENDING_LIMIT} bytes, beyond which
     * this is an error. After {@link #closeStdin()} or the exit it is an error.
     */
    void writeStdin(byte[] data) throws NinePException;

    /**
     * Like {@link #writeStdin} but completes (with {@code data.length}) once the bytes are in the pipe, or fails with a
     * {@link NinePException} (e.g. the process exited without reading them): a caller that answers its client only
     * then gives that client flow control.
     */
    CompletableFuture<Integer> stdinWrite(byte[] data);

    /** The process sees EOF after everything written so far; idempotent. */
    void closeStdin();

    /** Bytes one process may have queued for its stdin without reading them. */
    int STDIN_PENDING_LIMIT = 1 << 20;
}
