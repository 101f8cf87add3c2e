package org.gproc.cli;

import java.io.PrintWriter;
import java.util.List;

/** What {@code copy} and {@code rcopy} say when they end: one line per node that failed, naming it and why. */
final class OneShot {
    private OneShot() {
    }

    /**
     * {@code gproc: n3: copy to /opt/app failed: cp: cannot create regular file ...: Permission denied}, the node's
     * own last words on standard error when it has any, else its outcome; returns the largest exit code.
     */
    static int report(List<NodeRun> runs, String what, PrintWriter err) {
        int status = 0;
        synchronized (err) {
            for (NodeRun r : runs) {
                if (r.succeeded()) {
                    continue;
                }
                List<String> said = NodeRun.lines(r.stderrText().strip());
                String why = r.error() != null || said.isEmpty() ? r.outcome() : String.join("; ", said);
                err.println("gproc: " + r.node + ": " + what + " failed: " + why);
                status = Math.max(status, r.exitCode() == 0 ? 1 : r.exitCode());
            }
            err.flush();
        }
        return Math.min(status, 255);
    }
}
