package org.gproc.client.internal.exec;

import org.gproc.client.OutputListener;
import org.gproc.client.RemoteProcess;
import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.Pipeline;

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

    /** The node's channel; replaced by its successor when a relay on the way is lost (see {@link #reroute}). */
    private volatile NodeChannel node;
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
        Pipeline pipeline = node.client().pipeline();
        Fid ctlFid = pipeline.walk(node.path(session + "/ctl"));
        CompletableFuture<Fid> opened = pipeline.open(ctlFid, Message.ORDWR);
        p.follow(pipeline, ctlFid, opened, "reattach to session " + session);
        pipeline.send();
        opened.thenAccept(p.ctl::complete);
        return p;
    }

    /**
     * Sets the session up in as few round trips as the daemon's in-order handling of pipelined requests allows: with
     * a spare session, one (ctl script, then the reads of ctl, stdout, stderr and wait, all sent back to back);
     * otherwise two (clone and ctl script; then the reads, once the session's number is known). Blobs are pushed
     * meanwhile; their links are in the ctl script, which then waits for them.
     */
    private void launch() {
        CompletableFuture<Void> pushed = pushBlobs();
        String script = request.ctlScript(true);
        byte[] scriptBytes = script == null ? null : script.getBytes(StandardCharsets.UTF_8);
        if (scriptBytes != null && scriptBytes.length > node.client().maxIo()) {
            scriptBytes = null; // longer than one Twrite: argv and env go through their files
        }
        NodeChannel.Spare spare = node.takeSpare();
        Pipeline first = node.client().pipeline();
        Fid ctlFid;
        CompletableFuture<String> number;
        if (spare != null) {
            ctlFid = spare.ctl();
            session = spare.session();
            number = CompletableFuture.completedFuture(spare.session());
            ctl.complete(ctlFid);
        } else {
            ctlFid = first.walk(node.path("clone"));
            first.open(ctlFid, Message.ORDWR).thenAccept(ctl::complete);
            number = first.read(ctlFid, 0, 32).thenApply(n -> new String(n, StandardCharsets.UTF_8).trim());
        }
        CompletableFuture<Integer> exec = null;
        if (scriptBytes != null && pushed.isDone() && !pushed.isCompletedExceptionally()) {
            exec = first.write(ctlFid, 0, scriptBytes);
            if (spare != null) {
                follow(first, ctlFid, exec, "exec of " + request.program());
            }
        }
        node.cloneSpare(first);
        first.send();
        if (spare != null && exec != null) {
            return;
        }
        CompletableFuture<Integer> sentExec = exec;
        byte[] oneWrite = scriptBytes;
        number.thenCombine(pushed, (n, v) -> n).whenComplete((n, e) -> {
            if (e != null) {
                fail("exec of " + request.program(), e);
                return;
            }
            session = n;
            if (sentExec == null && oneWrite == null) {
                execThroughFiles(ctlFid);
                return;
            }
            Pipeline second = node.client().pipeline();
            follow(second, ctlFid, sentExec != null ? sentExec : second.write(ctlFid, 0, oneWrite),
                    "exec of " + request.program());
            second.send();
        });
    }

    private CompletableFuture<Void> pushBlobs() {
        if (request.blobs().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(request.blobs().stream().map(b -> BlobPush.readyForLink(node, b))
                .toArray(CompletableFuture[]::new));
    }

    /** The slow path, for an argv or env a ctl line cannot carry: their files first, then the ctl script. */
    private void execThroughFiles(Fid ctlFid) {
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        steps.add(node.writeText(session + "/argv", Plan9Quote.join(request.argv())));
        if (!request.env().isEmpty()) {
            steps.add(node.writeText(session + "/env", Plan9Quote.join(request.envTokens())));
        }
        CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                .thenCompose(v -> node.command(ctlFid, request.ctlScript(false)))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        fail("exec of " + request.program(), e);
                        return;
                    }
                    Pipeline p = node.client().pipeline();
                    follow(p, ctlFid, CompletableFuture.completedFuture(null), "exec of " + request.program());
                    p.send();
                });
    }

    /**
     * Adds to {@code p}, behind whatever starts the process, the reads that follow it: {@code N/ctl} for the pid, and
     * {@code stdout}, {@code stderr} and {@code wait} from offset 0 (parked until there is output, EOF or the exit).
     * If {@code started} fails, the parked reads are flushed and the process fails with {@code what}.
     */
    private void follow(Pipeline p, Fid ctlFid, CompletableFuture<?> started, String what) {
        String dir = node.path(session + "/");
        Fid statusFid = p.walk(dir + "ctl");
        p.open(statusFid, Message.OREAD);
        CompletableFuture<byte[]> statusLine = p.read(statusFid, 0, 256);
        p.clunk(statusFid);
        Stream out = Stream.open(p, dir + "stdout");
        Stream err = Stream.open(p, dir + "stderr");
        Stream waited = Stream.open(p, dir + "wait");
        started.whenComplete((v, e) -> {
            if (e != null) {
                out.abandon();
                err.abandon();
                waited.abandon();
                fail(what, e);
                return;
            }
            statusLine.whenComplete((line, se) -> pid.complete(se == null ? parsePid(line) : -1L));
            feedStdin();
            armTimeout();
            CompletableFuture<Void> outDone = pump(out, "stdout", stdout);
            CompletableFuture<Void> errDone = pump(err, "stderr", stderr);
            CompletableFuture<byte[]> exit = exitLine(waited);
            CompletableFuture.allOf(outDone, errDone, exit).whenComplete((x, we) -> {
                if (we != null) {
                    fail("waiting for session " + session, we);
                    return;
                }
                status = new String(exit.join(), StandardCharsets.UTF_8).trim();
                ctlFid.client().clunk(ctlFid);
                exited.complete(this);
            });
        });
    }

    private static long parsePid(byte[] line) {
        String[] fields = new String(line, StandardCharsets.UTF_8).trim().split("\\s+");
        try {
            return Long.parseLong(fields[1]);
        } catch (RuntimeException bad) {
            return -1L;
        }
    }

    /** A file walked, opened and read from offset 0 in a pipeline; {@link #first} is that read. */
    private record Stream(Fid fid, CompletableFuture<byte[]> first) {
        static Stream open(Pipeline p, String path) {
            Fid fid = p.walk(path);
            p.open(fid, Message.OREAD);
            return new Stream(fid, p.read(fid, 0, Integer.MAX_VALUE));
        }

        /** Flushes the parked read and clunks the fid. */
        void abandon() {
            first.cancel(false);
            clunk();
        }

        void clunk() {
            if (!fid.isClunked()) {
                fid.client().clunk(fid);
            }
        }
    }

    private CompletableFuture<Void> pump(Stream s, String file, OutputBuffer buffer) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        NodeChannel reading = node;
        s.first().whenComplete((data, e) -> {
            if (e != null && !reading.isOpen()) {
                s.clunk();
                reroute(reading, file, 0, buffer, done);
                return;
            }
            if (e != null || data.length == 0) {
                s.clunk();
                buffer.end(e == null ? null : file + ": " + Futures.message(e));
                done.complete(null);
                return;
            }
            buffer.append(data);
            readFrom(s.fid(), file, data.length, buffer, done);
        });
        return done;
    }

    private void readFrom(Fid fid, String file, long offset, OutputBuffer buffer, CompletableFuture<Void> done) {
        NodeChannel reading = node;
        fid.client().read(fid, offset, fid.iounit()).whenComplete((data, e) -> {
            if (e != null && !reading.isOpen()) {
                reroute(reading, file, offset, buffer, done);
                return;
            }
            if (e != null || data.length == 0) {
                fid.client().clunk(fid);
                buffer.end(e == null ? null : Futures.message(e));
                done.complete(null);
                return;
            }
            buffer.append(data);
            readFrom(fid, file, offset + data.length, buffer, done);
        });
    }

    /**
     * The connection under a read was lost (a relay on the way died): once the cluster has found the node another
     * route, the session's {@code file} is opened there and read on from {@code offset}, so no byte is lost or
     * repeated; with no route left, the stream ends with the reason.
     */
    private void reroute(NodeChannel lost, String file, long offset, OutputBuffer buffer, CompletableFuture<Void> done) {
        lost.successor().whenComplete((next, e) -> {
            if (e != null) {
                buffer.end(Futures.message(e));
                done.complete(null);
                return;
            }
            if (node == lost) {
                node = next;
            }
            next.open(session + "/" + file, Message.OREAD).whenComplete((fid, oe) -> {
                if (oe != null) {
                    buffer.end(file + ": " + Futures.message(oe));
                    done.complete(null);
                    return;
                }
                readFrom(fid, file, offset, buffer, done);
            });
        });
    }

    /** The exit line from {@code wait}; read again on the node's new route if its relay is lost meanwhile. */
    private CompletableFuture<byte[]> exitLine(Stream waited) {
        NodeChannel reading = node;
        return waited.first().handle((line, e) -> {
            waited.clunk();
            if (e == null) {
                return CompletableFuture.completedFuture(line);
            }
            if (reading.isOpen()) {
                return CompletableFuture.<byte[]>failedFuture(e);
            }
            return reading.successor().thenCompose(next -> {
                if (node == reading) {
                    node = next;
                }
                return next.open(session + "/wait", Message.OREAD).thenCompose(fid -> fid.client()
                        .read(fid, 0, 256).whenComplete((d, re) -> fid.client().clunk(fid)));
            });
        }).thenCompose(f -> f);
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
                    fid.client().clunk(fid);
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
                fid.client().clunk(fid);
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
            NodeChannel now = node;
            if (fid.client() != now.client()) { // rerouted: the open ctl fid went with the old connection
                return now.writeText(session + "/ctl", "signal " + signal + "\n");
            }
            return now.command(fid, "signal " + signal + "\n");
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
