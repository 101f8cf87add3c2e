package org.gproc.repl;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

import org.gproc.client.ProcessTracker;

/**
 * Runs one evaluation as a foreground job: the code runs on its own thread while every process it starts is taken
 * into a {@link ForegroundJob}; {@link #run} returns once the code has finished and every one of those processes has
 * ended. Ctrl-C ({@link #interrupt()}) goes to the job; if the code itself ignores interrupts (a blocking call), the
 * third Ctrl-C abandons it, so the user always gets the prompt back.
 */
final class ForegroundEvaluation {

    /** How an evaluation ended: its value, or what it threw; and whether the user pressed Ctrl-C. */
    record Outcome(Object value, Throwable failure, boolean interrupted) {}

    /** The failure of an evaluation the user gave up on. */
    static final class Abandoned extends Exception {
        Abandoned() {
            super("abandoned after Ctrl-C; it may still be running", null, false, false);
        }
    }

    private final ForegroundJob job;
    private final ProcessTracker tracker;
    private final CompletableFuture<Object> result = new CompletableFuture<>();
    private int interrupts;

    ForegroundEvaluation(NodeOutput output, ProcessTracker tracker) {
        this.tracker = tracker;
        this.job = new ForegroundJob(output, process -> tracker.started(process, true));
    }

    ForegroundJob job() {
        return job;
    }

    /** Ctrl-C: may be called from any thread, any number of times. */
    void interrupt() {
        boolean abandon;
        synchronized (this) {
            interrupts++;
            abandon = interrupts >= 3;
        }
        job.interrupt();
        if (abandon) {
            result.completeExceptionally(new Abandoned());
        }
    }

    /**
     * Runs {@code body}; {@code onFailure} hears of a failure at once (before the wait for the processes), then the
     * job is awaited.
     */
    Outcome run(String threadName, Callable<?> body, Consumer<Throwable> onFailure) {
        Thread worker = new Thread(() -> {
            ProcessTracker.Capture capture = tracker.capture(job::add);
            Object value;
            try {
                value = body.call();
            } catch (Throwable t) {
                capture.close();
                result.completeExceptionally(t);
                return;
            }
            capture.close();
            result.complete(value);
        }, threadName);
        worker.setDaemon(true);
        job.evaluating(worker);
        worker.start();
        Object value = null;
        Throwable failure = null;
        try {
            value = awaitResult();
        } catch (ExecutionException e) {
            failure = e.getCause();
            onFailure.accept(failure);
        }
        job.await();
        synchronized (this) {
            return new Outcome(value, failure, interrupts > 0);
        }
    }

    private Object awaitResult() throws ExecutionException {
        while (true) {
            try {
                return result.get();
            } catch (InterruptedException e) {
                // only the evaluation thread is ever interrupted; keep waiting for it
            }
        }
    }
}
