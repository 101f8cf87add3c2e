package org.gproc.client;

import org.gproc.transport.ninep.NinePClient;

import java.util.concurrent.CompletableFuture;

/** Opens the 9P connection to one node (over SSH in production); failures carry a message naming the node. */
public interface NodeConnector extends AutoCloseable {

    CompletableFuture<NinePClient> connect(NodeAddress node);

    @Override
    void close();
}
