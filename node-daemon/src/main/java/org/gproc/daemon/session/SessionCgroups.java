package org.gproc.daemon.session;

import org.gproc.daemon.proc.SessionCgroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Removing a session's cgroup once the processes killed in it have gone (rmdir fails while any is left). */
final class SessionCgroups {

    private static final Logger log = LoggerFactory.getLogger(SessionCgroups.class);
    private static final int ATTEMPTS = 300;
    private static final long RETRY_MILLIS = 100;

    private SessionCgroups() {
    }

    static void removeWhenEmpty(SessionCgroup cgroup, ScheduledExecutorService timer) {
        if (!cgroup.remove()) {
            retry(cgroup, timer, ATTEMPTS);
        }
    }

    private static void retry(SessionCgroup cgroup, ScheduledExecutorService timer, int left) {
        try {
            timer.schedule(() -> {
                if (!cgroup.remove()) {
                    if (left > 1) {
                        retry(cgroup, timer, left - 1);
                    } else {
                        log.warn("cgroup {} still holds processes {} after SIGKILL; left in place", cgroup,
                                cgroup.procs());
                    }
                }
            }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            cgroup.remove();
        }
    }
}
