package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.Hostlist;
import org.gproc.client.Inventory;
import org.gproc.client.NodeSetException;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Opens the cluster a command works on: the inventory's nodes, narrowed by {@code -w}. Down nodes are not printed
 * here: each command reports them with its own results.
 */
final class ClusterAccess {
    private ClusterAccess() {
    }

    /**
     * A target set that is malformed, names nodes or groups the inventory does not have, or ends up empty: the
     * command fails (exit status 1) with a message naming the option and what was wrong, before connecting.
     */
    static final class TargetException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TargetException(String message) {
            super(message, null, false, false);
        }
    }

    static Cluster open(GprocCli cli, String nodes, Duration connectTimeout) {
        Inventory inventory = cli.inventory();
        if (nodes != null) {
            inventory = inventory.subset(nodes);
        }
        return cli.caller().clusters().connect(inventory, cli.clusterOptions().withConnectTimeout(connectTimeout));
    }

    /** As {@link #open(GprocCli, String, Duration)}, with a launching command's guard rails and progress line. */
    static Cluster open(GprocCli cli, String nodes, Duration connectTimeout, LaunchOptions launching,
                        PrintWriter err) {
        Inventory inventory = cli.inventory();
        if (nodes != null) {
            inventory = inventory.subset(nodes);
        }
        return cli.caller().clusters().connect(inventory, launching.apply(cli.clusterOptions()
                .withConnectTimeout(connectTimeout),
                cli.caller(), err));
    }

    /**
     * The nodes {@code -w NODES} names less those {@code -x EXCLUDE} names (null: none), checked against the
     * inventory: every name must be one of its nodes and at least one must be left.
     */
    static Hostlist targets(GprocCli cli, String command, String nodes, String exclude) {
        Inventory inventory = cli.inventory();
        Hostlist selected;
        try {
            selected = inventory.select(nodes);
        } catch (NodeSetException e) {
            throw new TargetException("gproc " + command + ": -w '" + nodes + "': " + withoutPrefix(e));
        }
        if (selected.isEmpty()) {
            throw new TargetException("gproc " + command + ": -w '" + nodes + "' names no nodes");
        }
        if (exclude == null) {
            return selected;
        }
        Hostlist excluded;
        try {
            excluded = Hostlist.parse(exclude, inventory.groupResolver());
        } catch (NodeSetException e) {
            throw new TargetException("gproc " + command + ": -x '" + exclude + "': " + withoutPrefix(e));
        }
        Hostlist left = selected.difference(excluded);
        if (left.isEmpty()) {
            throw new TargetException("gproc " + command + ": no nodes left: -x '" + exclude + "' excludes all of "
                    + selected.fold() + " (-w '" + nodes + "')");
        }
        return left;
    }

    private static String withoutPrefix(NodeSetException e) {
        String m = e.getMessage();
        return m.startsWith("nodeset: ") ? m.substring("nodeset: ".length()) : m;
    }
}
