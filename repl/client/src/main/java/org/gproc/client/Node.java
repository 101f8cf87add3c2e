package org.gproc.client;

import org.gproc.client.internal.exec.BlobPush;
import org.gproc.client.internal.exec.ExecRequest;
import org.gproc.client.internal.exec.Futures;
import org.gproc.client.internal.exec.LocalBlob;
import org.gproc.client.internal.exec.NodeChannel;
import org.gproc.client.internal.exec.SessionProcess;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Stat;
import org.gproc.transport.xcpu.ProcsLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One node of the cluster: {@code node.push('/bin/date').run()} runs the control node's {@code /bin/date} there,
 * {@code node.run('/bin/df', '-h')} the node's own. A node that could not be reached is still a Node: everything
 * started on it fails at once with the reason, so fan-outs report it instead of stopping.
 */
public final class Node {
    private final Cluster cluster;
    private final String name;
    private volatile NodeChannel channel;
    private volatile String downReason;
    private volatile String arch;
    private volatile String uname;

    Node(Cluster cluster, String name, NodeChannel channel, String downReason) {
        this.cluster = cluster;
        this.name = name;
        this.channel = channel;
        this.downReason = downReason;
    }

    public String getName() {
        return name;
    }

    public boolean isUp() {
        return channel != null && channel.isOpen();
    }

    /** Why the node is down (connect refused, host key mismatch, …); null while it is up. */
    public String getDownReason() {
        NodeChannel c = channel;
        if (c == null || (!c.isOpen() && downReason != null)) {
            return downReason;
        }
        return c.isOpen() ? null : "connection closed";
    }

    /** From now on the node is reached through {@code next} (its relay was lost and it was found another way). */
    void rerouted(NodeChannel next) {
        NodeChannel was = channel;
        channel = next;
        downReason = null;
        if (was != null) {
            was.replaceWith(next);
        }
    }

    /** The node's route was lost and none is left: it is down for {@code reason}. */
    void lost(String reason) {
        downReason = reason;
        if (channel != null) {
            channel.lost(reason);
        }
    }

    /** The node's machine architecture, e.g. {@code x86_64}. */
    public String getArch() {
        if (arch == null) {
            arch = cat("arch").trim();
        }
        return arch;
    }

    /** The node's arch, read once (in parallel for a fan-out) and then remembered. */
    CompletableFuture<String> archAsync() {
        String known = arch;
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        if (!isUp()) {
            return CompletableFuture.failedFuture(new IllegalStateException("node is down: " + getDownReason()));
        }
        return channel.readText("arch").thenApply(text -> {
            arch = text.trim();
            return arch;
        });
    }

    /** The node's system, e.g. {@code Linux 6.1.0}. */
    public String getUname() {
        if (uname == null) {
            uname = cat("uname").trim();
        }
        return uname;
    }

    /** The node's status: load, memory, sessions, cache bytes, uptime, daemon version. */
    public String getState() {
        return cat("state");
    }

    /** Pushes {@code paths} (the first is the program) and returns the launch to configure and run. */
    public Launch<RemoteProcess> push(Object... paths) {
        if (paths.length == 0) {
            throw new IllegalArgumentException("push: name at least the program to push");
        }
        List<Path> files = Arrays.stream(paths).map(p -> Path.of(String.valueOf(p))).toList();
        return new Launch<>(null, files, cluster.engine().blobs(), this::start);
    }

    /**
     * {@code push('./sim', libs: true)}, {@code push(x86_64: 'sim.x86_64', aarch64: 'sim.aarch64')}: see
     * {@link NodeSet#push(Map, Object...)}.
     */
    public Launch<RemoteProcess> push(Map<String, ?> options, Object... paths) {
        return Launch.pushing(options, paths, cluster.engine().blobs(), this::start);
    }

    /** A launch of the node's own program at the absolute {@code path}. */
    public Launch<RemoteProcess> command(String path) {
        return new Launch<>(path, List.of(), cluster.engine().blobs(), this::start);
    }

