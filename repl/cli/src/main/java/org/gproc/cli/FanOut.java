package org.gproc.cli;

import org.gproc.client.RemoteProcess;
import org.gproc.client.internal.exec.SessionProcess;
import org.gproc.repl.RemoteSignals;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs one command on many nodes for the one-shot commands: at most {@code fanout} processes at a time (pdsh and
 * clush {@code -f}), the next node starting as soon as one ends; and the client's SIGINT, SIGTERM and SIGHUP go to
 * every remote process. The first signal is forwarded as itself and no further node is started; a second one sends
 * SIGKILL (after a TERM or HUP that is not followed up, SIGKILL goes {@value #KILL_AFTER_SECONDS} s later by itself);
 * a third exits at once. The command's exit status is then 128 + the first signal's number, as a shell reports it.
 */
final class FanOut {
    static final int KILL_AFTER_SECONDS = 5;
    private static final Map<String, Integer> HANDLED = Map.of("INT", 2, "TERM", 15, "HUP", 1);

    private final List<NodeRun> runs;
    private final int fanout;
    private final Function<NodeRun, RemoteProcess> starter;
    private final Consumer<NodeRun> onStart;
    private final PrintWriter err;
    private int next;
    private int signals;
    private String firstSignal;

    private final CommandSignals signalSource;

    FanOut(List<NodeRun> runs, Integer fanout, Function<NodeRun, RemoteProcess> starter, Consumer<NodeRun> onStart,
           PrintWriter err, CommandSignals signalSource) {
        this.signalSource = signalSource;
        this.runs = runs;
        this.fanout = fanout == null ? Integer.MAX_VALUE : fanout;
        this.starter = starter;
        this.onStart = onStart;
        this.err = err;
    }

    /** Starts every node (within the fan-out) and waits until all have ended; -1, or 128 + N after a signal N. */
    int run() throws InterruptedException {
        Object[] previous = new Object[HANDLED.size()];
        List<String> names = List.copyOf(HANDLED.keySet());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            previous[i] = signalSource.register(name, () -> received(name));
        }
        try {
            startMore();
            for (NodeRun r : runs) {
                while (!r.done()) {
                    synchronized (this) {
                        if (!r.done()) {
                            wait(200);
                        }
                    }
                }
            }
            for (NodeRun r : runs) {
                r.await();
            }
        } finally {
            for (int i = 0; i < names.size(); i++) {
                signalSource.unregister(names.get(i), previous[i]);
            }
        }
        synchronized (this) {
            return firstSignal == null ? -1 : 128 + HANDLED.get(firstSignal);
        }
    }

    private void startMore() {
        while (true) {
            NodeRun r;
            synchronized (this) {
                if (next >= runs.size() || running() >= fanout) {
                    return;
                }
                r = runs.get(next++);
                if (firstSignal != null) {
                    r.skip("not started: gproc got SIG" + firstSignal + " first");
                    notifyAll();
                    continue;
                }
            }
            RemoteProcess p = starter.apply(r);
            r.started(p);
            onStart.accept(r);
            p.onExit().whenComplete((x, e) -> {
                synchronized (this) {
                    notifyAll();
                }
                startMore();
            });
        }
    }

    private int running() {
        int n = 0;
        for (int i = 0; i < next; i++) {
            NodeRun r = runs.get(i);
            if (r.launched() && !r.done()) {
                n++;
            }
        }
        return n;
    }

    /** Runs on the JVM's signal thread: sends without waiting for any node. */
    private void received(String name) {
        List<RemoteProcess> alive;
        int level;
        synchronized (this) {
            level = ++signals;
            if (firstSignal == null) {
                firstSignal = name;
            }
            for (int i = next; i < runs.size(); i++) {
                runs.get(i).skip("not started: gproc got SIG" + firstSignal + " first");
            }
            next = runs.size();
            alive = runs.stream().filter(r -> r.launched() && !r.done()).map(NodeRun::process).toList();
            notifyAll();
        }
        if (level >= 3) {
            note("SIG" + name + " again: exiting; " + alive.size() + " remote processes may still run");
            signalSource.exitNow(128 + HANDLED.get(firstSignal));
            return;
        }
        String sent = level == 1 ? name : "KILL";
        note("SIG" + name + ": sending SIG" + sent + " to " + alive.size() + " remote process"
                + (alive.size() == 1 ? "" : "es") + (level == 1 ? " (again: SIGKILL)" : ""));
        alive.forEach(p -> whenRunning(p, () -> RemoteSignals.send(List.of(p), sent, this::note)));
        if (level == 1 && !name.equals("INT")) {
            CompletableFuture.delayedExecutor(KILL_AFTER_SECONDS, TimeUnit.SECONDS).execute(() -> {
                synchronized (this) {
                    if (signals > 1) {
                        return;
                    }
                }
                RemoteSignals.send(runs.stream().filter(r -> r.launched() && !r.done()).map(NodeRun::process)
                        .toList(), "KILL", this::note);
            });
        }
    }

    /** A process whose exec has not been answered yet gets its signal once it runs, not before its program. */
    private static void whenRunning(RemoteProcess p, Runnable send) {
        if (p instanceof SessionProcess sp) {
            sp.started().whenComplete((pid, e) -> send.run());
        } else {
            send.run();
        }
    }

    private void note(String text) {
        synchronized (err) {
            err.println("gproc: " + text);
            err.flush();
        }
    }
}
