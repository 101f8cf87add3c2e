package org.gproc.transport.ninep

import groovy.transform.CompileStatic
import org.gproc.transport.ninep.Message.*

import java.nio.ByteBuffer

/**
 * A {@link FrameChannel} wrapper that records every message passing through it, in both directions, and the
 * most Twrites and Treads that were ever in flight at once (to show pipelining).
 */
@CompileStatic
class TapChannel implements FrameChannel {
    final FrameChannel inner
    private final List<Message> sentLog = new ArrayList<>()
    private final List<Message> receivedLog = new ArrayList<>()
    private final List<Message> handledLog = new ArrayList<>()
    private int writesOut, readsOut
    int maxWritesOut, maxReadsOut

    TapChannel(FrameChannel inner) {
        this.inner = inner
    }

    @Override
    void start(FrameChannel.Listener listener) {
        inner.start(new FrameChannel.Listener() {
            @Override
            void onFrame(ByteBuffer frame) {
                Message m = Codec.decode(frame, 1 << 24)
                record(receivedLog, m)
                listener.onFrame(frame)
                handled(m)
            }

            @Override
            void onClose(Throwable cause) {
                listener.onClose(cause)
            }
        })
    }

    @Override
    void send(ByteBuffer frame) {
        record(sentLog, Codec.decode(frame, 1 << 24))
        inner.send(frame)
    }

    /** What was sent so far (a copy). */
    synchronized List<Message> getSent() {
        new ArrayList<>(sentLog)
    }

    /** What was received so far (a copy). */
    synchronized List<Message> getReceived() {
        new ArrayList<>(receivedLog)
    }

    /** What the wrapped listener has finished handling so far (a copy): a reply here has had all its effects. */
    synchronized List<Message> getHandled() {
        new ArrayList<>(handledLog)
    }

    private synchronized void handled(Message m) {
        handledLog << m
    }

    private synchronized void record(List<Message> log, Message m) {
        log << m
        if (m instanceof Twrite) {
            maxWritesOut = Math.max(maxWritesOut, ++writesOut)
        } else if (m instanceof Rwrite) {
            writesOut--
        } else if (m instanceof Tread) {
            maxReadsOut = Math.max(maxReadsOut, ++readsOut)
        } else if (m instanceof Rread) {
            readsOut--
        }
    }

    public <M extends Message> List<M> sentOf(Class<M> type) {
        sent.findAll { type.isInstance(it) }.collect { type.cast(it) }
    }

    @Override
    int maxFrameSize() {
        inner.maxFrameSize()
    }

    @Override
    void close() {
        inner.close()
    }
}
