package org.gproc.transport.ssh;

import org.gproc.transport.ninep.FrameChannel;

/**
 * Serves one {@code xcpu@gproc} channel. Called once per channel, on a frame-executor thread, after the client has
 * authenticated and the subsystem has been accepted.
 */
@FunctionalInterface
public interface SubsystemHandler {

    /**
     * Takes over {@code channel}: call {@link FrameChannel#start} (now, or later from any thread) to receive the
     * client's frames. Must not block. Frames are delivered one at a time, in order, on the server's frame executor;
     * a listener that throws closes the channel. Throwing here closes the channel at once.
     */
    void open(ConnectionInfo info, FrameChannel channel) throws Exception;
}
