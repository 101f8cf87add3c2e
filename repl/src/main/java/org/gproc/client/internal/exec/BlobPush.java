package org.gproc.client.internal.exec;

import org.gproc.transport.ninep.Message;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Content-addressed push: walk {@code cache/<sha256>}; only when the node lacks it, create it and send the bytes
 * with pipelined Twrites; the daemon verifies the hash at clunk. One upload per (node, blob) at a time.
 */
public final class BlobPush {
    /** Bytes this process has sent to nodes' caches, for measuring that a second push sends nothing. */
    private static final AtomicLong BYTES_SENT = new AtomicLong();

    private BlobPush() {
    }

    public static long bytesSent() {
        return BYTES_SENT.get();
    }

    /** Completes with the bytes sent: 0 when the node already had the blob. */
    public static CompletableFuture<Long> ensure(NodeChannel node, LocalBlob blob) {
        if (node.cachedBlobs().contains(blob.hash())) {
            return CompletableFuture.completedFuture(0L);
        }
        return node.uploads().computeIfAbsent(blob.hash(), h -> check(node, blob)
                .whenComplete((v, e) -> {
                    node.uploads().remove(h);
                    if (e == null) {
                        node.cachedBlobs().add(h);
                    }
                }));
    }

    private static CompletableFuture<Long> check(NodeChannel node, LocalBlob blob) {
        var client = node.client();
        return client.walk("cache/" + blob.hash())
                .thenCompose(fid -> client.clunk(fid))
                .handle((v, e) -> e == null ? CompletableFuture.completedFuture(0L) : upload(node, blob))
                .thenCompose(f -> f);
    }

    private static CompletableFuture<Long> upload(NodeChannel node, LocalBlob blob) {
        var client = node.client();
        return client.walk("cache").thenCompose(dir -> client.create(dir, blob.hash(), 0444, Message.OWRITE)
                .whenComplete((f, e) -> {
                    if (e != null) {
                        client.clunk(dir);
                    }
                })
                .thenCompose(fid -> node.writeAndClunk(fid, blob.data()))
                .thenApply(n -> {
                    BYTES_SENT.addAndGet(n);
                    return n;
                }))
                .exceptionally(e -> {
                    throw new java.util.concurrent.CompletionException(new java.io.IOException(node.node()
                            + ": push of " + blob.path() + " failed: cache/" + blob.hash().substring(0, 12) + "…: "
                            + Futures.message(e), Futures.cause(e)));
                });
    }
}
