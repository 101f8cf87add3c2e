package org.gproc.daemon.session;

import org.gproc.daemon.audit.AuditLog;
import org.gproc.daemon.policy.ExecPolicy;
import org.gproc.daemon.proc.ProcessLauncher;
import org.gproc.daemon.proc.SpoolWatcher;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What all virtual nodes of one daemon share, so that a thousand nodes cost a thousand small tables and not a
 * thousand thread pools: one process launcher, one spool watcher, one timer (reaping and shutdown deadlines), one
 * audit log, one exec policy, one table of the hashes of the files exec ran and one state quota. Nothing here may
 * block for long on the timer thread.
 */
public record NodeServices(ProcessLauncher launcher, SpoolWatcher spoolWatcher, ScheduledExecutorService timer,
                           AuditLog audit, ExecPolicy policy, FileHashes hashes, StateQuota quota) {

    public NodeServices {
        Objects.requireNonNull(launcher, "launcher");
        Objects.requireNonNull(spoolWatcher, "spoolWatcher");
        Objects.requireNonNull(timer, "timer");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(hashes, "hashes");
        Objects.requireNonNull(quota, "quota");
    }

    /** No state quota. */
    public NodeServices(ProcessLauncher launcher, SpoolWatcher spoolWatcher, ScheduledExecutorService timer,
                        AuditLog audit, ExecPolicy policy, FileHashes hashes) {
        this(launcher, spoolWatcher, timer, audit, policy, hashes, StateQuota.NONE);
    }

    public NodeServices(ProcessLauncher launcher, SpoolWatcher spoolWatcher, ScheduledExecutorService timer,
                        AuditLog audit, ExecPolicy policy) {
        this(launcher, spoolWatcher, timer, audit, policy, new FileHashes());
    }

    /** No audit log, everyone may exec node files, processes run as the daemon's user. */
    public NodeServices(ProcessLauncher launcher, SpoolWatcher spoolWatcher, ScheduledExecutorService timer) {
        this(launcher, spoolWatcher, timer, AuditLog.disabled(), ExecPolicy.OPEN);
    }
}
