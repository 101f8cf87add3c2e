package org.gproc.daemon.audit;

import org.gproc.transport.ssh.AuthEvent;
import org.gproc.transport.ssh.AuthListener;

import java.net.InetSocketAddress;

/** Turns the SSH server's authentication verdicts into {@code auth} lines; never blocks the SSH I/O thread. */
public final class AuthAudit implements AuthListener {
    private final AuditLog log;

    public AuthAudit(AuditLog log) {
        this.log = log;
    }

    @Override
    public void onAuth(AuthEvent e) {
        AuditLog.Event event = log.event("auth").at(e.time())
                .field("principal", e.principal())
                .field("keyType", e.keyType())
                .field("keyFingerprint", e.keyFingerprint());
        if (e.certSerial() != null) {
            event.field("certSerial", Long.toUnsignedString(e.certSerial())).field("certKeyId", e.certKeyId());
        }
        event.field("sshUser", e.sshUser()).field("remote", address(e.remote()));
        if (e.accepted()) {
            event.accepted();
        } else {
            event.refused(e.reason());
        }
        event.log();
    }

    /** {@code host:port} of a peer, brackets around an IPv6 host; the jump lines name their peers the same way. */
    static String address(InetSocketAddress remote) {
        if (remote == null) {
            return null;
        }
        String host = remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + remote.getPort();
    }
}
