package org.gproc.client;

import org.gproc.transport.xcpu.ProcsLine;
import org.gproc.transport.xcpu.Tokens;

import java.util.List;
import java.util.Locale;
import org.gproc.client.internal.exec.PushPlan;

/**
 * One row of a node's {@code procs}: a process the caller owns, with the node it runs on.
 * {@code kill} signals it through the cluster that listed it. {@code cluster.ps()} lists running processes only;
 * {@code cluster.ps(true)} (Groovy: {@code cluster.ps(all: true)}) also those that have exited and not been wiped.
 */
public final class ProcessInfo {
    static final String RUNNING = "running";
    /** States of a session's other processes: listed only while they live. */
    private static final String CHILD = "child";
    private static final String ORPHAN = "orphan";
    private final Cluster cluster;
    private final String node;
    private final String session;
    private final long pid;
    private final String state;
    private final String owner;
    private final double cpu;
    private final long rss;
    private final String start;
    private final String argv;

    ProcessInfo(Cluster cluster, String node, String session, long pid, String state, String owner, double cpu,
                long rss, String start, String argv) {
        this.cluster = cluster;
        this.node = node;
        this.session = session;
        this.pid = pid;
        this.state = state;
        this.owner = owner;
        this.cpu = cpu;
        this.rss = rss;
        this.start = start;
        this.argv = argv;
    }

    /**
     * A row of the node's {@code procs}, as {@link ProcsLine} reads it; argv stays in its quoted text form. A program
     * pushed with its libraries runs as {@code .lib/ld.so --library-path .. --argv0 P P ARGS}: its row shows what the
     * user ran, {@code P ARGS}, marked {@value #THROUGH_LOADER}.
     */
    static ProcessInfo of(Cluster cluster, String node, ProcsLine line) {
        List<String> program = PushPlan.programArgv(line.argv());
        String argv = program == null ? Tokens.join(line.argv()) : Tokens.join(program) + THROUGH_LOADER;
        return new ProcessInfo(cluster, node, String.valueOf(line.session()), line.pid(), line.state(), line.owner(),
                line.cpu(), line.rssKiB(), String.valueOf(line.startSeconds()), argv);
    }

    /** Marks the argv of a program started through the pushed loader ({@code --libs}). */
    public static final String THROUGH_LOADER = "  (libs: through the pushed loader)";

    public String getNode() { return node; }
    public String getSession() { return session; }
    public long getPid() { return pid; }
    public String getState() { return state; }
    public String getOwner() { return owner; }
    /** CPU use in percent. */
    public double getCpu() { return cpu; }
    /** Resident set size in KiB. */
    public long getRss() { return rss; }
    public String getStart() { return start; }
    public String getArgv() { return argv; }

    /** {@code node:session}, the name {@code gproc kill} takes. */
    public String getId() {
        return node + ":" + session;
    }

    /**
     * True while the row's process runs: the session's own process ({@code running}), or another process of the
     * session ({@code child} while the session's process runs, {@code orphan} after it has exited), which the node
     * lists only while it lives.
     */
    public boolean isRunning() {
        return RUNNING.equals(state) || !isSessionProcess();
    }

    /**
     * True for the process the session started, the one whose output and exit status the session keeps; false for
     * the rows of its children and orphans, which share its session number.
     */
    public boolean isSessionProcess() {
        return !CHILD.equals(state) && !ORPHAN.equals(state);
    }

    /**
     * Signals the process group. A process that has already exited (when listed, or since) is left alone with a
     * note on standard error, so a script that kills what it found goes on: there is nothing left to stop.
     *
     * @return true when the node took the signal, false when the process had already exited
     */
    public boolean kill(String signal) {
        if (!isRunning()) {
            System.err.println("kill: " + getId() + " has already exited; nothing to signal");
            return false;
        }
        try {
            cluster.kill(getId(), signal);
            return true;
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("has already exited")) {
                System.err.println("kill: " + getId() + " exited before the signal; nothing to signal");
                return false;
            }
            throw e;
        }
    }

    public boolean kill() {
        return kill("TERM");
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %s %d %s %s %.1f %d %s %s", node, session, pid, state, owner, cpu,
                rss, start, argv);
    }
}
