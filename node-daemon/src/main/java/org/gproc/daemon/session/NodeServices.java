package org.gproc.daemon.session;

import org.gproc.daemon.proc.ProcessLauncher;
import org.gproc.daemon.proc.SpoolWatcher;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What all virtual nodes of one daemon share, so that a thousand nodes cost a thousand small tables and not a
 * thousand thread pools: one process launcher, one spool watcher and one timer (reaping and shutdown deadlines).
 * Nothing here may block for long on the timer thread.
 */
public record NodeServices(ProcessLauncher launcher, SpoolWatcher spoolWatcher, ScheduledExecutorService timer) {

    public NodeServices {
        Objects.requireNonNull(launcher, "launcher");
        Objects.requireNonNull(spoolWatcher, "spoolWatcher");
        Objects.requireNonNull(timer, "timer");
    }
}
