package org.gproc.transport.ninep;

import org.gproc.transport.ninep.Message.R;
import org.gproc.transport.ninep.Message.T;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The client's half of 9P multiplexing: tags, the table of requests in flight, Tflush on cancel, and failing
 * everything when the channel ends. One lock guards the table and every send, so a Tflush can never overtake the
 * request it flushes. Replies are delivered (futures completed) on the channel's receiving thread, outside the lock.
 */
final class Multiplexer implements FrameChannel.Listener {
    private static final int TAGS = Message.NOTAG; // 0 … 0xFFFE; NOTAG belongs to Tversion

    /** Turns the reply into the caller's value; it runs for every reply, Rerror included. */
    interface ReplyHandler<V> {
        V apply(R reply) throws NinePException;
    }

    /** One request in flight; it is also the future handed to the caller, so cancel() can send the Tflush. */
    static final class Call<V> extends CompletableFuture<V> {
        private final Multiplexer mux;
        private final T request;
        private final ReplyHandler<V> handler;
        private final boolean flushable;
        private final Call<?> flushTarget;  // for a Tflush: the request it flushes
        Consumer<V> abandoned = v -> {};  // a reply came after the caller cancelled: undo what it created
        Runnable flushed = () -> {};      // the server confirmed the flush before replying: nothing happened
        private ByteBuffer frame;
        private int tag = -1;             // tag, replied and flushing are guarded by mux.lock
        private boolean replied;
        private boolean flushing;

        Call(Multiplexer mux, T request, boolean flushable, ReplyHandler<V> handler) {
            this(mux, request, flushable, handler, null);
        }

        private Call(Multiplexer mux, T request, boolean flushable, ReplyHandler<V> handler, Call<?> flushTarget) {
            this.mux = mux;
            this.request = request;
            this.flushable = flushable;
            this.handler = handler;
            this.flushTarget = flushTarget;
        }

