package org.gproc.transport.ninep

import groovy.transform.CompileStatic
import org.gproc.transport.ninep.Message.*

import java.nio.ByteBuffer
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * A test's hand-driven end of a 9P conversation. As a client it sends T-messages (or raw bytes) and hands back each
 * reply in arrival order; as a scripted server it {@link #receive}s T-messages and {@link #reply}s. Waits are
 * bounded (10 s by default) and fail the test with a message instead of hanging.
 */
@CompileStatic
class RawPeer implements FrameChannel.Listener, Closeable {
    private static final Object CLOSED = new Object()

    final FrameChannel channel
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>()
    volatile Throwable closeCause
    volatile boolean closed

    RawPeer(FrameChannel channel) {
        this.channel = channel
        channel.start(this)
    }

    @Override
    void onFrame(ByteBuffer frame) {
        inbox.add(Codec.decode(frame, 1 << 24))
    }

    @Override
    void onClose(Throwable cause) {
        closeCause = cause
        closed = true
        inbox.add(CLOSED)
    }

    void send(T m) {
        channel.send(Codec.encode(m))
    }

    void sendRaw(byte[] frame) {
        channel.send(ByteBuffer.wrap(frame))
    }

    void reply(R m) {
        channel.send(Codec.encode(m))
    }

    /** The next reply (this peer as a client). */
    R next(long seconds = 10) {
        (R) receive(seconds)
    }

    /** The next message of either kind. */
    Message receive(long seconds = 10) {
        Object o = inbox.poll(seconds, TimeUnit.SECONDS)
        if (o == null) {
            throw new AssertionError("no 9P message within ${seconds} s".toString())
        }
        if (o.is(CLOSED)) {
            inbox.add(CLOSED)
            throw new AssertionError("the 9P connection closed (${closeCause}) while a message was expected".toString())
        }
        (Message) o
    }

    /** True when a message arrives within {@code millis} (it stays queued for {@link #receive}). */
    boolean hasFrame(long millis) {
        Object o = inbox.poll(millis, TimeUnit.MILLISECONDS)
        if (o == null) {
            return false
        }
        def rest = []
        inbox.drainTo(rest)
        inbox.add(o)
        inbox.addAll(rest)
        !o.is(CLOSED)
    }

    /** Plays the server's side of {@code NinePClient.connect}: Rversion at {@code msize}, then Rattach. */
    void acceptConnect(int msize = 8192, Qid root = new Qid(Qid.QTDIR, 0, 1)) {
        Tversion v = (Tversion) receive()
        reply(new Rversion(v.tag(), Math.min(msize, v.msize()), Message.VERSION_9P2000))
        Tattach a = (Tattach) receive()
        reply(new Rattach(a.tag(), root))
    }

    R rpc(T m) {
        send(m)
        next()
    }

    /** True once the far end has closed the channel (within {@code seconds}); replies still queued are skipped. */
    boolean awaitClose(long seconds = 10) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
        while (!closed) {
            long left = deadline - System.nanoTime()
            if (left <= 0 || inbox.poll(left, TimeUnit.NANOSECONDS) == null) {
                return closed
            }
        }
        true
    }

    Rversion version(int msize = 8192) {
        (Rversion) rpc(new Tversion(Message.NOTAG, msize, Message.VERSION_9P2000))
    }

    Qid attach(int fid, String uname = 'mallory', String aname = '') {
        ((Rattach) rpc(new Tattach(1, fid, Message.NOFID, uname, aname))).qid()
    }

    @Override
    void close() {
        channel.close()
    }
}
