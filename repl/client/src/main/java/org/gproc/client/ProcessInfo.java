package org.gproc.client;

import java.util.Locale;

/**
 * One row of a node's {@code procs}: a process the caller owns, with the node it runs on.
 * {@code kill} signals it through the cluster that listed it. {@code cluster.ps()} lists running processes only;
 * {@code cluster.ps(true)} (Groovy: {@code cluster.ps(all: true)}) also those that have exited and not been wiped.
 */
public final class ProcessInfo {
    static final String RUNNING = "running";
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

    /** Parses {@code session pid state owner cpu rss start argv...}; null for a line that is not a row. */
    static ProcessInfo parse(Cluster cluster, String node, String line) {
        String[] f = line.trim().split("\\s+", 8);
        if (f.length < 7) {
            return null;
        }
        try {
            return new ProcessInfo(cluster, node, f[0], Long.parseLong(f[1]), f[2], f[3], Double.parseDouble(f[4]),
                    Long.parseLong(f[5]), f[6], f.length > 7 ? f[7] : "");
        } catch (NumberFormatException e) {
            return null;
        }
    }

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

    /** True while the row's process runs ({@code state} {@code running}); {@code exited} otherwise. */
    public boolean isRunning() {
        return RUNNING.equals(state);
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
