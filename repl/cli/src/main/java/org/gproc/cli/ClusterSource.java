package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.ClusterOptions;
import org.gproc.client.Inventory;

/**
 * How a command gets its cluster: a fresh connection to every node ({@link #CONNECT}), or, inside the control-node
 * agent, one that borrows the agent's still-open connections. Either way the caller closes the cluster it got.
 */
@FunctionalInterface
public interface ClusterSource {
    Cluster connect(Inventory inventory, ClusterOptions options);

    ClusterSource CONNECT = Cluster::connect;
}
