package org.gproc.client;

import org.gproc.transport.ninep.NinePClient;

import java.util.concurrent.CompletableFuture;

/** Opens the 9P connection to one node (over SSH in production); failures carry a message naming the node. */
public interface NodeConnector extends AutoCloseable {

    CompletableFuture<NinePClient> connect(NodeAddress node);

    /**
     * The connector {@link Cluster#connect(Inventory, ClusterOptions)} uses: SSH with the identity, certificate and
     * known_hosts the options (else the inventory, else {@code ~/.gproc/}) name, host keys checked as the options say.
     */
    static NodeConnector ssh(Inventory inventory, ClusterOptions options) {
        return SshNodeConnector.create(inventory, options);
    }

    /**
     * True when the connector owns the connections it hands out (a pool that lends them to one cluster after
     * another): a cluster then leaves them open when it is closed, and the connector closes them itself.
     */
    default boolean keepsConnections() {
        return false;
    }

    /**
     * The host key a relay must see {@code node} prove, as a known_hosts key ({@code ssh-ed25519 AAAA…}) or
     * {@code @cert-authority ssh-ed25519 AAAA…}; the client's own trust decides it. Connectors that cannot say refuse.
     */
    default String keySpec(NodeAddress node) {
        throw new IllegalArgumentException("this connection method names no host keys, so it cannot reach nodes"
                + " through a relay");
    }

    /** The 9P bytes written on every connection this connector opened (-1 when it does not count). */
    default long bytesSent() {
        return -1;
    }

    @Override
    void close();
}
