package org.gproc.client;

import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A process running in a session on one node: mirrors {@link java.lang.Process}. Output is read from the node's
 * spool from offset 0, so nothing the process printed is lost, whenever the caller starts looking.
 */
public interface RemoteProcess {

    /** The node's name, e.g. {@code n1}. */
    String node();

    /**
     * The session number on that node ({@code node:session} names the process cluster-wide). Known whenever it is
     * asked after {@code start()}/{@code run()} returned: it waits for the node's answer to the clone if that has not
     * arrived yet; "?" for a process that failed before the node gave it a session.
     */
    String session();

    /** The process id on the node; also its process group. */
    long pid();

    boolean isAlive();

    /** Waits for the exit; returns the exit value as {@link #exitValue()}. */
    int waitFor() throws InterruptedException;

    /** Waits up to {@code timeout}; true when the process has ended. */
    boolean waitFor(Duration timeout) throws InterruptedException;

    /**
     * The exit code; for a process killed by a signal, 128 + the signal number (as a shell reports it), see
     * {@link #exitSignal()} for the exact cause. Throws {@link IllegalThreadStateException} while running.
     */
    int exitValue();

    /** The signal that ended the process, if one did. */
    Optional<Integer> exitSignal();

    /** The node's exact wait status: {@code exit 0}, {@code signal 9}, {@code signal 11 core}; empty while running. */
    Optional<String> exitStatus();

    CompletableFuture<RemoteProcess> onExit();

    /** The process's standard output from its first byte; reads block until data or EOF. */
    InputStream getInputStream();

    InputStream getErrorStream();

    /** All standard output as text, after waiting for the exit. */
    String getText() throws InterruptedException;

    /**
     * Sends a signal (name like {@code TERM}/{@code SIGINT} or number) to the process group and waits for the node
     * to take it; a signal the node refuses throws {@link IllegalArgumentException} with the node's reason.
     */
    void kill(String signal);

    /** As {@link #kill} without waiting: completes when the node has taken the signal. */
    CompletableFuture<Void> killAsync(String signal);

    /**
     * Why the process could not be started or followed (node down, push refused, exec failed, connection lost),
     * without the node's name, which {@link #node()} gives.
     */
    Optional<String> failure();

    /** True when the launch's timeout ended the process. */
    boolean timedOut();

    /**
     * Delivers every output line, those already received first, then as they arrive, then {@code onEnd} once.
     * Listeners run on a transport thread and must not block.
     */
    void subscribe(OutputListener listener);
}
