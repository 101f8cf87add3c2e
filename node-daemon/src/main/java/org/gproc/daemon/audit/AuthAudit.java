package org.gproc.daemon.audit;

import org.gproc.transport.ssh.AuthEvent;
import org.gproc.transport.ssh.AuthListener;

import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Turns the SSH server's authentication verdicts into {@code auth} lines and revocations of open connections into
 * {@code revoked} lines; never blocks the SSH I/O thread. Refusals come from peers that have proved nothing, so they
 * are written as {@linkplain AuditLog.Event#unauthenticated() unauthenticated} lines and summarised past a rate
 * ({@link RefusalSummary}); accepted logins and revocations always are written. Logins are refused while the log
 * cannot be written ({@link #refusal()}).
 */
public final class AuthAudit implements AuthListener, AutoCloseable {
    private final AuditLog log;
    private final RefusalSummary summary;

    /** Summaries of refusal floods are written every 10 s on {@code timer}. */
    public AuthAudit(AuditLog log, ScheduledExecutorService timer) {
        this.log = log;
        this.summary = new RefusalSummary(log);
        if (timer != null) {
            timer.scheduleWithFixedDelay(summary::flush, RefusalSummary.WINDOW_SECONDS,
                    RefusalSummary.WINDOW_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Without a timer: summaries are written when the next window's first refusal arrives, and at close. */
    public AuthAudit(AuditLog log) {
        this(log, null);
    }

    @Override
    public void onAuth(AuthEvent e) {
        if (!e.accepted() && !summary.admit(host(e.remote()), e.reason(), e.time())) {
            return;
        }
        AuditLog.Event event = log.event("auth").at(e.time())
                .field("principal", e.principal())
                .field("method", e.method());
        if (e.keyFingerprint() != null) {
            event.field("keyType", e.keyType()).field("keyFingerprint", e.keyFingerprint());
        }
        if (e.certSerial() != null) {
            event.field("certSerial", Long.toUnsignedString(e.certSerial())).field("certKeyId", e.certKeyId());
        }
        event.field("sshUser", e.sshUser()).field("remote", address(e.remote()));
        if (e.accepted()) {
            event.accepted();
        } else {
            event.refused(e.reason()).unauthenticated();
        }
        event.log();
    }

    @Override
    public String refusal() {
        return log.unwritable();
    }

    @Override
    public void onRevoked(Revoked e) {
        log.event("revoked").at(e.time())
                .field("principal", e.principal())
                .field("keyFingerprint", e.keyFingerprint())
                .field("remote", address(e.remote()))
                .field("outcome", "disconnected")
                .field("reason", e.revocation())
                .log();
    }

    /** Writes the summaries of refusals held back so far. */
    @Override
    public void close() {
        summary.flush();
    }

    /** {@code host:port} of a peer, brackets around an IPv6 host; the jump lines name their peers the same way. */
    static String address(InetSocketAddress remote) {
        if (remote == null) {
            return null;
        }
        return bracketed(host(remote)) + ":" + remote.getPort();
    }

    static String host(InetSocketAddress remote) {
        if (remote == null) {
            return "unknown";
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }

    static String bracketed(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
