package org.gproc.cli;

import org.gproc.client.RemoteProcess;
import org.gproc.client.internal.exec.SessionProcess;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One node's share of a one-shot command ({@code exec}, {@code copy}, {@code rcopy}): its process once started, when
 * it started and ended (as the control node saw it), and its outcome in the words every command prints.
 */
final class NodeRun {
    final String node;
    private volatile RemoteProcess process;
    private volatile Instant start;
    private volatile Instant end;
    private volatile String skipped;
    /** Completes once {@link #end} is set: a caller that saw the process exit may otherwise read it unset. */
    private volatile CompletableFuture<Instant> ended;

    NodeRun(String node) {
        this.node = node;
    }

    void started(RemoteProcess p) {
        this.process = p;
        this.start = Instant.now();
        if (p instanceof SessionProcess sp) {
            sp.started().thenRun(() -> start = Instant.now());
        }
        ended = p.onExit().handle((x, e) -> end = Instant.now());
    }

    /** Never started: the command was interrupted first. */
    void skip(String why) {
        skipped = why;
        end = Instant.now();
    }

    RemoteProcess process() {
        return process;
    }

    boolean launched() {
        return process != null;
    }

    boolean done() {
        return skipped != null || (process != null && !process.isAlive());
    }

    void await() throws InterruptedException {
        if (process != null) {
            process.waitFor();
            try {
                ended.get();
            } catch (ExecutionException e) {
                // the stamp cannot fail: handle() sees every outcome
            }
        }
    }

    Instant start() {
        return start;
    }

    Instant end() {
        return end;
    }

    /** The exit code as a shell reports it: 128 + N for a signal, 255 when it could not start. */
    int exitCode() {
        return process == null ? 255 : process.exitValue();
    }

    Integer signal() {
        return process == null ? null : process.exitSignal().orElse(null);
    }

    /** Why it could not start or be followed (down node, refused exec, interrupted before it started), or null. */
    String error() {
        if (skipped != null) {
            return skipped;
        }
        return process == null ? "not started" : process.failure().orElse(null);
    }

    boolean timedOut() {
        return process != null && process.timedOut();
    }

    boolean succeeded() {
        return error() == null && !timedOut() && exitCode() == 0;
    }

    /** {@code exit 3}, {@code signal 9}, {@code exit 143 (timed out)}, or the error. */
    String outcome() {
        String error = error();
        if (error != null) {
            return error;
        }
        String status = process.exitStatus().orElse("exit " + process.exitValue());
        return timedOut() ? status + " (timed out)" : status;
    }

    byte[] stdout() {
        return process == null ? new byte[0] : readAll(process.getInputStream());
    }

    byte[] stderr() {
        return process == null ? new byte[0] : readAll(process.getErrorStream());
    }

    String stdoutText() {
        return new String(stdout(), StandardCharsets.UTF_8);
    }

    String stderrText() {
        return new String(stderr(), StandardCharsets.UTF_8);
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** The lines of {@code text} without their newlines (a last line without one counts). */
    static List<String> lines(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return List.of(t.split("\n", -1));
    }
}
