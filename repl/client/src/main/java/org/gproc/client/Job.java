package org.gproc.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * One fan-out: the same launch on every node of a set. Results are node sets you can act on
 * ({@code job.failed.run('/bin/hostname')}); every exit code is kept, and {@link #byOutput()} folds identical
 * outputs as {@code dshbak -c} does. {@link #waitFor(Duration)} returns at a deadline with partial results: nodes
 * still running then count as {@link #getTimedOut() timed out}.
 */
public final class Job {
    private final Cluster cluster;
    private final String id;
    private final List<RemoteProcess> processes;
    private volatile boolean deadlinePassed;

    Job(Cluster cluster, String id, List<RemoteProcess> processes) {
        this.cluster = cluster;
        this.id = id;
        this.processes = List.copyOf(processes);
    }

    public String getId() {
        return id;
    }

    public List<RemoteProcess> getProcesses() {
        return processes;
    }

    /** The process on {@code node}. */
    public RemoteProcess getAt(String node) {
        return processes.stream().filter(p -> p.node().equals(node)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("job " + id + " has no process on " + node));
    }

    /** Waits for every process; returns this job. */
    public Job waitFor() throws InterruptedException {
        for (RemoteProcess p : processes) {
            p.waitFor();
        }
        return this;
    }

    /** Waits at most {@code timeout}; true when all ended. Those still running are then {@link #getTimedOut()}. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        CompletableFuture<?> all = CompletableFuture.allOf(processes.stream()
                .map(RemoteProcess::onExit).toArray(CompletableFuture[]::new));
        try {
            all.get(Math.max(0, Duration.between(Instant.now(), deadline).toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            deadlinePassed = true;
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    public boolean waitFor(Number seconds) throws InterruptedException {
        return waitFor(Duration.ofMillis(Math.round(seconds.doubleValue() * 1000)));
    }

    public boolean isDone() {
        return processes.stream().noneMatch(RemoteProcess::isAlive);
    }

    /** Nodes whose process exited with status 0. */
    public NodeSet getSucceeded() {
        return select(p -> !p.isAlive() && !p.timedOut() && p.failure().isEmpty() && p.exitValue() == 0);
    }

    /** Nodes whose process exited non-zero, died of a signal, or could not start (down node, failed push). */
    public NodeSet getFailed() {
        return select(p -> !p.isAlive() && !p.timedOut() && (p.failure().isPresent() || p.exitValue() != 0));
    }

    /** Nodes whose launch timeout fired, or still running when a {@link #waitFor(Duration)} deadline passed. */
    public NodeSet getTimedOut() {
        return select(p -> p.timedOut() || (deadlinePassed && p.isAlive()));
    }

    /** Nodes still running. */
    public NodeSet getRunning() {
        return select(RemoteProcess::isAlive);
    }

    public NodeSet getNodes() {
        return select(p -> true);
    }

    private NodeSet select(Predicate<RemoteProcess> condition) {
        List<Node> chosen = new ArrayList<>();
        for (RemoteProcess p : processes) {
            if (condition.test(p)) {
                chosen.add(cluster.node(p.node()));
            }
        }
        return new NodeSet(cluster, chosen);
    }

    /** Every ended node's exit code (128 + N for a signal, 255 when it could not start). */
    public Map<String, Integer> getExitCodes() {
        Map<String, Integer> codes = new LinkedHashMap<>();
        for (RemoteProcess p : processes) {
            if (!p.isAlive()) {
                codes.put(p.node(), p.exitValue());
            }
        }
        return codes;
    }

    /** Every node's outcome in words: {@code exit 0}, {@code signal 9}, {@code running}, or why it failed. */
    public Map<String, String> getStatuses() {
        Map<String, String> statuses = new LinkedHashMap<>();
        for (RemoteProcess p : processes) {
            statuses.put(p.node(), describe(p));
        }
        return statuses;
    }

    static String describe(RemoteProcess p) {
        if (p.failure().isPresent()) {
            return p.failure().get();
        }
        if (p.isAlive()) {
            return "running";
        }
        String status = p.exitStatus().orElse("exit " + p.exitValue());
        return p.timedOut() ? status + " (timed out)" : status;
    }

    /** The largest exit code (0 when all succeeded), as pdsh reports. */
    public int getMaxExitCode() {
        return getExitCodes().values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** Identical standard outputs folded under the nodes that printed them, dshbak -c style, largest group first. */
    public Map<NodeSet, String> byOutput() throws InterruptedException {
        waitFor();
        Map<String, List<Node>> groups = new LinkedHashMap<>();
        for (RemoteProcess p : processes) {
            groups.computeIfAbsent(p.getText(), k -> new ArrayList<>()).add(cluster.node(p.node()));
        }
        Map<NodeSet, String> folded = new LinkedHashMap<>();
        groups.entrySet().stream()
                .sorted((a, b) -> b.getValue().size() - a.getValue().size())
                .forEach(e -> folded.put(new NodeSet(cluster, e.getValue()), e.getKey()));
        return folded;
    }

    /** Signals every process still running. */
    public void kill(String signal) {
        CompletableFuture.allOf(processes.stream().filter(RemoteProcess::isAlive)
                .map(p -> p.killAsync(signal).exceptionally(e -> null))
                .toArray(CompletableFuture[]::new)).join();
    }

    public void kill() {
        kill("TERM");
    }

    @Override
    public String toString() {
        Map<String, List<String>> byStatus = new LinkedHashMap<>();
        getStatuses().forEach((node, status) -> byStatus.computeIfAbsent(status, k -> new ArrayList<>()).add(node));
        StringBuilder s = new StringBuilder("job ").append(id).append(':');
        byStatus.forEach((status, nodes) -> s.append(' ').append(Hostlist.fromList(nodes).fold()).append(' ')
                .append(status).append(';'));
        s.setLength(s.length() - 1);
        return s.toString();
    }
}
