package org.gproc.transport.ninep;

import java.nio.ByteBuffer;

/**
 * A duplex pipe of whole 9P frames, each beginning with its own little-endian size[4]. The SSH subsystem
 * (server side), the SSH client channel and in-process test pipes all look like this to the 9P layers above.
 */
public interface FrameChannel extends AutoCloseable {

    /** Receives frames in order, one at a time, then one {@link #onClose}. */
    interface Listener {
        /** A complete frame (size[4] included). The buffer is only valid during the call. */
        void onFrame(ByteBuffer frame);

        /** The channel ended: {@code cause} is null for an orderly close. Called once. */
        void onClose(Throwable cause);
    }

    /** Begins delivering frames to {@code listener}; called once, before any {@link #send}. */
    void start(Listener listener);

    /**
     * Queues one complete frame for the peer. Thread-safe; never blocks waiting for the peer (it may buffer).
     * The channel takes ownership of the buffer.
     */
    void send(ByteBuffer frame);

    /** The largest frame the far side may send us before msize negotiation narrows it. */
    default int maxFrameSize() {
        return 1 << 20;
    }

    @Override
    void close();
}
