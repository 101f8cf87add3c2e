package org.gproc.daemon.relay;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import org.gproc.daemon.proc.BlobCache;
import org.gproc.transport.xcpu.Tokens;
import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ninep.NinePException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Blobs cross each link once: before a ctl write with {@code link H ...} goes to the child, the child is given H
 * from the relay's own cache, unless it has H already (a walk to {@code cache/H} on the child says so). While the
 * relay's own upload of H is still arriving, the push reads the growing upload and follows it (cut-through); if
 * that upload fails, the push is abandoned (the child publishes nothing) and the ctl write fails with the reason.
 * A blob the relay neither holds nor is receiving is not the relay's business: the write goes on unchanged. One
 * push per blob per child, however many sessions and users link it.
 */
final class BlobFeeder {
    /** At debug: when each push to a child began, its create was answered, its bytes were sent, it was held. */
    private static final Logger LOG = LoggerFactory.getLogger(BlobFeeder.class);
    /** Writes of one push that may be in flight at once. */
    private static final int WINDOW = 8;

    /** Where blobs come from, and what the pushes count (per relay). */
    interface Source {
        BlobCache cache() throws NinePException;

        void pushed(long bytes);
    }

    private final ChildLink link;
    private final Source source;
    private final Map<String, Push> given = new ConcurrentHashMap<>();

    BlobFeeder(ChildLink link, Source source) {
        this.link = link;
        this.source = source;
    }

    /**
     * Completes when every blob a ctl write at {@code path} links is on the child (at once for other files). A write
     * that goes on through the child to a child of its own ({@code n/...}: the child is a relay) only waits for the
     * child's upload to have begun: that relay feeds its own children from the upload while it still arrives (so the
     * bytes cut through every level, not only the first), and fails the write itself if the upload fails.
     */
    CompletableFuture<Void> beforeWrite(List<String> path, byte[] data) {
        if (path.isEmpty() || !(path.get(path.size() - 1).equals("ctl") || path.get(path.size() - 1).equals("clone"))) {
            return CompletableFuture.completedFuture(null);
        }
        Set<String> hashes = linked(new String(data, StandardCharsets.UTF_8));
        if (hashes.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        boolean onward = path.get(0).equals("n");
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String h : hashes) {
            Push p = push(h);
            all.add(onward ? p.started() : p.done());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /**
     * The blobs of the {@code link H path mode} lines of a ctl write, and of {@code feed NAME H} lines (a write to a
     * child relay's {@code n/ctl}); lines that do not parse are the child's.
     */
    static Set<String> linked(String text) {
        Set<String> hashes = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            try {
                List<String> tokens = Tokens.tokenize("ctl", line);
                if (tokens.size() >= 2 && tokens.get(0).equals("link")) {
                    BlobCache.checkName(tokens.get(1));
                    hashes.add(tokens.get(1));
                } else if (tokens.size() == 3 && tokens.get(0).equals(RelayVerb.FEED.word())) {
                    BlobCache.checkName(tokens.get(2)); // the child is a relay asked to feed its own child
                    hashes.add(tokens.get(2));
                }
            } catch (NinePException notOurs) {
                // the child reports it
            }
        }
        return hashes;
    }

    /** Makes sure the child holds {@code hash} (pushing it from the relay's cache once); see the class comment. */
    CompletableFuture<Void> give(String hash) {
        return push(hash).done();
    }

    /** One push of a blob to the child: {@code started} once its upload there has begun, {@code done} once held. */
    record Push(CompletableFuture<Void> started, CompletableFuture<Void> done) {
    }

    private Push push(String hash) {
        Push push = given.computeIfAbsent(hash, this::begin);
        push.done().whenComplete((v, e) -> {
            if (e != null) {
                given.remove(hash, push); // the next link of it tries again
            }
        });
        return push;
    }

    private Push begin(String hash) {
        CompletableFuture<Void> started = new CompletableFuture<>();
        CompletableFuture<Void> done = send(hash, started);
        done.whenComplete((v, e) -> { // also when the child had it, or there was nothing to send
            if (e != null) {
                started.completeExceptionally(e);
            } else {
                started.complete(null);
            }
        });
        return new Push(started, done);
    }

    private CompletableFuture<Void> send(String hash, CompletableFuture<Void> started) {
        BlobCache cache;
        try {
            cache = source.cache();
        } catch (NinePException e) {
            return CompletableFuture.failedFuture(e);
        }
        BlobCache.Arriving arriving = cache.arriving(hash);
        Path held = arriving == null ? cache.file(hash) : null;
        if (arriving == null && held == null) {
            return CompletableFuture.completedFuture(null);
        }
        long t0 = System.nanoTime();
        LOG.debug("push cache/{} to {}: begun ({})", hash, link.name(),
                arriving != null ? "cut-through, " + arriving.received() + " bytes here so far" : "held");
        return link.ownRoot().thenCompose(root -> {
            NinePClient client = root.client();
            return client.walkPart(root, List.of("cache", hash)).thenCompose(w -> {
                if (w.fid() != null) { // the child has it already
                    client.clunk(w.fid());
                    return CompletableFuture.<Void>completedFuture(null);
                }
                return client.walk(root, "cache").thenCompose(dir -> client.create(dir, hash, 0444, Message.OWRITE))
                        .whenComplete((fid, e) -> {
                            if (fid != null) {
                                LOG.debug("push cache/{} to {}: created after {} ms", hash, link.name(),
                                        (System.nanoTime() - t0) / 1_000_000);
                                started.complete(null);
                            }
                        })
                        .thenCompose(fid -> new Stream(client, fid, hash, arriving != null ? arriving
                                : complete(held)).run());
            });
        }).handle((v, e) -> {
            if (e != null) {
                Throwable c = ChildLink.cause(e);
                throw new CompletionException(link.failure("push of cache/" + hash
                        + " failed: " + c.getMessage()));
            }
            LOG.debug("push cache/{} to {}: held after {} ms", hash, link.name(), (System.nanoTime() - t0) / 1_000_000);
            return v;
        });
    }

    /** A blob the relay holds whole, seen as an upload that has finished arriving. */
    private static BlobCache.Arriving complete(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            size = -1;
        }
        long length = size;
        return new BlobCache.Arriving() {
            @Override
            public long received() {
                return length;
            }

            @Override
            public byte[] read(long offset, int max) throws IOException {
                try (var in = FileChannel.open(file)) {
                    ByteBuffer b = ByteBuffer.allocate((int) Math.min(max, length - offset));
                    while (b.hasRemaining() && in.read(b, offset + b.position()) >= 0) {
                        // keep reading
                    }
                    return Arrays.copyOf(b.array(), b.position());
                }
            }

            @Override
            public void onProgress(Runnable r) {
            }

            @Override
            public CompletableFuture<Long> finished() {
                return length < 0 ? CompletableFuture.failedFuture(new IOException("cache: " + file + " is gone"))
                        : CompletableFuture.completedFuture(length);
            }
        };
    }

