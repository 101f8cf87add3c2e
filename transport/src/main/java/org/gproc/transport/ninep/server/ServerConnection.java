package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.Codec;
import org.gproc.transport.ninep.FrameChannel;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.Message.*;
import org.gproc.transport.ninep.NinePException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client's 9P conversation: frames in, replies out, one fid table. Frames are handled in arrival order by a
 * serial executor (the channel's receiving thread, or whichever thread just finished the work before them);
 * requests the tree answers at once are replied to before the next frame is handled. A request whose future is not
 * done yet (a parked read, a proxied walk) is remembered by tag and answered from whichever thread completes it, so
 * waiting holds no thread; requests naming a fid that such a request is still changing wait behind it
 * ({@link FidOrder}), the others go on.
 *
 * <p>Tflush ordering (flush(5)): an async reply is sent while holding {@link #lock} and only if its tag is still
 * pending; a flush removes the tag under the same lock, so the Rflush always follows any reply already sent and no
 * reply follows the Rflush.
 */
public final class ServerConnection implements FrameChannel.Listener, AutoCloseable {
    static final Logger LOG = LoggerFactory.getLogger(ServerConnection.class);
    private static final int MIN_MSIZE = 256;

    private final String principal;
    private final FrameChannel channel;
    private final int msizeCap;
    private final FidTable fids;
    private final Dispatcher dispatcher;
    private final Object lock = new Object();
    private final Map<Integer, CompletableFuture<R>> pending = new HashMap<>();
    private final Map<Integer, FidOrder.Request> waiting = new HashMap<>(); // by tag; touched in serial tasks only
    private final FidOrder order = new FidOrder(this::start);
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger taskCount = new AtomicInteger();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean ending; // set once, under lock: from then on nothing is sent or parked
    private volatile int msize; // 0 until a Tversion succeeds

    ServerConnection(FileTree tree, String principal, Set<String> trustedRelays, FrameChannel channel, int msizeCap,
                     int maxFids) {
        this.principal = principal;
        this.channel = channel;
        this.msizeCap = msizeCap;
        this.fids = new FidTable(maxFids);
        this.dispatcher = new Dispatcher(tree, principal, trustedRelays, fids);
    }

    /** The authenticated identity this connection serves (from the transport, never from Tattach). */
    public String principal() {
        return principal;
    }

    /** The negotiated msize, 0 before a successful Tversion. */
    public int msize() {
        return msize;
    }

    /** Fids currently held by the client. */
    public int fidCount() {
        return fids.size();
    }

    /** Requests waiting for the file tree (parked reads and the like). */
    public int pendingCount() {
        synchronized (lock) {
            return pending.size();
        }
    }

    /** Completes once the connection has ended and every fid has been clunked. */
    public CompletableFuture<Void> whenClosed() {
        return closed.copy();
    }

    public boolean isOpen() {
        return !ending;
    }

    @Override
    public void onFrame(ByteBuffer frame) {
        serially(() -> handleFrame(frame));
    }

    /**
     * Runs {@code task} after every task submitted before it and never at the same time as another: the first
     * thread to find the queue idle runs tasks until it is empty again.
     */
    private void serially(Runnable task) {
        tasks.add(task);
        if (taskCount.getAndIncrement() != 0) {
            return;
        }
        do {
            Runnable next = tasks.poll();
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.warn("9P connection of {}: request handling failed", principal, e);
            }
        } while (taskCount.decrementAndGet() != 0);
    }

    private void handleFrame(ByteBuffer frame) {
        if (ending) {
            return;
        }
        Message m;
        try {
            m = Codec.decode(frame, msize == 0 ? Math.min(msizeCap, channel.maxFrameSize()) : msize);
        } catch (NinePException e) {
            badFrame(frame, e);
            return;
        }
        if (!(m instanceof T t)) {
            send(new Rerror(m.tag(), Errors.UNEXPECTED_MESSAGE + ": " + m.getClass().getSimpleName()
                    + " is a reply; clients send T-messages"));
        } else if (t instanceof Tversion v) {
            version(v);
        } else if (msize == 0) {
            send(new Rerror(t.tag(), Errors.VERSION_FIRST));
        } else if (t instanceof Tflush f) {
            flush(f);
        } else {
            request(t);
        }
    }

    /** Content errors get an Rerror on the frame's tag; a frame whose size or header cannot be trusted ends us. */
    private void badFrame(ByteBuffer frame, NinePException e) {
        int p = frame.position();
        int have = frame.remaining();
        int limit = msize == 0 ? Math.min(msizeCap, channel.maxFrameSize()) : msize;
        long size = have >= 4 ? Integer.toUnsignedLong(frame.order(ByteOrder.LITTLE_ENDIAN).getInt(p)) : -1;
        if (have >= 7 && size == have && size <= limit) {
            int tag = frame.getShort(p + 5) & 0xFFFF;
            send(new Rerror(tag, e.getMessage()));
            return;
        }
        LOG.warn("9P connection of {}: closing after a framing violation: {}", principal, e.getMessage());
        close();
    }

    /** version(5): negotiate msize, and reset the connection: outstanding requests are aborted, fids clunked. */
    private void version(Tversion v) {
        reset();
        msize = 0;
        long asked = Integer.toUnsignedLong(v.msize());
        String version = v.version();
        if (!version.equals(Message.VERSION_9P2000) && !version.startsWith(Message.VERSION_9P2000 + ".")) {
            send(new Rversion(v.tag(), (int) Math.min(asked, msizeCap), "unknown"));
            return;
        }
        if (asked < MIN_MSIZE) {
            send(new Rerror(v.tag(), Errors.MSIZE_TOO_SMALL + " (" + asked + " < " + MIN_MSIZE + ")"));
            return;
        }
        int negotiated = (int) Math.min(asked, msizeCap);
        dispatcher.msize(negotiated);
        msize = negotiated;
        send(new Rversion(v.tag(), negotiated, Message.VERSION_9P2000));
    }

    /** flush(5): never an Rerror; an unknown or finished oldtag is fine. */
    private void flush(Tflush f) {
        FidOrder.Request held = waiting.remove(f.oldtag());
        if (held != null && order.drop(held)) {
            send(new Rflush(f.tag()));
            return;
        }
        CompletableFuture<R> victim;
        synchronized (lock) {
            victim = pending.remove(f.oldtag());
        }
        if (victim != null) {
            victim.cancel(false);
        }
        send(new Rflush(f.tag()));
    }

    private void request(T t) {
        int tag = t.tag();
        synchronized (lock) {
            if (pending.containsKey(tag) || waiting.containsKey(tag)) {
                send(new Rerror(tag, Errors.DUPLICATE_TAG + ": tag " + tag + " is still in flight"));
                return;
            }
        }
        FidOrder.Request r = new FidOrder.Request(t);
        waiting.put(tag, r);
        order.arrive(r);
        if (!r.started && !r.dropped) {
            return; // it waits in its fids' queues
        }
        waiting.remove(tag, r);
    }

    /** Runs one request whose turn has come; called by {@link FidOrder} in a serial task. */
    private void start(FidOrder.Request r) {
        T t = r.t;
        int tag = t.tag();
        waiting.remove(tag, r);
        CompletableFuture<R> reply;
        try {
            reply = dispatcher.handle(t);
        } catch (NinePException | RuntimeException e) {
            send(new Rerror(tag, Dispatcher.errorText(e)));
            settled(r);
            return;
        } finally {
            if (ending) { // a close() raced with this request: clunk whatever it may have added
                fids.clear().forEach(Dispatcher::releaseQuietly);
            }
        }
        if (reply.isDone()) {
            send(encode(tag, reply));
            settled(r);
            return;
        }
        synchronized (lock) {
            if (ending) {
                reply.cancel(false);
                return;
            }
            pending.put(tag, reply);
        }
        reply.whenComplete((v, e) -> {
            ByteBuffer frame = encode(tag, reply);
            synchronized (lock) {
                if (pending.remove(tag, reply)) {
                    channel.send(frame);
                }
            }
            settled(r);
        });
    }

    /** The requests held behind {@code r} may go once its reply is out. */
    private void settled(FidOrder.Request r) {
        if (r.changed.length > 0) {
            serially(() -> order.answered(r));
        }
    }

    private ByteBuffer encode(int tag, CompletableFuture<R> done) {
        R reply;
        try {
            reply = done.join();
        } catch (RuntimeException e) {
            reply = new Rerror(tag, Dispatcher.errorText(e));
        }
        return frame(reply);
    }

    private void send(R reply) {
        send(frame(reply));
    }

    private void send(ByteBuffer frame) {
        if (!ending) {
            channel.send(frame);
        }
    }

    /**
     * Encodes, replacing a reply the client could not accept (larger than msize) by an Rerror saying so. A NUL in an
     * error text (a path the client wrote, quoted back) is shown as {@code \0}, since 9P strings cannot hold it.
     */
    private ByteBuffer frame(R reply) {
        if (reply instanceof Rerror r && r.ename().indexOf('\0') >= 0) { // an error quoting the client's NUL byte
            reply = new Rerror(r.tag(), r.ename().replace("\0", "\\0"));
        }
        ByteBuffer frame;
        try {
            frame = Codec.encode(reply);
        } catch (IllegalArgumentException e) { // the tree handed us something 9P cannot carry
            return Codec.encode(new Rerror(reply.tag(), Errors.INTERNAL + ": " + e.getMessage()));
        }
        int limit = msize == 0 ? msizeCap : msize;
        if (frame.remaining() > limit) {
            frame = Codec.encode(new Rerror(reply.tag(), reply.getClass().getSimpleName() + " of "
                    + frame.remaining() + " bytes exceeds msize " + limit));
        }
        return frame;
    }

    /** Aborts every outstanding request (no replies) and clunks every fid. */
    private void reset() {
        order.clear();
        waiting.clear();
        List<CompletableFuture<R>> aborted;
        synchronized (lock) {
            aborted = new ArrayList<>(pending.values());
            pending.clear();
        }
        aborted.forEach(f -> f.cancel(false));
        fids.clear().forEach(Dispatcher::releaseQuietly);
    }

    @Override
    public void onClose(Throwable cause) {
        if (cause != null) {
            LOG.debug("9P connection of {} ended: {}", principal, cause.toString());
        }
        shutdown();
    }

    /** Ends the connection: outstanding requests are cancelled, every fid is clunked, the channel is closed. */
    @Override
    public void close() {
        shutdown();
        channel.close();
    }

    private void shutdown() {
        synchronized (lock) {
            if (ending) {
                return;
            }
            ending = true;
        }
        serially(() -> {
            reset();
            closed.complete(null);
        });
    }
}
