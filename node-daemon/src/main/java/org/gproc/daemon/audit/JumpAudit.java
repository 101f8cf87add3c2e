package org.gproc.daemon.audit;

import org.gproc.transport.ssh.JumpEvent;
import org.gproc.transport.ssh.JumpListener;


/**
 * Turns a gateway's verdicts on {@code direct-tcpip} requests into {@code jump} lines: who (principal, key, from
 * where), the node of {@code --gateway-for} it named ({@code target}), the address connected to, and the outcome.
 * A jump is refused while the log cannot be written ({@link #refusal()}); that refusal's own line is offered to the
 * log but not kept for later.
 */
public final class JumpAudit implements JumpListener {
    private final AuditLog log;

    public JumpAudit(AuditLog log) {
        this.log = log;
    }

    @Override
    public void onJump(JumpEvent e) {
        AuditLog.Event event = log.event("jump").at(e.time())
                .field("principal", e.principal())
                .field("keyFingerprint", e.keyFingerprint())
                .field("remote", AuthAudit.address(e.source()))
                .field("requested", e.requested())
                .field("target", e.node())
                .field("address", e.address());
        if (e.accepted()) {
            event.accepted();
        } else {
            event.refused(e.refusal());
            if (log.unwritable() != null) {
                event.ifWritable();
            }
        }
        event.log();
    }

    /** Fail closed: no jump while the log cannot record it. */
    @Override
    public String refusal() {
        return log.refusalOf("jump");
    }
}
