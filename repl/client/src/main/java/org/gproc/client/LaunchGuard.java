package org.gproc.client;

/**
 * Asked before a launch on more nodes than the inventory's {@code cluster { confirmAbove = N }}: the front end shows
 * the target set and asks the user (the REPL and the CLI ask on a terminal; {@code --yes} approves). Installed with
 * {@link ClusterOptions#withGuard}; without one, such a launch is refused with a message naming the setting.
 */
@FunctionalInterface
public interface LaunchGuard {

    /** Refuses every launch above the limit, saying how to go ahead. */
    LaunchGuard REFUSE = (targets, what, limit) -> {
        throw new IllegalStateException(what + ": not started on " + targets.size() + " nodes (" + targets.getNames()
                + "): above the inventory's confirmAbove = " + limit + ", and nobody was asked (give --yes)");
    };

    /** Approves everything ({@code --yes}). */
    LaunchGuard APPROVE = (targets, what, limit) -> true;

    /**
     * True to start {@code what} (a command line) on {@code targets}, more than {@code limit} nodes; false (or an
     * exception with the reason) starts nothing.
     */
    boolean approve(NodeSet targets, String what, int limit);
}
