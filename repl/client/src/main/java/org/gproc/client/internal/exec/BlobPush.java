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
        return begin(engine, node, blob).done();
    }

    /**
     * What a launch on {@code node} waits for before its {@code link} lines go out. Direct: the blob is in the node's
     * cache. Through a relay: the upload to the cache of the node the connection reaches has begun (its create was
     * answered) or was not needed; that relay feeds the blob on while it still arrives, and a failed upload fails the
     * link with its reason.
     */
    public static CompletableFuture<Void> readyForLink(ExecEngine engine, NodeChannel node, LocalBlob blob) {
        if (!node.isRelayed()) {
            return ensure(engine, node, blob).thenApply(n -> null);
        }
        return begin(engine, node.blobHome(), blob).started();
    }

    /**
     * A preload (no session): direct, {@link #ensure}. Through a relay, the blob goes to the cache of the node the
     * connection reaches, once however many nodes are behind it, and {@code feed NODE H} on the next relay's
     * {@code n/ctl} makes that relay give it to the node from its cache (relays above it give it to that relay first,
     * as they do for {@code link} lines). Completes with the bytes this call sent on the control node's link.
     */
    public static CompletableFuture<Long> preload(ExecEngine engine, NodeChannel node, LocalBlob blob) {
        if (!node.isRelayed()) {
            return ensure(engine, node, blob);
        }
        String hash = blob.hash();
        if (node.cachedBlobs().contains(hash)) {
            return CompletableFuture.completedFuture(0L);
        }
        Upload home = begin(engine, node.blobHome(), blob);
        return home.started()
                .thenCompose(v -> node.relay().writeText("n/ctl", "feed " + node.node() + " " + hash + "\n"))
                .thenCompose(v -> home.done())
                .whenComplete((n, e) -> {
                    if (e == null) {
                        node.cachedBlobs().add(hash);
                    }
                })
                .exceptionally(e -> {
                    throw new CompletionException(new IOException(node.node() + ": preload of " + blob.path()
                            + " failed: " + Futures.message(e), Futures.cause(e)));
                });
    }

    /**
     * Whether {@code node} (for a relayed node: the cache its pushes go to) already has {@code blob}, without sending
     * it: a walk of {@code cache/<sha256>}. For dry runs.
     */
    public static CompletableFuture<Boolean> isCached(NodeChannel node, LocalBlob blob) {
        NodeChannel home = node.isRelayed() ? node.blobHome() : node;
        if (home.cachedBlobs().contains(blob.hash())) {
            return CompletableFuture.completedFuture(true);
        }
        var client = home.client();
        return client.walk(home.path("cache/" + blob.hash()))
                .thenCompose(fid -> client.clunk(fid))
                .handle((v, e) -> e == null);
    }

    /** One upload of one blob to one node: {@code started} once the bytes may follow, {@code done} with the count. */
    record Upload(CompletableFuture<Void> started, CompletableFuture<Long> done) {
        static Upload finished() {
            return new Upload(CompletableFuture.completedFuture(null), CompletableFuture.completedFuture(0L));
        }
    }

    private static Upload begin(ExecEngine engine, NodeChannel node, LocalBlob blob) {
        String hash = blob.hash();
        if (node.cachedBlobs().contains(hash)) {
            return Upload.finished();
        }
        Upload mine = new Upload(new CompletableFuture<>(), new CompletableFuture<>());
        Upload running = node.uploads().putIfAbsent(hash, mine);
        if (running != null) {
            return new Upload(running.started(), running.done().thenApply(n -> 0L));
        }
        // Completed outside the map's locks: a check that finishes synchronously must not update the map re-entrantly.
        check(engine, node, blob, mine.started()).whenComplete((n, e) -> {
            if (e == null) {
                node.cachedBlobs().add(hash);
            }
            node.uploads().remove(hash, mine);
            if (e == null) {
                mine.started().complete(null);
                mine.done().complete(n);
            } else {
                mine.started().completeExceptionally(e);
                mine.done().completeExceptionally(e);
            }
        });
        return mine;
    }

    private static CompletableFuture<Long> check(ExecEngine engine, NodeChannel node, LocalBlob blob,
                                                 CompletableFuture<Void> started) {
        var client = node.client();
        return client.walk(node.path("cache/" + blob.hash()))
                .thenCompose(fid -> client.clunk(fid))
                .handle((v, e) -> e == null ? CompletableFuture.completedFuture(0L)
                        : upload(engine, node, blob, started))
                .thenCompose(f -> f);
    }

    private static CompletableFuture<Long> upload(ExecEngine engine, NodeChannel node, LocalBlob blob,
                                                  CompletableFuture<Void> started) {
        var client = node.client();
        return client.walk(node.path("cache")).thenCompose(dir -> client.create(dir, blob.hash(), 0444,
                        Message.OWRITE)
                .whenComplete((f, e) -> {
                    if (e != null) {
                        client.clunk(dir);
                    } else {
                        started.complete(null);
                    }
                })
                .thenCompose(fid -> engine.uploadMayStart(node).thenCompose(v -> node.writeAndClunk(fid, blob.data())))
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
