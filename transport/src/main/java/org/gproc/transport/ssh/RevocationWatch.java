package org.gproc.transport.ssh;

import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.time.Clock;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.server.session.ServerSession;
import org.gproc.transport.cert.RevocationList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes open connections whose key or certificate the revocation file names, within {@value #POLL_MILLIS} ms of the
 * file changing (OpenSSH only refuses the next login; a revoked key's open connection stays there). A poll rather
 * than a WatchService: one stat per period works on every file system, also for a file replaced by a rename or
 * written on another machine's NFS mount, and costs nothing when nothing changed. Each connection closed is told to
 * the {@link AuthListener} (audited).
 */
final class RevocationWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshNodeServer.class);
    static final long POLL_MILLIS = 200;

    private final RevocationList revoked;
    private final Supplier<Iterable<? extends Session>> sessions;
    private final AuthListener listener;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor timer;

    RevocationWatch(RevocationList revoked, Supplier<Iterable<? extends Session>> sessions, AuthListener listener,
                    Clock clock) {
        this.revoked = revoked;
        this.sessions = sessions;
        this.listener = listener;
        this.clock = clock;
        this.timer = new ScheduledThreadPoolExecutor(1, SshNodeServer.daemonThreads("gproc-revocation-"));
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timer.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            if (revoked.refresh()) {
                sweep();
            }
        } catch (RuntimeException e) {
            LOG.error("checking open connections against {}: {}", revoked.file(), e.toString(), e);
        }
    }

    /** Judges every authenticated connection against the revocation list as it now is. */
    void sweep() {
        for (Session s : sessions.get()) {
            if (!(s instanceof ServerSession session) || !session.isAuthenticated() || session.isClosing()) {
                continue;
            }
            PublicKey key = session.getAttribute(PublicKeyAuthFactory.AUTHENTICATED_KEY);
            UserKeyAuthorizer.Verdict identity = session.getAttribute(PublicKeyAuthFactory.IDENTITY);
            if (key == null || identity == null) {
                continue;
            }
            String why = key instanceof OpenSshCertificate cert ? revoked.revocation(cert) : revoked.revocation(key);
            if (why != null) {
                close(session, identity, why);
            }
        }
    }

    private void close(ServerSession session, UserKeyAuthorizer.Verdict identity, String why) {
        InetSocketAddress remote = session.getIoSession().getRemoteAddress() instanceof InetSocketAddress isa
                ? isa : null;
        LOG.info("closing the connection of {} from {}: {}", identity.principal(), remote, why);
        if (listener != null) {
            try {
                listener.onRevoked(new AuthListener.Revoked(clock.instant(), identity.principal(),
                        identity.fingerprint(), remote, why));
            } catch (RuntimeException e) {
                LOG.error("auth listener failed on a revocation (the connection is closed anyway): {}", e.toString(),
                        e);
            }
        }
        CertificateExpiry.disconnect(session, "revoked while connected: " + why, timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
