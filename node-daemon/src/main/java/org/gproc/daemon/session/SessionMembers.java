package org.gproc.daemon.session;

import org.gproc.daemon.audit.AuditLog;
import org.gproc.daemon.proc.RunningProcess;
import org.gproc.daemon.proc.SessionCgroup;
import org.gproc.daemon.proc.Signals;
import org.gproc.transport.ninep.NinePException;

import java.util.List;

/**
 * The processes of a session as the daemon sees them from outside: its process and everything that process started
 * (its cgroup, when the daemon can manage one, or else its process group), which may outlive it. Signalling, the
 * orphan count and the final kill all go to that whole set, not just the one pid.
 */
final class SessionMembers {

    private final Session session;

    SessionMembers(Session session) {
        this.session = session;
    }

    List<Long> pids() {
        RunningProcess p = session.process();
        return p == null ? List.of() : p.members();
    }

    /** How many still run after the session's process exited: 0 while it runs or when none is left. */
    int orphans() {
        return session.state() == Session.State.EXITED ? pids().size() : 0;
    }

    /** Null without a cgroup v2 the daemon can manage, or before exec. */
    SessionCgroup cgroup() {
        RunningProcess p = session.process();
        return p == null ? null : p.cgroup();
    }

    /** {@code actor} signals all of them; audited, also when refused. */
    void signal(String actor, int sig, String cause) throws NinePException {
        AuditLog.Event event = session.audit("signal").field("principal", actor).field("owner", session.owner())
                .field("signal", Signals.name(sig)).field("pid", session.pid());
        if (cause != null) {
            event.field("cause", cause);
        }
        try {
            session.signalTarget().signal(sig);
            event.accepted().log();
        } catch (NinePException e) {
            event.refused(e.getMessage()).log();
            throw e;
        }
    }

    /** What the session's process left behind: killed, and the cgroup removed once they are gone. */
    void killOrphans() {
        RunningProcess p = session.process();
        if (p == null) {
            return;
        }
        if (!p.members().isEmpty()) {
            killQuietly(p);
        }
        SessionCgroup cgroup = p.cgroup();
        if (cgroup != null) {
            SessionCgroups.removeWhenEmpty(cgroup, session.node().services().timer());
        }
    }

    static void killQuietly(RunningProcess p) {
        try {
            p.signal(9);
        } catch (NinePException alreadyGone) {
            // exited between our check and the signal: nothing to kill
        }
    }
}
