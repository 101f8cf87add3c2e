package org.gproc.client.internal.route;

import org.gproc.transport.ninep.FrameChannel;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A frame channel that counts the 9P bytes the client writes on it: the measure of what leaves the control node on
 * each of its links (a push through a relay should cross the link once, not once per node behind it).
 */
public final class CountingChannel implements FrameChannel {
    private final FrameChannel inner;
    private final AtomicLong sent;

    public CountingChannel(FrameChannel inner, AtomicLong sent) {
        this.inner = inner;
        this.sent = sent;
    }

    @Override
    public void start(Listener listener) {
        inner.start(listener);
    }

    @Override
    public void send(ByteBuffer frame) {
        sent.addAndGet(frame.remaining());
        inner.send(frame);
    }

    @Override
    public Batch batch() {
        return inner.batch();
    }

    @Override
    public int maxFrameSize() {
        return inner.maxFrameSize();
    }

    @Override
    public void close() {
        inner.close();
    }
}