    /** Runs the node's own program at the absolute {@code path} (or a bare name in its PATH) with {@code args}. */
    public RemoteProcess run(String path, Object... args) {
        return command(path).args(args).run();
    }

    /** As {@link NodeSet#run(String, Consumer)}, on this node. */
    public RemoteProcess run(String path, Consumer<? super Launch<RemoteProcess>> spec) {
        Launch<RemoteProcess> launch = command(path);
        spec.accept(launch);
        return launch.run();
    }

    RemoteProcess start(Launch<RemoteProcess> launch) {
        return cluster.startOne(this, launch);
    }

    /** Starts without telling the tracker (a Job reports its processes itself). */
    SessionProcess startQuietly(ExecRequest request) {
        if (!isUp()) {
            return SessionProcess.failed(cluster.engine(), name, "node is down: " + getDownReason(), request);
        }
        return SessionProcess.start(cluster.engine(), channel, request);
    }

    /**
     * Places {@code files} in the node's content-addressed cache without running anything (Slurm's sbcast): a later
     * push of them sends nothing. Completes with the bytes sent (0 when the node had them all).
     */
    public CompletableFuture<Long> preload(Object... files) {
        return preload(cluster.engine().blobs().readAll(files));
    }

    /** As {@link #preload(Object...)} for files a node set has read once for all its nodes. */
    CompletableFuture<Long> preload(List<LocalBlob> blobs) {
        if (!isUp()) {
            return CompletableFuture.failedFuture(new IllegalStateException("node is down: " + getDownReason()));
        }
        CompletableFuture<Long> total = CompletableFuture.completedFuture(0L);
        for (LocalBlob blob : blobs) {
            total = total.thenCombine(BlobPush.preload(cluster.engine(), channel, blob), Long::sum);
        }
        return total;
    }

    /** Names in a directory of the node's tree, e.g. {@code ls('/')} or {@code ls('cache')}. */
    public List<String> ls(String path) {
        List<String> names = new ArrayList<>();
        for (Stat s : await(up().list(path), "ls " + path)) {
            names.add(s.name());
        }
        return names;
    }

    /** A file of the node's tree as text, e.g. {@code cat('state')}. */
    public String cat(String path) {
        return await(up().readText(path), "cat " + path);
    }

    /** This node's running processes in the cluster process table. */
    public List<ProcessInfo> ps() {
        return ps(false);
    }

    /** This node's rows of the process table; with {@code all}, exited processes too. */
    public List<ProcessInfo> ps(boolean all) {
        return await(psAsync(all), "ps");
    }

    CompletableFuture<List<ProcessInfo>> psAsync(boolean all) {
        return psAsync().thenApply(rows -> all ? rows : rows.stream().filter(ProcessInfo::isRunning).toList());
    }

    /** Every row: each session of this principal's that ran a process, running or exited. */
    CompletableFuture<List<ProcessInfo>> psAsync() {
        if (!isUp()) {
            return CompletableFuture.failedFuture(new IllegalStateException(name + " is down: " + getDownReason()));
        }
        return channel.readText("procs").thenApply(this::processTable);
    }

    /** Every line of {@code procs}; a line the shared format cannot read fails the whole table with its reason. */
    private List<ProcessInfo> processTable(String text) {
        List<ProcessInfo> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                rows.add(ProcessInfo.of(cluster, name, ProcsLine.parse(line)));
            } catch (NinePException e) {
                throw new CompletionException(e);
            }
        }
        return rows;
    }

    NodeChannel channel() {
        return channel;
    }

    private NodeChannel up() {
        if (!isUp()) {
            throw new IllegalStateException(name + " is down: " + getDownReason());
        }
        return channel;
    }

    <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(cluster.getOptions().requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": " + what + " interrupted");
        } catch (Exception e) {
            throw new IllegalStateException(name + ": " + what + ": " + Futures.message(e), Futures.cause(e));
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
