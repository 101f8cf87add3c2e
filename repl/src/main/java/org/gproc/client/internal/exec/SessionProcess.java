package org.gproc.client.internal.exec;

import org.gproc.client.OutputListener;
import org.gproc.client.RemoteProcess;
import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A process in one session on one node. {@link #start} returns at once; the session is set up by a chain of 9P
 * requests, then stdout, stderr and wait are read from offset 0 with parked reads.
 */
public final class SessionProcess implements RemoteProcess {
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gproc-timeouts");
        t.setDaemon(true);
        return t;
    });
    /** Local stdin streams are read with blocking reads; only launches that feed a stream use this pool. */
    private static final ExecutorService STDIN_PUMPS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gproc-stdin");
        t.setDaemon(true);
        return t;
    });

    private final NodeChannel node;
    private final ExecRequest request;
    private final OutputBuffer stdout = new OutputBuffer();
    private final OutputBuffer stderr = new OutputBuffer();
    private final CompletableFuture<Fid> ctl = new CompletableFuture<>();
    private final CompletableFuture<Long> pid = new CompletableFuture<>();
    private final CompletableFuture<RemoteProcess> exited = new CompletableFuture<>();
    private volatile String session = "?";
    private volatile String status;
    private volatile String failure;
    private volatile boolean timedOut;

    private SessionProcess(NodeChannel node, ExecRequest request) {
        this.node = node;
        this.request = request;
    }

    public static SessionProcess start(NodeChannel node, ExecRequest request) {
        SessionProcess p = new SessionProcess(node, request);
        p.launch();
        return p;
    }

    /** A process that never started: {@code reason} says why (e.g. the node is down). */
    public static SessionProcess failed(String node, String reason, ExecRequest request) {
        SessionProcess p = new SessionProcess(new NodeChannel(node, null), request);
        p.failure = reason;
        p.pid.complete(-1L);
        p.stdout.end(null);
        p.stderr.end(null);
        p.ctl.complete(null);
        p.exited.complete(p);
        return p;
    }

    /** Follows a session an earlier control node started: output and status from offset 0. */
    public static SessionProcess reattach(NodeChannel node, String session, String commandLine) {
        SessionProcess p = new SessionProcess(node, new ExecRequest(commandLine, List.of(), Map.of(), null,
                List.of(), null, null, null, null));
        p.session = session;
        node.open(session + "/ctl", Message.ORDWR).whenComplete((fid, e) -> {
            if (e != null) {
                p.fail("reattach to session " + session, e);
                return;
            }
            p.ctl.complete(fid);
            p.follow(fid);
        });
        return p;
    }

    private void launch() {
        node.open("clone", Message.ORDWR)
                .thenCompose(fid -> {
                    ctl.complete(fid);
                    return node.client().read(fid, 0, 64);
                })
                .thenCompose(n -> {
                    session = new String(n, StandardCharsets.UTF_8).trim();
                    return configure();
                })
                .thenCompose(v -> node.command(ctl.join(), ctlScript()))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        fail("exec of " + request.program(), e);
                        return;
                    }
                    follow(ctl.join());
                    feedStdin();
                    armTimeout();
                });
    }

    /** argv, env and pushed blobs, in parallel. */
    private CompletableFuture<Void> configure() {
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        steps.add(node.writeText(session + "/argv", Plan9Quote.join(request.argv())));
        if (!request.env().isEmpty()) {
            List<String> tokens = new ArrayList<>();
            request.env().forEach((k, v) -> tokens.add(k + "=" + v));
            steps.add(node.writeText(session + "/env", Plan9Quote.join(tokens)));
        }
        for (LocalBlob blob : request.blobs()) {
            steps.add(BlobPush.ensure(node, blob).thenApply(n -> null));
        }
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
    }

    /** One ctl write: link every blob, set dir and id, exec, and close stdin unless the launch feeds it. */
    private String ctlScript() {
        StringBuilder script = new StringBuilder();
        for (LocalBlob blob : request.blobs()) {
            script.append("link ").append(blob.hash()).append(' ').append(Plan9Quote.quote(blob.name()))
                    .append(' ').append(blob.mode()).append('\n');
        }
        if (request.dir() != null) {
            script.append("dir ").append(Plan9Quote.quote(request.dir())).append('\n');
        }
        if (request.jobId() != null) {
            script.append("id ").append(request.jobId()).append('\n');
        }
        script.append("exec ").append(Plan9Quote.quote(request.program())).append('\n');
        if (request.stdinBytes() == null && request.stdinStream() == null) {
            script.append("close stdin\n");
        }
        return script.toString();
    }

    /**
     * Reads the pid from {@code N/ctl} (a fresh open: the fid that opened {@code clone} reads the session number),
     * then pumps stdout and stderr and parks a read on wait.
     */
    private void follow(Fid ctlFid) {
        node.readText(session + "/ctl").whenComplete((line, e) -> {
            if (e != null) {
                fail("reading session " + session + " status", e);
                return;
            }
            String[] fields = line.trim().split("\\s+");
            try {
                pid.complete(Long.parseLong(fields[1]));
            } catch (RuntimeException bad) {
                pid.complete(-1L);
            }
            CompletableFuture<Void> out = pump("stdout", stdout);
            CompletableFuture<Void> err = pump("stderr", stderr);
            CompletableFuture<String> waited = node.readText(session + "/wait");
            CompletableFuture.allOf(out, err, waited).whenComplete((v, we) -> {
                if (we != null) {
                    fail("waiting for session " + session, we);
                    return;
                }
                status = waited.join().trim();
                node.client().clunk(ctlFid);
                exited.complete(this);
            });
        });
    }

    private CompletableFuture<Void> pump(String file, OutputBuffer buffer) {
        return node.open(session + "/" + file, Message.OREAD).thenCompose(fid -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            readFrom(fid, 0, buffer, done);
            return done;
        }).exceptionally(e -> {
            buffer.end(file + ": " + Futures.message(e));
            return null;
        });
    }

    private void readFrom(Fid fid, long offset, OutputBuffer buffer, CompletableFuture<Void> done) {
        node.client().read(fid, offset, fid.iounit()).whenComplete((data, e) -> {
            if (e != null || data.length == 0) {
                node.client().clunk(fid);
                buffer.end(e == null ? null : Futures.message(e));
                done.complete(null);
                return;
            }
            buffer.append(data);
            readFrom(fid, offset + data.length, buffer, done);
        });
    }

    private void feedStdin() {
        if (request.stdinBytes() != null) {
            node.writeBytes(session + "/stdin", request.stdinBytes())
                    .exceptionally(e -> {
                        stderr.append(("[gproc: stdin: " + Futures.message(e) + "]\n").getBytes(StandardCharsets.UTF_8));
                        return null;
                    });
        } else if (request.stdinStream() != null) {
            node.open(session + "/stdin", Message.OWRITE).thenAccept(fid -> STDIN_PUMPS.execute(() -> {
                try (InputStream in = request.stdinStream().get()) {
                    node.client().blocking(Duration.ofMinutes(5)).writeAll(fid, 0, in);
                } catch (Exception e) {
                    stderr.append(("[gproc: stdin: " + Futures.message(e) + "]\n").getBytes(StandardCharsets.UTF_8));
                } finally {
                    node.client().clunk(fid);
                }
            }));
        }
    }

    private void armTimeout() {
        Duration timeout = request.timeout();
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return;
        }
        TIMERS.schedule(() -> {
            if (!exited.isDone()) {
                timedOut = true;
                killAsync("TERM");
                TIMERS.schedule(() -> {
                    if (!exited.isDone()) {
                        killAsync("KILL");
                    }
                }, KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void fail(String what, Throwable e) {
        failure = what + " failed: " + Futures.message(e);
        pid.complete(-1L);
        stdout.end(null);
        stderr.end(null);
        ctl.thenAccept(fid -> {
            if (fid != null && !fid.isClunked()) {
                node.client().clunk(fid);
            }
        });
        ctl.complete(null);
        exited.complete(this);
    }

    /** Completes with the pid once the process runs (-1 when it could not start). */
    public CompletableFuture<Long> started() {
        return pid.copy();
    }

    @Override
    public String node() {
        return node.node();
    }

    @Override
    public String session() {
        return session;
    }

    @Override
    public long pid() {
        return pid.join();
    }

    @Override
    public boolean isAlive() {
        return !exited.isDone();
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            exited.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return exitValue();
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        try {
            exited.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public int exitValue() {
        if (!exited.isDone()) {
            throw new IllegalThreadStateException(node() + ":" + session + " has not exited");
        }
        if (failure != null) {
            return 255;
        }
        String[] f = status.split("\\s+");
        try {
            int n = Integer.parseInt(f[1]);
            return f[0].equals("signal") ? 128 + n : n;
        } catch (RuntimeException e) {
            return 255;
        }
    }

    @Override
    public Optional<Integer> exitSignal() {
        if (status == null || !status.startsWith("signal ")) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(status.split("\\s+")[1]));
    }

    @Override
    public Optional<String> exitStatus() {
        return Optional.ofNullable(status);
    }

    @Override
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public boolean timedOut() {
        return timedOut;
    }

    @Override
    public CompletableFuture<RemoteProcess> onExit() {
        return exited.copy();
    }

    @Override
    public InputStream getInputStream() {
        return stdout.newInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return stderr.newInputStream();
    }

    @Override
    public String getText() throws InterruptedException {
        waitFor();
        return stdout.text();
    }

    /** Standard error as text, after waiting for the exit. */
    public String getErrorText() throws InterruptedException {
        waitFor();
        return stderr.text();
    }

    /** Standard output bytes received so far. */
    public byte[] stdoutBytes() {
        return stdout.toByteArray();
    }

    @Override
    public void kill(String signal) {
        try {
            killAsync(signal).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw new IllegalArgumentException(node() + ":" + session + ": kill " + signal + ": "
                    + Futures.message(e));
        }
    }

    @Override
    public CompletableFuture<Void> killAsync(String signal) {
        return ctl.thenCompose(fid -> {
            if (fid == null || fid.isClunked() || exited.isDone()) {
                return CompletableFuture.completedFuture(null);
            }
            return node.command(fid, "signal " + signal + "\n");
        });
    }

    @Override
    public void subscribe(OutputListener listener) {
        stdout.subscribe(line -> listener.onLine(this, OutputListener.Stream.STDOUT, line));
        stderr.subscribe(line -> listener.onLine(this, OutputListener.Stream.STDERR, line));
        exited.thenRun(() -> listener.onEnd(this));
    }

    @Override
    public String toString() {
        String state = failure != null ? "failed" : status != null ? status : "running";
        return node() + ":" + session + " " + request.commandLine() + " (" + state + ")";
    }
}
