package org.gproc.client.internal.exec;

import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ninep.Pipeline;
import org.gproc.transport.ninep.Stat;
import org.gproc.transport.xcpu.ChildUnreachable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One node's 9P connection with the few file operations the client composes everything from, and the node's spare
 * session.
 *
 * <p>The spare: from the second run on a node on, each run also clones a session for the next one, so a run finds
 * its session ready and sends its whole set-up in one round trip. The spare is an ordinary new session of ours with
 * its {@code clone} fid open on {@code N/ctl}: invisible in {@code procs} (no pid), never reaped while the connection
 * holds the fid, counted against {@code --max-sessions} like any session. {@link #close} wipes it; if this client
 * dies instead, the daemon reaps it a grace period after the connection is gone. A one-shot run makes no spare.
 *
 * <p>Through a relay, a node is the relay's connection plus a path prefix: {@code ""} direct, {@code "n/b17/"} through
 * one relay, {@code "n/r2/n/b17/"} nested. Every path this channel (and {@link SessionProcess}) walks goes through
 * {@link #path}. Blobs for such a node go once to the cache of the node the connection reaches ({@link #blobHome}),
 * whose relay feeds them on to the node when a {@code link} line reaches it; the node's own cache is never walked.
 */
public final class NodeChannel {
    /** A cloned session nobody has used yet: its ctl fid (open ORDWR) and its number. */
    record Spare(Fid ctl, String session) {
    }

    private final String node;
    private final NinePClient client;
    private final String prefix;
    /** Where blobs go: this channel when direct, else the channel of the node the connection reaches. */
    private final NodeChannel blobHome;
    /** The relay this node is reached through (its {@code n/ctl} takes the node's child and feed lines); null when direct. */
    private final NodeChannel relay;
    /** Blobs this client has seen in the node's cache/: a second push of them sends nothing. */
    private final Set<String> cachedBlobs = ConcurrentHashMap.newKeySet();
    private final Map<String, BlobPush.Upload> uploads = new ConcurrentHashMap<>();
    private final AtomicReference<Spare> spare = new AtomicReference<>();
    private final AtomicBoolean cloningSpare = new AtomicBoolean();
    private final AtomicInteger runs = new AtomicInteger();
    /** The link lines of relayed launches that an upload to this (home) channel lets go first. */
    private final LinkGate linkGate = new LinkGate();
    private volatile boolean closed;
    /** Set when the connection was lost: the route found instead, or why there is none. */
    private final CompletableFuture<NodeChannel> successor = new CompletableFuture<>();
    /** Completed with a relay's name when that relay on this node's route lost its own connection onward. */
    private final CompletableFuture<String> brokenAt = new CompletableFuture<>();

    public NodeChannel(String node, NinePClient client) {
        this.node = node;
        this.client = client;
        this.prefix = "";
        this.blobHome = this;
        this.relay = null;
    }

    /**
     * {@code node} through {@code relayed}'s connection at {@code prefix} (e.g. {@code "n/b17/"}); blobs go to the
     * cache of the node at the far end of that connection.
     */
    public NodeChannel(String node, NodeChannel relayed, String prefix) {
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("path prefix '" + prefix + "' must end with '/'");
        }
        this.node = node;
        this.client = relayed.client;
        this.prefix = prefix;
        this.blobHome = relayed.blobHome;
        this.relay = relayed;
    }

    /** {@code relative} in this node's tree, as walked on the connection. */
    public String path(String relative) {
        if (prefix.isEmpty()) {
            return relative;
        }
        String tail = relative.startsWith("/") ? relative.substring(1) : relative;
        return prefix + tail;
    }

    /** The path prefix of this node on its connection: {@code ""} when direct. */
    public String prefix() {
        return prefix;
    }

    /** True when this node is reached through at least one relay. */
    public boolean isRelayed() {
        return !prefix.isEmpty();
    }

    /** The channel of the relay next to this node (whose {@code n/ctl} names it), or null when direct. */
    public NodeChannel relay() {
        return relay;
    }

    /** The channel whose cache receives this node's blobs (itself when direct). */
    public NodeChannel blobHome() {
        return blobHome;
    }

    public String node() {
        return node;
    }

    public NinePClient client() {
        return client;
    }

    /** Whether requests can still reach the node this way: the connection is up and no hop on the route broke. */
    public boolean isOpen() {
        return client != null && client.isOpen() && !brokenAt.isDone();
    }

    /**
     * Looks at a failed request's error: when a relay on this node's route says the next hop's connection was lost
     * ({@link ChildUnreachable}), the route is broken there, and {@link #brokenAt()} says where; any other error is
     * the node's own. Returns whether the route is broken.
     */
    public boolean noticeFailure(Throwable e) {
        if (!isRelayed() || e == null) {
            return !isOpen();
        }
        ChildUnreachable.parse(Futures.message(e)).filter(ChildUnreachable::lost)
                .filter(u -> ("/" + prefix).contains("/n/" + u.child() + "/"))
                .ifPresent(u -> routeBroken(u.child()));
        return !isOpen();
    }

    /** The route through relay {@code hop} is gone (the cluster finds another, see {@link #successor()}). */
    public void routeBroken(String hop) {
        brokenAt.complete(hop);
    }

    /** Completes with the name of the hop whose loss broke this route. */
    public CompletableFuture<String> brokenAt() {
        return brokenAt;
    }

    Set<String> cachedBlobs() {
        return cachedBlobs;
    }

    LinkGate linkGate() {
        return linkGate;
    }

    Map<String, BlobPush.Upload> uploads() {
        return uploads;
    }

    public CompletableFuture<Fid> open(String path, int mode) {
        return client.walk(path(path)).thenCompose(fid -> client.open(fid, mode)
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

    /**
     * What replaces this channel once its connection is lost: another route to the node (its relay died and the node
     * was reached directly instead), or a failure with the reason it is down. Sessions live on the node, so a
     * process whose reads broke continues on the successor from the offsets it had read.
     */
    public CompletableFuture<NodeChannel> successor() {
        return successor;
    }

    /** The node is reached through {@code next} from now on. */
    public void replaceWith(NodeChannel next) {
        successor.complete(next);
    }

    /** The node has no route left: {@code reason} says why. */
    public void lost(String reason) {
        successor.completeExceptionally(new IOException(reason));
    }

    /** The spare session, now the caller's; null if there is none ready. */
    Spare takeSpare() {
        return spare.getAndSet(null);
    }

    /**
     * Counts a run and, from the second on, adds to {@code p} the clone of the next run's session (unless a spare is
     * ready or being cloned already). Cloning then overlaps this run instead of delaying the next.
     */
    void cloneSpare(Pipeline p) {
        if (runs.incrementAndGet() < 2 || closed || spare.get() != null || !cloningSpare.compareAndSet(false, true)) {
            return;
        }
        Fid fid = p.walk(path("clone"));
        p.open(fid, Message.ORDWR);
        p.read(fid, 0, 32).whenComplete((number, e) -> {
            cloningSpare.set(false);
            if (e != null) {
                if (!fid.isClunked()) {
                    client.clunk(fid);
                }
                return;
            }
            Spare made = new Spare(fid, new String(number, StandardCharsets.UTF_8).trim());
            if (closed || !spare.compareAndSet(null, made)) {
                discard(made);
            }
        });
    }

    /** Wipes an unused spare and clunks its fid; nothing waits for either. */
    private void discard(Spare unused) {
        command(unused.ctl(), "wipe\n").whenComplete((v, e) -> client.clunk(unused.ctl()));
    }

    /**
     * Wipes the spare session (the request goes out before the connection closes), then closes the connection unless
     * other nodes share it (a relayed node, or a relay's own channel): {@code Cluster} closes those once.
     */
    public void close() {
        release();
        if (client != null && !isRelayed()) {
            client.close();
        }
    }

    /** Wipes the spare session and leaves the connection open (it is shared). */
    public void release() {
        closed = true;
        Spare unused = spare.getAndSet(null);
        if (unused != null && client.isOpen()) {
            discard(unused);
        }
    }

    @Override
    public String toString() {
        return node;
    }
}