        /** Cancelling sends a Tflush for the request (unless its reply is in); its tag is reused after the Rflush. */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                mux.cancelled(this);
            }
            return cancelled;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }

        @Override
        public String toString() {
            return request.getClass().getSimpleName() + " " + super.toString();
        }
    }

    private final FrameChannel channel;
    private final Object lock = new Object();
    /*
     * The tag table grows with use: a connection's table starts at a few entries and doubles up to 65,535, because
     * a full-size table and free list cost 512 KB per connection, most of a control node's heap at thousands of
     * idle nodes. Tags below `unused` have been handed out at least once; those given back wait in freeTags.
     */
    private static final int INITIAL_TAGS = 16;
    private Call<?>[] calls = new Call<?>[INITIAL_TAGS];
    private Call<?> versionCall; // the Tversion in flight, under NOTAG
    private int[] freeTags = new int[INITIAL_TAGS];
    private int freeCount;
    private int unused;
    private final ArrayDeque<Call<?>> waitingForTag = new ArrayDeque<>();
    private IOException failure; // set once: the connection is over
    private volatile int msize;

    Multiplexer(FrameChannel channel, int msize) {
        this.channel = channel;
        this.msize = msize;
    }

    void msize(int negotiated) {
        msize = negotiated;
    }

    /** Sends {@code request} (its tag is assigned here; the record's tag is ignored) and returns its future. */
    <V> Call<V> call(T request, boolean flushable, ReplyHandler<V> handler) {
        return submit(new Call<>(this, request, flushable, handler));
    }

    /** As {@link #call(T, boolean, ReplyHandler)}, for a request already encoded into {@code frame} (any tag). */
    <V> Call<V> call(T request, ByteBuffer frame, boolean flushable, ReplyHandler<V> handler) {
        Call<V> c = new Call<>(this, request, flushable, handler);
        c.frame = frame;
        return submit(c);
    }

    <V> Call<V> submit(Call<V> c) {
        try {
            if (c.frame == null) {
                c.frame = Codec.encode(c.request);
            }
        } catch (IllegalArgumentException e) { // e.g. a name holding NUL: it never reaches the server
            c.flushed.run();
            c.completeExceptionally(e);
            return c;
        }
        IOException dead;
        synchronized (lock) {
            dead = failure;
            if (dead == null) {
                if (c.request instanceof Message.Tversion) {
                    send(c, Message.NOTAG);
                } else {
                    sendOrQueue(c);
                }
            }
        }
        if (dead != null) {
            c.completeExceptionally(new IOException(dead.getMessage(), dead));
        }
        return c;
    }

    /**
     * Sends {@code batch} in order with nothing else in between (a pipeline). If one request cannot be encoded, none
     * is sent, every call fails with that error, and the result is false.
     */
    boolean submitAll(List<Call<?>> batch) {
        for (Call<?> c : batch) {
            try {
                c.frame = Codec.encode(c.request);
            } catch (IllegalArgumentException e) {
                for (Call<?> undone : batch) {
                    undone.frame = null;
                    undone.completeExceptionally(e);
                }
                return false;
            }
        }
        IOException dead;
        synchronized (lock) {
            dead = failure;
            if (dead == null) {
                for (Call<?> c : batch) {
                    sendOrQueue(c); // a request that waits for a tag goes behind those already waiting: order holds
                }
            }
        }
        if (dead != null) {
            for (Call<?> c : batch) {
                c.completeExceptionally(new IOException(dead.getMessage(), dead));
            }
        }
        return true;
    }

    /** Under lock: sends {@code c} with a free tag, or queues it until a tag comes back. */
    private void sendOrQueue(Call<?> c) {
        int tag = takeTag();
        if (tag >= 0) {
            send(c, tag);
        } else {
            waitingForTag.add(c);
        }
    }

    /** Under lock: a tag given back earlier (the latest first), else the lowest never used, else -1. */
    private int takeTag() {
        if (freeCount > 0) {
            return freeTags[--freeCount];
        }
        if (unused == TAGS) {
            return -1;
        }
        if (unused == calls.length) {
            calls = Arrays.copyOf(calls, Math.min(TAGS, calls.length * 2));
        }
        return unused++;
    }

    /** Under lock: the request in flight under {@code tag}, or null (also for a tag never handed out). */
    private Call<?> inFlight(int tag) {
        return tag == Message.NOTAG ? versionCall : tag < calls.length ? calls[tag] : null;
    }

    /** Under lock: puts the tag into the frame (encoded beforehand, outside the lock) and sends it. */
    private void send(Call<?> c, int tag) {
        c.tag = tag;
        if (tag == Message.NOTAG) {
            versionCall = c;
        } else {
            calls[tag] = c;
        }
        ByteBuffer f = c.frame;
        c.frame = null;
        int p = f.position();
        f.put(p + 5, (byte) tag).put(p + 6, (byte) (tag >>> 8));
        channel.send(f);
    }

    /** Under lock: a tag comes back; a request waiting for one goes out with it. */
    private void freeTag(int tag) {
        if (tag == Message.NOTAG) {
            versionCall = null;
            return;
        }
        calls[tag] = null;
        Call<?> next = waitingForTag.poll();
        if (next != null) {
            send(next, tag);
        } else {
            if (freeCount == freeTags.length) {
                freeTags = Arrays.copyOf(freeTags, Math.min(TAGS, freeTags.length * 2));
            }
            freeTags[freeCount++] = tag;
        }
    }

    private void cancelled(Call<?> c) {
        synchronized (lock) {
            if (failure != null || c.replied || c.flushing) {
                return;
            }
            if (c.tag >= 0) {
                if (c.flushable) {
                    c.flushing = true;
                    Call<Void> flush = new Call<>(this, new Message.Tflush(0, c.tag), false, r -> null, c);
                    flush.frame = Codec.encode(flush.request);
                    sendOrQueue(flush);
                }
                return;
            }
            waitingForTag.remove(c); // it never reached the server
        }
        c.flushed.run();
    }

    @Override
    public void onFrame(ByteBuffer frame) {
        Message m;
        try {
            m = Codec.decode(frame, msize);
        } catch (NinePException e) {
            abort("9P server sent an undecodable frame: " + e.getMessage());
            return;
        }
        if (!(m instanceof R r)) {
            abort("9P server sent a request (" + m + ") where replies belong");
            return;
        }
        Call<?> c;
        boolean flushedBeforeReply = false;
        synchronized (lock) {
            int tag = r.tag();
            c = inFlight(tag);
            if (c != null && !c.replied) {
                c.replied = true;
                if (!c.flushing) {
                    freeTag(tag);
                }
                Call<?> target = c.flushTarget;
                if (target != null && inFlight(target.tag) == target) { // the flushed tag may be reused only now
                    flushedBeforeReply = !target.replied;
                    target.replied = true;
                    freeTag(target.tag);
                }
            } else {
                c = null;
            }
        }
        if (c == null) {
            abort("9P server replied " + r + " to tag " + r.tag() + ", which has no request in flight");
            return;
        }
        if (flushedBeforeReply) {
            c.flushTarget.flushed.run();
        }
        deliver(c, r);
    }

    private static <V> void deliver(Call<V> c, R r) {
        V value;
        try {
            value = c.handler.apply(r);
        } catch (NinePException | RuntimeException e) {
            c.completeExceptionally(e);
            return;
        }
        if (!c.complete(value)) {
            c.abandoned.accept(value);
        }
    }

    @Override
    public void onClose(Throwable cause) {
        fail(cause == null ? new IOException("9P connection closed by the server")
                : new IOException("9P connection lost: " + cause.getMessage(), cause));
    }

    /** The server broke the protocol: nothing it says can be trusted any more. */
    private void abort(String why) {
        fail(new IOException(why));
        channel.close();
    }

    /** Fails every request in flight or waiting, and every later one, with {@code cause}. */
    void fail(IOException cause) {
        List<Call<?>> orphans = new ArrayList<>();
        synchronized (lock) {
            if (failure != null) {
                return;
            }
            failure = cause;
            for (int t = 0; t < calls.length; t++) {
                if (calls[t] != null) {
                    orphans.add(calls[t]);
                    calls[t] = null;
                }
            }
            if (versionCall != null) {
                orphans.add(versionCall);
                versionCall = null;
            }
            orphans.addAll(waitingForTag);
            waitingForTag.clear();
        }
        for (Call<?> c : orphans) {
            c.completeExceptionally(new IOException(cause.getMessage(), cause));
        }
    }

    boolean isOpen() {
        synchronized (lock) {
            return failure == null;
        }
    }
}
