package org.gproc.transport.ninep;

import org.gproc.transport.ninep.Message.*;
import org.gproc.transport.ninep.Multiplexer.Call;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Requests sent back to back, before any reply, so a chain such as walk, open, read, clunk costs one round trip
 * instead of four. This relies on the server handling one connection's requests in order, as Plan 9's servers and
 * ours do (a request names a fid the request before it creates; the walk's Rwalk has not arrived yet).
 *
 * <p>Build the requests, then {@link #send()}: all go out under one lock, so nothing another caller sends can fall
 * between them. A fid walked here is a handle at once; the requests queued behind a walk or open that fails fail
 * with that walk's or open's error (not the server's "unknown fid"). A fid whose walk fails is released by the
 * client; a fid whose open fails is clunked, by the pipeline's own {@link #clunk} when one is queued, else
 * automatically. Reads may be cancelled (Tflush, as with {@link NinePClient}); walk, open, write and clunk may not.
 * Replies complete the futures on the channel's receiving thread: callbacks must not block.
 */
public final class Pipeline {
    private final NinePClient client;
    private final Multiplexer mux;
    private final List<Call<?>> calls = new ArrayList<>();
    private final List<Fid> walked = new ArrayList<>();
    private final List<Fid> clunked = new ArrayList<>();
    private final List<Call<Fid>> opens = new ArrayList<>();
    private final List<Fid> opened = new ArrayList<>();
    private boolean sent;

    Pipeline(NinePClient client, Multiplexer mux) {
        this.client = client;
        this.mux = mux;
    }

    /** Walks from the root along a slash-separated path of at most 16 names. */
    public Fid walk(String path) {
        return walk(client.root(), Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList());
    }

    /** A new fid for {@code from/names...} (at most 16 names); usable by the requests queued after this one. */
    public Fid walk(Fid from, List<String> names) {
        check(from);
        if (names.size() > Message.MAXWELEM) {
            throw new IllegalArgumentException("pipelined walk of " + names.size() + " names (at most "
                    + Message.MAXWELEM + ")");
        }
        int number = client.allocateFid();
        Fid fid = new Fid(client, number, from.qid());
        String path = String.join("/", names);
        calls.add(new Call<Fid>(mux, new Twalk(0, from.number(), number, List.copyOf(names)), false, r -> {
            NinePException failure;
            try {
                List<Qid> qids = NinePClient.expect(r, Rwalk.class, "Twalk").qids();
                if (qids.size() == names.size()) {
                    if (!qids.isEmpty()) {
                        fid.walked(qids.get(qids.size() - 1));
                    }
                    return fid;
                }
                failure = new NinePException("walk '" + path + "': '" + names.get(qids.size())
                        + "' does not exist or is not a directory (file does not exist)");
            } catch (NinePException e) {
                failure = e;
            }
            // walk(5): newfid was not created. Everything naming it has been sent already, so the number is free.
            fid.failed(failure, true);
            client.releaseFid(number);
            throw failure;
        }));
        walked.add(fid);
        return fid;
    }

    /** Opens {@code fid} with a 9P mode; completes with the same handle, now open. */
    public CompletableFuture<Fid> open(Fid fid, int mode) {
        check(fid);
        Call<Fid> call = new Call<>(mux, new Topen(0, fid.number(), mode), false, r -> {
            try {
                Ropen o = expectFor(fid, r, Ropen.class, "Topen");
                fid.opened(mode, o.qid(), client.unit(o.iounit()));
                return fid;
            } catch (NinePException e) {
                fid.failed(e, false);
                throw e;
            }
        });
        calls.add(call);
        opens.add(call);
        opened.add(fid);
        return call;
    }

    /** Up to {@code count} bytes at {@code offset} (the server caps count at msize minus 24). */
    public CompletableFuture<byte[]> read(Fid fid, long offset, int count) {
        check(fid);
        Call<byte[]> call = new Call<>(mux, new Tread(0, fid.number(), offset, Math.min(count, client.maxIo())),
                true, r -> expectFor(fid, r, Rread.class, "Tread").data());
        calls.add(call);
        return call;
    }

    /** Writes {@code data} (at most msize minus 24 bytes) at {@code offset}; completes with the count taken. */
    public CompletableFuture<Integer> write(Fid fid, long offset, byte[] data) {
        check(fid);
        if (data.length > client.maxIo()) {
            throw new IllegalArgumentException("pipelined write of " + data.length + " bytes (at most "
                    + client.maxIo() + ")");
        }
        Call<Integer> call = new Call<>(mux, new Twrite(0, fid.number(), offset, data), false,
                r -> expectFor(fid, r, Rwrite.class, "Twrite").count());
        calls.add(call);
        return call;
    }

    /** Clunks {@code fid}; its error (the server's verdict on what was written) fails the future. */
    public CompletableFuture<Void> clunk(Fid fid) {
        check(fid);
        if (!fid.markClunked()) {
            throw new IllegalStateException(fid + " was already clunked");
        }
        clunked.add(fid);
        Call<Void> call = new Call<>(mux, new Tclunk(0, fid.number()), false, r -> {
            if (!fid.neverCreated()) {
                client.releaseFid(fid.number());
            }
            expectFor(fid, r, Rclunk.class, "Tclunk");
            return null;
        });
        calls.add(call);
        return call;
    }

    /** Sends every request built so far, in order and back to back. A pipeline is sent once. */
    public void send() {
        if (sent) {
            throw new IllegalStateException("pipeline already sent");
        }
        sent = true;
        if (!mux.submitAll(calls)) { // nothing went out (a request could not be encoded): every walk is undone
            for (Fid fid : walked) {
                fid.failed(new NinePException("pipeline not sent"), true);
                client.releaseFid(fid.number());
            }
            return;
        }
        for (int i = 0; i < opens.size(); i++) {
            Fid fid = opened.get(i);
            if (!clunked.contains(fid)) { // a failed open leaves a walked fid that nothing queued here clunks
                opens.get(i).whenComplete((f, e) -> {
                    if (e != null && !fid.neverCreated() && !fid.isClunked()) {
                        client.clunk(fid);
                    }
                });
            }
        }
    }

    private void check(Fid fid) {
        if (sent) {
            throw new IllegalStateException("pipeline already sent");
        }
        if (fid.client() != client) {
            throw new IllegalArgumentException(fid + " belongs to another client");
        }
        if (fid.isClunked()) {
            throw new IllegalStateException(fid + " was already clunked");
        }
    }

    /** As {@link NinePClient#expect}, except that a request behind a failed walk or open reports that failure. */
    private static <X extends R> X expectFor(Fid fid, R reply, Class<X> type, String request) throws NinePException {
        NinePException earlier = fid.failure();
        if (earlier != null && reply instanceof Rerror) {
            throw earlier;
        }
        return NinePClient.expect(reply, type, request);
    }
}
