package org.gproc.client.internal.exec;

import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ninep.Stat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** One node's 9P connection with the few file operations the client composes everything from. */
public final class NodeChannel {
    private final String node;
    private final NinePClient client;
    /** Blobs this client has seen in the node's cache/: a second push of them sends nothing. */
    private final Set<String> cachedBlobs = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<Long>> uploads = new ConcurrentHashMap<>();

    public NodeChannel(String node, NinePClient client) {
        this.node = node;
        this.client = client;
    }

    public String node() {
        return node;
    }

    public NinePClient client() {
        return client;
    }

    public boolean isOpen() {
        return client != null && client.isOpen();
    }

    Set<String> cachedBlobs() {
        return cachedBlobs;
    }

    Map<String, CompletableFuture<Long>> uploads() {
        return uploads;
    }

    public CompletableFuture<Fid> open(String path, int mode) {
        return client.walk(path).thenCompose(fid -> client.open(fid, mode)
                .whenComplete((f, e) -> {
                    if (e != null) {
                        client.clunk(fid);
                    }
                }));
    }

    /** The whole file as text (synthetic files such as {@code procs} are read until an empty read). */
    public CompletableFuture<String> readText(String path) {
        return open(path, Message.OREAD).thenCompose(fid -> client.readAll(fid)
                .whenComplete((d, e) -> client.clunk(fid)))
                .thenApply(data -> new String(data, StandardCharsets.UTF_8));
    }

    public CompletableFuture<Void> writeText(String path, String text) {
        return writeBytes(path, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code data} from offset 0 and clunks; a clunk error (the daemon's verdict) fails the future. */
    public CompletableFuture<Void> writeBytes(String path, byte[] data) {
        return open(path, Message.OWRITE).thenCompose(fid -> writeAndClunk(fid, data)).thenApply(n -> null);
    }

    /**
     * Writes all of {@code data} to the open {@code fid}, then clunks it whatever happened; completes with the
     * byte count, or fails with the write's error, else the clunk's (e.g. a cache blob whose hash did not match).
     */
    public CompletableFuture<Long> writeAndClunk(Fid fid, byte[] data) {
        return client.writeAll(fid, 0, data)
                .handle((n, e) -> client.clunk(fid).handle((v, ce) -> {
                    if (e != null || ce != null) {
                        throw Futures.unwrapped(e != null ? e : ce);
                    }
                    return n;
                }))
                .thenCompose(f -> f);
    }

    /** Writes one line to an already open ctl fid. */
    public CompletableFuture<Void> command(Fid ctl, String text) {
        return client.write(ctl, 0, text.getBytes(StandardCharsets.UTF_8)).thenApply(n -> null);
    }

    public CompletableFuture<List<Stat>> list(String path) {
        return open(path, Message.OREAD).thenCompose(fid -> client.readDir(fid)
                .whenComplete((d, e) -> client.clunk(fid)));
    }

    @Override
    public String toString() {
        return node;
    }
}
