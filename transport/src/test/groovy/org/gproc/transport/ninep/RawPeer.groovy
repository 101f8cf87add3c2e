package org.gproc.transport.ninep

import groovy.transform.CompileStatic
import org.gproc.transport.ninep.Message.*

import java.nio.ByteBuffer
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * A test's hand-driven end of a 9P conversation: sends T-messages (or raw bytes) and hands back each reply in
 * arrival order. Waits are bounded (10 s by default) and fail the test with a message instead of hanging.
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

    R next(long seconds = 10) {
        Object o = inbox.poll(seconds, TimeUnit.SECONDS)
        if (o == null) {
            throw new AssertionError("no 9P reply within ${seconds} s".toString())
        }
        if (o.is(CLOSED)) {
            inbox.add(CLOSED)
            throw new AssertionError("the 9P connection closed (${closeCause}) while a reply was expected".toString())
        }
        (R) o
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
