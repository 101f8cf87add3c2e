package org.gproc.client;

import org.gproc.transport.xcpu.ProcsLine;
import org.gproc.transport.xcpu.Tokens;

import java.util.Locale;

/**
 * One row of a node's {@code procs}: a process the caller owns, with the node it runs on.
 * {@code kill} signals it through the cluster that listed it.
 */
public final class ProcessInfo {
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

    /** A row of the node's {@code procs}, as {@link ProcsLine} reads it; argv stays in its quoted text form. */
    static ProcessInfo of(Cluster cluster, String node, ProcsLine line) {
        return new ProcessInfo(cluster, node, String.valueOf(line.session()), line.pid(), line.state(), line.owner(),
                line.cpu(), line.rssKiB(), String.valueOf(line.startSeconds()), Tokens.join(line.argv()));
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

    public void kill(String signal) {
        cluster.kill(getId(), signal);
    }

    public void kill() {
        kill("TERM");
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %s %d %s %s %.1f %d %s %s", node, session, pid, state, owner, cpu,
                rss, start, argv);
    }
}
