package org.gproc.daemon.session;

import org.gproc.daemon.audit.AuditLog;
import org.gproc.daemon.proc.LaunchSpec;
import org.gproc.daemon.proc.RunningProcess;
import org.gproc.daemon.proc.SessionCgroup;
import org.gproc.daemon.proc.Signals;
import org.gproc.daemon.proc.Spool;
import org.gproc.transport.ninep.NinePException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starting a session's one process: resolve the plan ({@link ExecPlan}), apply the policy ({@link ExecChecks}),
 * create the spools, launch, and hand the process to the session; and stopping it when a spool hits its cap. The
 * session's state changes happen in {@link Session}; the slow work (checks, files, the launch) runs outside its lock.
 */
final class SessionExec {

    static final int CAP_KILL_DELAY_SECONDS = 5;

    private SessionExec() {
    }

    /** {@code actor} (the owner or an admin), perhaps through the relay {@code via}, execs {@code path}; audited. */
    static void exec(Session s, String actor, String via, String path) throws NinePException {
        AuditLog.Event event = SessionTable.viaRelay(s.audit("exec").field("principal", actor), via)
                .field("owner", s.owner()).field("path", path);
        try {
            start(s, path, event, actor); // logs the accepted event itself, before the exit can be logged
        } catch (ExecChecks.Refused e) {
            event.refused(e.getMessage()).log();
            throw e;
        } catch (NinePException | RuntimeException e) {
            event.field("outcome", "failed").field("reason", String.valueOf(e.getMessage())).log();
            throw e;
        }
    }

    private static void start(Session s, String path, AuditLog.Event event, String actor) throws NinePException {
        ExecPlan plan = s.beginExec(path);
        VirtualNode node = s.node();
        RunningProcess process;
        Spool out = null;
        Spool err = null;
        try {
            List<String> args = plan.argv();
            event.field("argv", args);
            ExecChecks.Checked checked = ExecChecks.check(s, actor, plan, event);
            Map<String, String> fullEnv = new LinkedHashMap<>(node.env().snapshot());
            fullEnv.putAll(plan.env());
            Path wd = plan.workingDirectory();
            if (checked.runAs() != null) {
                s.closeFs("its process runs as unix user '" + checked.runAs().user() + "'");
                ExecChecks.handOver(s.fsRoot(), checked.runAs());
            }
            Path dir = s.directory();
            out = SessionOutput.create(dir.resolve("stdout"), node);
            err = SessionOutput.create(dir.resolve("stderr"), node);
            SessionCgroup cgroup = node.services().launcher().newCgroup(s.cgroupName());
            try {
                process = node.services().launcher().start(new LaunchSpec(args, fullEnv, wd, out.file(), err.file(),
                        checked.program(), checked.runAs(), checked.runAs() == null ? null : s.fsRoot(), cgroup));
            } catch (NinePException | RuntimeException e) {
                if (cgroup != null) {
                    cgroup.remove();
                }
                throw e;
            }
            if (s.attach(process, args, out, err)) {
                SessionMembers.killQuietly(process); // wiped while it was starting
            } else {
                s.saveRecord(); // before the client hears of the pid: from now on a restart takes the session back
            }
        } catch (NinePException | RuntimeException e) {
            s.abandonExec(out, err);
            throw e;
        } catch (IOException e) {
            s.abandonExec(out, err);
            throw new NinePException("exec: session " + s.id() + ": cannot create the output spools: "
                    + e.getMessage(), e);
        }
        s.started().complete(null);
        event.field("pid", process.pid()).accepted().log(); // before onExit: a process that ends at once logs exit after
        watch(s, process, out, err);
    }

    /** From exec (or adoption) on: the exit ends the session, a spool cap or the quota stops it. */
    static void watch(Session s, RunningProcess process, Spool out, Spool err) {
        process.onExit().whenComplete(s::exited);
        out.onCapReached(() -> stop(s, "spool cap (--spool-cap)"));
        err.onCapReached(() -> stop(s, "spool cap (--spool-cap)"));
        out.onGrowth(size -> s.quota().spoolGrew(Session.Stream.STDOUT, size));
        err.onGrowth(size -> s.quota().spoolGrew(Session.Stream.STDERR, size));
        // what was written before the listeners were there (a fast writer, an adopted session's output) counts too
        s.quota().spoolGrew(Session.Stream.STDOUT, out.size());
        s.quota().spoolGrew(Session.Stream.STDERR, err.size());
    }

    /**
     * A spool hit its cap or the state quota: output past it is being discarded, so the process is stopped rather than
     * left running blind — SIGTERM to the session, SIGKILL {@link #CAP_KILL_DELAY_SECONDS} later if it is still there.
     * The cut shows in ctl's status line, in wait, and as an error on reads past it.
     */
    static void stop(Session s, String cause) {
        RunningProcess p = s.beginStopForCap();
        if (p == null) {
            return;
        }
        try {
            p.signal(15);
            s.audit("signal").field("principal", null).field("cause", cause)
                    .field("signal", Signals.name(15)).field("pid", p.pid()).accepted().log();
        } catch (NinePException exitedMeanwhile) {
            return;
        }
        s.node().services().timer().schedule(() -> {
            if (s.state() == Session.State.RUNNING) {
                SessionMembers.killQuietly(p);
            }
        }, CAP_KILL_DELAY_SECONDS, TimeUnit.SECONDS);
    }
}
