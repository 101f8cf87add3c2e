package org.gproc.daemon.relay;

import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ssh.AuthRefusedException;
import org.gproc.transport.ssh.HandshakeGate;
import org.gproc.transport.ssh.HostKeyException;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Opens one relay's connections to its children a few at a time. A client announces a relay's children all at
 * once (a hundred lines in a burst); opening a hundred SSH handshakes at once on a loaded node makes each of them
 * slow enough to hit the child's authentication deadline, and the child then hangs up on every one. So at most
 * {@code concurrent} handshakes of a relay are in flight, the rest wait their turn in the order their lines came,
 * and a handshake that failed for a reason that can pass (timed out, cut, refused at accept because the child had
 * too many unauthenticated connections) is tried again after a growing pause, up to {@code attempts} times. A host
 * key or user key the child refused, and the relay's own refusals, are verdicts: they fail at once.
 */
final class ChildDialer {
    /** Handshakes of one relay in flight at once. */
    static final int CONCURRENT = 8;
    /** Tries per child before it is reported unreachable. */
    static final int ATTEMPTS = 5;
    /** The pause before the second try; it doubles for each try after. */
    static final long FIRST_PAUSE_MILLIS = 250;

    interface Connect {
        CompletableFuture<NinePClient> connect(ChildTarget t);
    }

    private final Connect connector;
    private final ScheduledExecutorService timer;
    private final HandshakeGate gate;
    private final int attempts;

    ChildDialer(Connect connector, ScheduledExecutorService timer, int concurrent, int attempts) {
        this.connector = connector;
        this.timer = timer;
        this.gate = new HandshakeGate(concurrent, timer);
        this.attempts = attempts;
    }

    /** The connection to {@code t}, once it is made; fails with the last reason when every try failed. */
    CompletableFuture<NinePClient> dial(ChildTarget t) {
        CompletableFuture<NinePClient> result = new CompletableFuture<>();
        attempt(t, 1, result);
        return result;
    }

    /** Handshakes in flight now (for tests and the status line). */
    int inFlight() {
        return gate.inFlight();
    }

    private void attempt(ChildTarget t, int n, CompletableFuture<NinePClient> result) {
        gate.enter(() -> {
            CompletableFuture<NinePClient> one;
            try {
                one = connector.connect(t);
            } catch (RuntimeException e) {
                one = CompletableFuture.failedFuture(e);
            }
            one.whenComplete((client, e) -> {
                gate.release();
                if (e == null) {
                    if (!result.complete(client)) {
                        client.close();
                    }
                    return;
                }
                Throwable cause = ChildLink.cause(e);
                if (!passing(cause) || n >= attempts) {
                    result.completeExceptionally(n == 1 || !passing(cause) ? cause
                            : new IOException(cause.getMessage() + " (" + n + " tries)", cause));
                    return;
                }
                long pause = (FIRST_PAUSE_MILLIS << (n - 1)) + ThreadLocalRandom.current().nextLong(FIRST_PAUSE_MILLIS);
                try {
                    timer.schedule(() -> attempt(t, n + 1, result), pause, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException shuttingDown) {
                    result.completeExceptionally(new IOException("the relay is shutting down", cause));
                }
            });
        });
    }

    /** Whether trying again may help: not a verdict of the child or of the relay itself. */
    static boolean passing(Throwable e) {
        return e instanceof IOException && !(e instanceof HostKeyException) && !(e instanceof AuthRefusedException)
                && !(e instanceof NinePException) && !(e.getCause() instanceof NinePException)
                && !"the relay is shutting down".equals(e.getMessage());
    }
}
