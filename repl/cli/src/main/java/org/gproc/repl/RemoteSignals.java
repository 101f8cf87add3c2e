package org.gproc.repl;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.gproc.client.RemoteProcess;
import org.gproc.client.internal.exec.Futures;

/**
 * How a front end signals its foreground processes (the REPL's and {@code gproc run}'s Ctrl-C, {@code gproc exec}'s
 * INT, TERM and HUP): with {@code killAsync}, every node at once, never blocking the signal thread on a round trip.
 * A signal that fails is reported as {@code node:session: SIGINT failed: REASON}.
 */
public final class RemoteSignals {
    private RemoteSignals() {
    }

    /** Sends {@code signal} (a name such as {@code INT}) to each of {@code targets}; failures go to {@code onError}. */
    public static void send(Collection<? extends RemoteProcess> targets, String signal, Consumer<String> onError) {
        for (RemoteProcess p : targets) {
            CompletableFuture<Void> sent;
            try {
                sent = p.killAsync(signal);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((ignored, e) -> {
                if (e != null) {
                    onError.accept(p.node() + ":" + p.session() + ": SIG" + signal + " failed: " + Futures.message(e));
                }
            });
        }
    }
}
