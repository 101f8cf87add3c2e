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
 * Closes open connections that today's rules would not let in, within {@value #POLL_MILLIS} ms of the file that
 * changed the rules changing (OpenSSH only refuses the next login; the open connection of a revoked or removed key
 * stays there):
 * <ul>
 * <li>the revocation file now names the connection's key or certificate;</li>
 * <li>a plain key's authorized_keys line is gone, or no longer lets it in from its address (its {@code from=},
 *     {@code expiry-time=} options), or now names another principal.</li>
 * </ul>
 * A certificate is judged against the revocation file only: its validity period is {@link CertificateExpiry}'s
 * business (with its grace), and the trusted CA file is read once at start. A poll rather than a WatchService: one
 * stat of each file per period works on every file system, also for a file replaced by a rename or written on
 * another machine's NFS mount, and costs nothing when nothing changed. Each connection closed is told to the
 * {@link AuthListener} (audited).
 */
final class AccessWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshNodeServer.class);
    static final long POLL_MILLIS = 200;

    private final RevocationList revoked;
    private final AuthorizedKeysAuthenticator authorizedKeys;
    private final UserKeyAuthorizer authorizer;
    private final Supplier<Iterable<? extends Session>> sessions;
    private final AuthListener listener;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor timer;

    /** @param authorizedKeys null when only certificates are accepted */
    AccessWatch(RevocationList revoked, AuthorizedKeysAuthenticator authorizedKeys, UserKeyAuthorizer authorizer,
                Supplier<Iterable<? extends Session>> sessions, AuthListener listener, Clock clock) {
        this.revoked = revoked;
        this.authorizedKeys = authorizedKeys;
        this.authorizer = authorizer;
        this.sessions = sessions;
        this.listener = listener;
        this.clock = clock;
        this.timer = new ScheduledThreadPoolExecutor(1, SshNodeServer.daemonThreads("gproc-access-watch-"));
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timer.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            boolean changed = revoked.refresh();
            if (authorizedKeys != null && authorizedKeys.refresh()) {
                changed = true;
            }
            if (changed) {
                sweep();
            }
        } catch (RuntimeException e) {
            LOG.error("checking open connections against the revocation file and authorized_keys: {}", e.toString(),
                    e);
        }
    }

    /** Judges every authenticated connection against the rules as they now are. */
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
            String why = why(session, key, identity);
            if (why != null) {
                close(session, identity, why);
            }
        }
    }

    /** Why the connection would not be let in now, or null. */
    private String why(ServerSession session, PublicKey key, UserKeyAuthorizer.Verdict identity) {
        if (key instanceof OpenSshCertificate cert) {
            return revoked.revocation(cert);
        }
        InetSocketAddress remote = remote(session);
        UserKeyAuthorizer.Verdict now = authorizer.decide(session.getUsername(), key,
                remote == null ? null : remote.getAddress());
        if (!now.accepted()) {
            return now.detail();
        }
        if (!now.principal().equals(identity.principal())) {
            return "its authorized_keys line now names principal " + now.principal() + ", not "
                    + identity.principal();
        }
        return null;
    }

    private static InetSocketAddress remote(ServerSession session) {
        return session.getIoSession().getRemoteAddress() instanceof InetSocketAddress isa ? isa : null;
    }

    private void close(ServerSession session, UserKeyAuthorizer.Verdict identity, String why) {
        InetSocketAddress remote = remote(session);
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
        CertificateExpiry.disconnect(session, "no longer authorized while connected: " + why, timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