    /** One push: writes follow what has arrived, a few in flight; the clunk makes the child verify and publish. */
    private final class Stream {
        private final NinePClient client;
        private final Fid fid;
        private final String hash;
        private final BlobCache.Arriving from;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final AtomicLong sent = new AtomicLong();
        private long next;      // guarded by this
        private int inFlight;   // guarded by this
        private boolean ending; // guarded by this

        Stream(NinePClient client, Fid fid, String hash, BlobCache.Arriving from) {
            this.client = client;
            this.fid = fid;
            this.hash = hash;
            this.from = from;
        }

        CompletableFuture<Void> run() {
            from.onProgress(this::pump);
            pump();
            return done;
        }

        /** Sends what has arrived and is not sent yet, in offset order (so a child relay can cut through too). */
        private void pump() {
            boolean last;
            synchronized (this) {
                if (ending) {
                    return;
                }
                if (from.finished().isCompletedExceptionally()) {
                    last = true;
                } else {
                    long have = from.received();
                    while (inFlight < WINDOW && next < have) {
                        int n = (int) Math.min(fid.iounit(), have - next);
                        byte[] data;
                        try {
                            data = from.read(next, n);
                        } catch (IOException e) {
                            abandon("cannot read it: " + e.getMessage());
                            return;
                        }
                        if (data.length == 0) {
                            break;
                        }
                        next += data.length;
                        inFlight++;
                        client.write(fid, next - data.length, data).whenComplete((count, e) -> written(data, count, e));
                    }
                    last = inFlight == 0 && next >= have && from.finished().isDone();
                }
                if (last) {
                    ending = true;
                }
            }
            if (last) {
                finish();
            }
        }

        private void written(byte[] data, Integer count, Throwable e) {
            if (e != null || count != data.length) {
                abandon(e != null ? ChildLink.cause(e).getMessage()
                        : "short write: " + count + " of " + data.length + " bytes");
                return;
            }
            sent.addAndGet(data.length);
            synchronized (this) {
                inFlight--;
            }
            pump();
        }

        private void finish() {
            from.finished().whenComplete((size, e) -> {
                if (e != null) {
                    abandon("the relay's own upload of it failed: " + ChildLink.cause(e).getMessage());
                    return;
                }
                client.clunk(fid).whenComplete((v, e2) -> { // the child verifies the hash and publishes
                    if (e2 != null) {
                        done.completeExceptionally(ChildLink.cause(e2));
                    } else {
                        source.pushed(sent.get());
                        done.complete(null);
                    }
                });
            });
        }

        /** The child's upload is clunked short of its bytes, so its hash check fails and it publishes nothing. */
        private void abandon(String why) {
            synchronized (this) {
                if (done.isDone()) {
                    return;
                }
                ending = true;
            }
            if (!fid.isClunked()) {
                client.clunk(fid);
            }
            done.completeExceptionally(new NinePException(why));
        }
    }
}
