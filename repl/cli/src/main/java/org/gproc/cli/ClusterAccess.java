package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.ClusterOptions;
import org.gproc.client.Inventory;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Opens the cluster a command works on: the inventory's nodes, narrowed by {@code -w}. Down nodes are not printed
 * here: each command reports them with its own results.
 */
final class ClusterAccess {
    private ClusterAccess() {
    }

    static Cluster open(GprocCli cli, String nodes, Duration connectTimeout) {
        Inventory inventory = cli.inventory();
        if (nodes != null) {
            inventory = inventory.subset(nodes);
        }
        return Cluster.connect(inventory, cli.clusterOptions().withConnectTimeout(connectTimeout));
    }

    /** As {@link #open(GprocCli, String, Duration)}, with a launching command's guard rails and progress line. */
    static Cluster open(GprocCli cli, String nodes, Duration connectTimeout, LaunchOptions launching,
                        PrintWriter err) {
        Inventory inventory = cli.inventory();
        if (nodes != null) {
            inventory = inventory.subset(nodes);
        }
        return Cluster.connect(inventory, launching.apply(cli.clusterOptions().withConnectTimeout(connectTimeout),
                cli.stdin(), err));
    }
}
