package org.gproc.repl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.gproc.client.OutputListener;
import org.gproc.client.RemoteProcess;

/**
 * The processes one evaluation started (on every node): their output streams as {@code node: line} from the moment
 * each starts, and {@link #await()} returns once every one of them has ended and its last line is printed.
 * <p>
 * Ctrl-C escalates, as a shell user expects: the first interrupts the evaluation and sends SIGINT to every process,
 * the second SIGKILL, the third stops waiting and leaves what still runs in the background ({@code /jobs}); processes
 * that start after an interrupt get the same signal at once. Signals go out with {@code killAsync}, all nodes at
 * once, never blocking the terminal's signal thread on a round trip.
 */
final class ForegroundJob {

    private static final int SUMMARY_ENTRIES = 8;

    private final NodeOutput output;
    private final Consumer<RemoteProcess> onDetach;
    private final List<RemoteProcess> processes = new ArrayList<>();
    private int pending;
    private int interrupts;
    private volatile boolean detached;
    private Thread evaluating;

    /** {@code onDetach} receives each process still running when the user stops waiting for it. */
    ForegroundJob(NodeOutput output, Consumer<RemoteProcess> onDetach) {
        this.output = output;
        this.onDetach = onDetach;
    }

    /** Marks {@code thread} as running the evaluation: the first Ctrl-C interrupts it. */
    synchronized void evaluating(Thread thread) {
        this.evaluating = thread;
    }

    /** Takes a process into the job; its output streams at once (the part already printed first). */
    void add(RemoteProcess process) {
        int level;
        synchronized (this) {
            if (detached) {
                onDetach.accept(process);
                return;
            }
            processes.add(process);
            pending++;
            level = interrupts;
        }
        AtomicBoolean ended = new AtomicBoolean();
        process.subscribe(new OutputListener() {
            @Override
            public void onLine(RemoteProcess p, Stream stream, String line) {
                if (!detached) {
                    output.nodeLine(p.node(), stream, line);
                }
            }

            @Override
            public void onEnd(RemoteProcess p) {
                if (ended.compareAndSet(false, true)) {
                    ended();
                }
            }
        });
        if (level > 0) {
            signal(List.of(process), level == 1 ? "INT" : "KILL");
        }
    }

    /** Ctrl-C: see the class comment for the escalation. */
    void interrupt() {
        List<RemoteProcess> alive;
        int level;
        synchronized (this) {
            if (evaluating != null) {
                evaluating.interrupt();
            }
            alive = processes.stream().filter(RemoteProcess::isAlive).toList();
            if (alive.isEmpty() || detached) {
                return;
            }
            level = ++interrupts;
            if (level >= 3) {
                detached = true;
                notifyAll();
            }
        }
        switch (level) {
            case 1 -> {
                output.note("^C: sent SIGINT to " + count(alive) + " (Ctrl-C again sends SIGKILL)");
                signal(alive, "INT");
            }
            case 2 -> {
                output.note("^C: sent SIGKILL to " + count(alive) + " (Ctrl-C again stops waiting)");
                signal(alive, "KILL");
            }
            default -> {
                output.note("^C: stopped waiting; " + count(alive) + " still running: " + names(alive)
                        + " (see /jobs)");
                alive.forEach(onDetach);
            }
        }
    }

    /** Waits until every process has ended (or the user stopped waiting). Interrupts do not end the wait. */
    synchronized void await() {
        evaluating = null;
        while (pending > 0 && !detached) {
            try {
                wait();
            } catch (InterruptedException e) {
                // a Ctrl-C that came as the evaluation ended; interrupt() handles it, the wait goes on
            }
        }
    }

    synchronized List<RemoteProcess> processes() {
        return List.copyOf(processes);
    }

    /** One line naming every process that ended with a failure, e.g. {@code 1 of 4 processes failed: n3:7 exit 1}. */
    String failureSummary() {
        List<RemoteProcess> all = processes();
        List<String> failed = new ArrayList<>();
        for (RemoteProcess p : all) {
            if (p.failure().isPresent()) {
                failed.add(p.node() + " " + p.failure().get());
            } else if (p.timedOut()) {
                failed.add(name(p) + " timed out");
            } else {
                p.exitStatus().filter(status -> !status.equals("exit 0"))
                        .ifPresent(status -> failed.add(name(p) + " " + status));
            }
        }
        if (failed.isEmpty()) {
            return null;
        }
        String shown = String.join(", ", failed.subList(0, Math.min(failed.size(), SUMMARY_ENTRIES)));
        if (failed.size() > SUMMARY_ENTRIES) {
            shown += ", and " + (failed.size() - SUMMARY_ENTRIES) + " more";
        }
        return failed.size() + " of " + all.size() + " processes failed: " + shown;
    }

    private synchronized void ended() {
        pending--;
        notifyAll();
    }

    /** Sends without waiting: this may run on the terminal's signal thread. Failures are reported as they come. */
    private void signal(List<RemoteProcess> targets, String signal) {
        RemoteSignals.send(targets, signal, output::error);
    }

    private static String name(RemoteProcess p) {
        return p.node() + ":" + p.session();
    }

    private static String count(List<RemoteProcess> processes) {
        return processes.size() == 1 ? "1 process" : processes.size() + " processes";
    }

    private static String names(List<RemoteProcess> processes) {
        List<String> names = processes.stream().limit(SUMMARY_ENTRIES).map(ForegroundJob::name).toList();
        return String.join(", ", names) + (processes.size() > SUMMARY_ENTRIES ? ", ..." : "");
    }
}
