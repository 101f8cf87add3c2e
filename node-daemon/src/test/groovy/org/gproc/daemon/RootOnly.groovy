package org.gproc.daemon

import org.gproc.daemon.policy.UnixUser

/**
 * The condition of the specs that drop privileges: they need root (CI runs as root) and a {@code nobody} user. Off
 * root they are skipped, and the skip says why on standard error and in the test report, never silently.
 */
final class RootOnly {
    static final String REASON = "needs root and a 'nobody' user to drop privileges (CI runs the suite as root)"

    private RootOnly() {
    }

    static boolean available() {
        boolean root = UnixUser.effectiveUid() == 0
        boolean nobody = UnixUser.lookup('nobody').present
        if (!root || !nobody) {
            System.err.println("skipped: ${REASON}; here the effective uid is ${UnixUser.effectiveUid()}"
                    + (nobody ? '' : " and there is no 'nobody' user"))
        }
        root && nobody
    }
}
