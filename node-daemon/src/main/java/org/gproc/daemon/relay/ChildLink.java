package org.gproc.daemon.relay;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.server.UnreachableException;
import org.gproc.transport.xcpu.ChildUnreachable;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay's one connection to one child, shared by every user of the relay. Each user principal gets one attach
 * on it, with uname = that principal (the child honours it only if it trusts this relay); every relay fid under
 * {@code /n/NAME/} is a fid walked from that attach, so users never share fids. {@link #feeder} remembers which
 * blobs the child has been given.
 */
final class ChildLink {
    final ChildTarget target;
    private final CompletableFuture<NinePClient> client;
    private final Map<String, CompletableFuture<Fid>> roots = new ConcurrentHashMap<>();
    private final BlobFeeder feeder;
    private final long salt;
    private volatile String lost;
    /** Completes when the connection, once up, has closed. */
    private final CompletableFuture<Void> closedAfterUp = new CompletableFuture<>();

    ChildLink(ChildTarget target, CompletableFuture<NinePClient> client, BlobFeeder.Source blobs) {
        this.target = target;
        this.client = client;
        this.feeder = new BlobFeeder(this, blobs);
        long h = 0xcbf29ce484222325L; // FNV-1a of the name
        for (byte b : target.name().getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        this.salt = h | Long.MIN_VALUE;
        client.whenComplete((c, e) -> {
            if (c != null) {
                c.whenClosed().whenComplete((v, e2) -> {
                    lost = ChildUnreachable.LOST;
                    closedAfterUp.complete(null);
                });
            }
        });
    }

    /** The child's qid as the relay serves it: the path mixed with the child's name (see {@link RemoteEntry}). */
    Qid mix(Qid q) {
        return new Qid(q.type(), q.version(), q.path() ^ salt);
    }

    String name() {
        return target.name();
    }

    /** Completes when the connection to the child, once up, has closed (never if it never came up). */
    CompletableFuture<Void> closedAfterUp() {
        return closedAfterUp;
    }

    /** Completes when the child is connected; fails with the reason it is not (host key, refused, lost). */
    CompletableFuture<NinePClient> connected() {
        if (lost != null) {
            return CompletableFuture.failedFuture(failure(lost));
        }
        return client.handle((c, e) -> {
            if (e != null) {
                throw new CompletionException(failure(cause(e).getMessage()));
            }
            return c;
        });
    }

    /** Whether this link is up or still connecting (a link that failed or was lost can be replaced). */
    boolean inUse() {
        return lost == null && !client.isCompletedExceptionally();
    }

    /** {@code principal}'s attach on the child, made at its first walk into {@code /n/NAME}. */
    CompletableFuture<Fid> rootFor(String principal) {
        CompletableFuture<Fid> root = roots.computeIfAbsent(principal,
                p -> connected().thenCompose(c -> c.attach(p, "")));
        if (root.isCompletedExceptionally()) {
            roots.remove(principal, root); // a refused attach is retried at the next walk
        }
        return root.handle((fid, e) -> {
            if (e != null) {
                Throwable c = cause(e);
                throw new CompletionException(c instanceof NinePException ? c
                        : failure(c.getMessage()));
            }
            return fid;
        });
    }

    /** The relay's own attach (the connection's first), used to push blobs into the child's cache. */
    CompletableFuture<Fid> ownRoot() {
        return connected().thenApply(NinePClient::root);
    }

    BlobFeeder feeder() {
        return feeder;
    }

    NinePException failure(String why) {
        return new UnreachableException(new ChildUnreachable(name(), target.address(), why).message());
    }

    /**
     * {@code request}'s outcome as the relay's client sees it: the child's own 9P errors as they are, anything else
     * (the connection lost, a local failure) as this child being unreachable, with the reason.
     */
    <V> CompletableFuture<V> relayed(CompletableFuture<V> request) {
        CompletableFuture<V> answer = request.handle((v, e) -> {
            if (e == null) {
                return v;
            }
            Throwable c = cause(e);
            throw new CompletionException(c instanceof NinePException ? c
                    : failure(lost != null || closed() ? ChildUnreachable.LOST : String.valueOf(c.getMessage())));
        });
        answer.whenComplete((v, e) -> { // a request flushed at the relay is flushed at the child (a parked read)
            if (e instanceof CancellationException) {
                request.cancel(false);
            }
        });
        return answer;
    }

    /** Whether the connection was up and has closed (its close callback may not have run yet). */
    private boolean closed() {
        return client.isDone() && !client.isCompletedExceptionally() && !client.join().isOpen();
    }

    static Throwable cause(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    void close() {
        client.thenAccept(NinePClient::close);
    }
}
