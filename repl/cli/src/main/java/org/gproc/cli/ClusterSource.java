package org.gproc.cli;

import java.nio.file.Path;
import org.gproc.client.Cluster;
import org.gproc.client.ClusterOptions;
import org.gproc.client.Inventory;

/**
 * How a command gets its inventory and its cluster: a fresh read and a fresh connection to every node ({@link #CONNECT}), or, inside the control-node
 * agent, one that borrows the agent's still-open connections. Either way the caller closes the cluster it got.
 */
@FunctionalInterface
public interface ClusterSource {
    Cluster connect(Inventory inventory, ClusterOptions options);

    /** The inventory in {@code file} (the agent's source keeps the one it read while the file is unchanged). */
    default Inventory load(Path file) {
        return Inventory.load(file);
    }

    ClusterSource CONNECT = Cluster::connect;
}
