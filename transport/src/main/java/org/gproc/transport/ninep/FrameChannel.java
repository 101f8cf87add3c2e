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

    /**
     * Holds back frames sent from now until the returned batch is closed, so they leave together (over SSH: one
     * packet, one encryption and one write instead of one each). Nothing is held past {@link Batch#close()}; batches
     * nest. Use it around a burst of pipelined requests, never around a wait for the peer.
     */
    default Batch batch() {
        return Batch.NONE;
    }

    /** See {@link #batch()}. Closing twice is harmless. */
    interface Batch extends AutoCloseable {
        Batch NONE = () -> {
        };

        @Override
        void close();
    }

    /** The largest frame the far side may send us before msize negotiation narrows it. */
    default int maxFrameSize() {
        return 1 << 20;
    }

    @Override
    void close();
}
