package org.gproc.transport.ssh;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.common.SshConstants;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections whose user certificate has expired, {@code grace} after its valid-before time. One scheduler
 * thread for the whole server; a connection that closes first cancels (and removes) its timer.
 */
final class CertificateExpiry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshNodeServer.class);

    private final Duration grace;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor timers;

    CertificateExpiry(Duration grace, Clock clock) {
        this.grace = grace;
        this.clock = clock;
        this.timers = new ScheduledThreadPoolExecutor(1, SshNodeServer.daemonThreads("gproc-cert-expiry-"));
        timers.setRemoveOnCancelPolicy(true);
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Closes {@code session} at {@code validBefore} + grace; {@code who} names it in the log. */
    void watch(ServerSession session, Instant validBefore, String who) {
        Instant at = validBefore.plus(grace);
        long delayMillis = Math.max(0, Duration.between(clock.instant(), at).toMillis());
        ScheduledFuture<?> timer;
        try {
            timer = timers.schedule(() -> expire(session, validBefore, who), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            session.close(true);
            return;
        }
        session.addCloseFutureListener(f -> timer.cancel(false));
    }

    private void expire(ServerSession session, Instant validBefore, String who) {
        if (session.isClosing() || session.isClosed()) {
            return;
        }
        LOG.info("closing the connection of {}: its certificate expired at {} (grace {})", who, validBefore, grace);
        disconnect(session, "your certificate expired at " + validBefore, timers);
    }

    /**
     * Tells the peer why, then closes; {@code disconnect()} closes once its message is written, and a peer that stops
     * reading must not keep the connection, so it is closed outright 5 s later on {@code timers}.
     */
    static void disconnect(ServerSession session, String why, ScheduledThreadPoolExecutor timers) {
        try {
            session.disconnect(SshConstants.SSH2_DISCONNECT_BY_APPLICATION, why);
        } catch (IOException | RuntimeException e) {
            session.close(true);
            return;
        }
        try {
            timers.schedule(() -> session.close(true), 5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            session.close(true);
        }
    }

    /** Timers waiting (for specs: one per open certificate connection, none after they close). */
    int pending() {
        return timers.getQueue().size();
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
