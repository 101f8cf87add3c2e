package org.gproc.client.internal.exec;

import org.gproc.transport.ninep.Message;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Content-addressed push: walk {@code cache/<sha256>}; only when the node lacks it, create it and send the bytes
 * with pipelined Twrites; the daemon verifies the hash at clunk. One upload per (node, blob) at a time.
 */
public final class BlobPush {
    private BlobPush() {
    }

    /**
     * Completes with the bytes this call sent: 0 when the node already had the blob, or when another push of it to
     * the same node was already under way (this call then waits for that one). Bytes sent are told to the engine's
     * listener.
     */
    public static CompletableFuture<Long> ensure(ExecEngine engine, NodeChannel node, LocalBlob blob) {
        String hash = blob.hash();
        if (node.cachedBlobs().contains(hash)) {
            return CompletableFuture.completedFuture(0L);
        }
        CompletableFuture<Long> mine = new CompletableFuture<>();
        CompletableFuture<Long> running = node.uploads().putIfAbsent(hash, mine);
        if (running != null) {
            return running.thenApply(n -> 0L);
        }
        // Completed outside the map's locks: a check that finishes synchronously must not update the map re-entrantly.
        check(engine, node, blob).whenComplete((n, e) -> {
            if (e == null) {
                node.cachedBlobs().add(hash);
            }
            node.uploads().remove(hash, mine);
            if (e == null) {
                mine.complete(n);
            } else {
                mine.completeExceptionally(e);
            }
        });
        return mine;
    }

    private static CompletableFuture<Long> check(ExecEngine engine, NodeChannel node, LocalBlob blob) {
        var client = node.client();
        return client.walk("cache/" + blob.hash())
                .thenCompose(fid -> client.clunk(fid))
                .handle((v, e) -> e == null ? CompletableFuture.completedFuture(0L) : upload(engine, node, blob))
                .thenCompose(f -> f);
    }

    private static CompletableFuture<Long> upload(ExecEngine engine, NodeChannel node, LocalBlob blob) {
        var client = node.client();
        return client.walk("cache").thenCompose(dir -> client.create(dir, blob.hash(), 0444, Message.OWRITE)
                .whenComplete((f, e) -> {
                    if (e != null) {
                        client.clunk(dir);
                    }
                })
                .thenCompose(fid -> node.writeAndClunk(fid, blob.data()))
                .thenApply(n -> {
                    engine.listener().pushed(node.node(), blob.path(), n);
                    return n;
                }))
                .exceptionally(e -> {
                    throw new CompletionException(new IOException(node.node()
                            + ": push of " + blob.path() + " failed: cache/" + blob.hash().substring(0, 12) + "…: "
                            + Futures.message(e), Futures.cause(e)));
                });
    }
}
