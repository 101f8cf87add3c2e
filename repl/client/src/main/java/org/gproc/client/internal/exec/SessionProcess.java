package org.gproc.client.internal.exec;

import org.gproc.client.ClusterListener;
import org.gproc.client.OutputListener;
import org.gproc.client.RemoteProcess;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.ExitStatus;

import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link java.lang.Process}-like face of one session's process: its output buffers, pid, exit status or failure.
 * It sends nothing itself: a {@link LaunchFlow} runs the 9P exchanges and reports here, so this class is only state
 * and the blocking waits a caller may want.
 */
public final class SessionProcess implements RemoteProcess {
    private final String node;
    private final String commandLine;
    private final ClusterListener listener;
    private final OutputBuffer stdout = new OutputBuffer();
    private final OutputBuffer stderr = new OutputBuffer();
    private final CompletableFuture<Long> pid = new CompletableFuture<>();
    private final CompletableFuture<RemoteProcess> exited = new CompletableFuture<>();
    private volatile LaunchFlow flow;
    private volatile String session = "?";
    /** Completes with the session number, or "?" when the process fails before the node allocated one. */
    private final CompletableFuture<String> sessionKnown = new CompletableFuture<>();
    private volatile String status;
    private volatile ExitStatus exit;
    private volatile String failure;
    private volatile boolean timedOut;
    /*
     * Set before the listener hears of the end and before waiters are released: code that returns from waitFor()
     * finds the listener already told, and a listener may read the exit value.
     */
    private volatile boolean over;

    SessionProcess(String node, String commandLine, ClusterListener listener) {
        this.node = node;
        this.commandLine = commandLine;
        this.listener = listener;
    }

    /** Starts {@code request} on {@code channel} and returns at once. */
    public static SessionProcess start(ExecEngine engine, NodeChannel channel, ExecRequest request) {
        SessionProcess p = new SessionProcess(channel.node(), request.commandLine(), engine.listener());
        p.flow = new LaunchFlow(engine, channel, request, p);
        p.flow.launch();
        return p;
    }

    /** A process that never started: {@code reason} says why (e.g. the node is down). */
    public static SessionProcess failed(ExecEngine engine, String node, String reason, ExecRequest request) {
        SessionProcess p = new SessionProcess(node, request.commandLine(), engine.listener());
        p.fail(reason);
        return p;
    }

    /** Follows a session an earlier control node started: output and status from offset 0. */
    public static SessionProcess reattach(ExecEngine engine, NodeChannel channel, String session,
                                          String commandLine) {
        SessionProcess p = new SessionProcess(channel.node(), commandLine, engine.listener());
        p.sessionIs(session);
        p.flow = LaunchFlow.reattach(engine, channel, session, p);
        return p;
    }

    // --- what the flow reports ---

    void sessionIs(String number) {
        session = number;
        sessionKnown.complete(number);
    }

    OutputBuffer stdout() {
        return stdout;
    }

    OutputBuffer stderr() {
        return stderr;
    }

    /* The lock keeps the listener's "started" before its "ended" when the start and the end race. */
    synchronized void running(long processId) {
        if (pid.complete(processId)) {
            listener.started(this);
        }
    }

    void deadlinePassed() {
        timedOut = true;
    }

    /**
     * The wait file said {@code text}. A status the shared format cannot read is a failure that quotes it, not a
     * guessed exit code.
     */
    void ended(String text) {
        status = text;
        try {
            exit = ExitStatus.parse(text);
        } catch (NinePException e) {
            failure = node + ":" + session + ": " + e.getMessage();
        }
        finish();
    }

    void fail(String reason) {
        failure = reason;
        stdout.end(null);
        stderr.end(null);
        finish();
    }

    private synchronized void finish() {
        sessionKnown.complete(session);
        running(-1L);
        if (!over) {
            over = true;
            try {
                listener.ended(this);
            } finally {
                exited.complete(this);
            }
        }
    }

    // --- the RemoteProcess face ---

    /** Completes with the pid once the process runs (-1 when it could not start). */
    public CompletableFuture<Long> started() {
        return pid.copy();
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public String session() {
        return sessionKnown.join();
    }

    @Override
    public long pid() {
        return pid.join();
    }

    @Override
    public boolean isAlive() {
        return !over;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            exited.get();
        } catch (ExecutionException e) {
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
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public int exitValue() {
        if (!over) {
            throw new IllegalThreadStateException(node + ":" + session + " has not exited");
        }
        ExitStatus e = exit;
        return failure != null || e == null ? 255 : e.code();
    }

    @Override
    public Optional<Integer> exitSignal() {
        ExitStatus e = exit;
        return e == null || !e.signaled() ? Optional.empty() : Optional.of(e.signal());
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

    /** Standard output bytes received so far (no waiting). */
    public byte[] stdoutBytes() {
        return stdout.toByteArray();
    }

    @Override
    public void kill(String signal) {
        try {
            killAsync(signal).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalArgumentException(node + ":" + session + ": kill " + signal + ": "
                    + Futures.message(e));
        }
    }

    @Override
    public CompletableFuture<Void> killAsync(String signal) {
        LaunchFlow f = flow;
        return f == null || over ? CompletableFuture.completedFuture(null) : f.signal(signal);
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
        return node + ":" + session + " " + commandLine + " (" + state + ")";
    }
}
