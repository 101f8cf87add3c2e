package org.gproc.transport.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.sshd.common.io.IoInputStream;
import org.apache.sshd.common.io.IoOutputStream;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelDataReceiver;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.AsyncCommand;
import org.gproc.transport.ninep.FrameChannel;
import org.gproc.transport.ninep.FrameReader;
import org.gproc.transport.ninep.NinePException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code xcpu@gproc} channel on the server, built the way sshd-sftp's {@code SftpSubsystem} is: the channel's
 * data receiver re-frames the byte stream and queues whole frames without consuming window; a worker on the shared
 * frame executor hands each frame to the listener and only then gives its bytes back to the SSH window; replies go
 * through the channel's async output stream via a queue; {@link #start} returns at once; the exit callback runs
 * exactly once, in every path. A close from either side propagates to the other.
 */
final class XcpuSubsystem implements AsyncCommand, FrameChannel {

    private static final Logger LOG = LoggerFactory.getLogger(XcpuSubsystem.class);

    private final ChannelSession channel;
    private final ConnectionInfo info;
    private final SubsystemHandler handler;
    private final Executor executor;
    private final int maxFrameSize;
    private final FrameReader reader;
    private final FrameInbox inbox;
    private final AtomicBoolean exited = new AtomicBoolean();
    private final String name;
    private volatile FrameOutbox outbox;
    private volatile ExitCallback exitCallback;
    /** An exit decided before SSHD handed us the exit callback (guarded by this). */
    private Runnable pendingExit;

    XcpuSubsystem(ChannelSession channel, ConnectionInfo info, SubsystemHandler handler, Executor executor,
            int maxFrameSize) {
        this.channel = channel;
        this.info = info;
        this.handler = handler;
        this.executor = executor;
        this.maxFrameSize = maxFrameSize;
        this.name = "xcpu@gproc[" + info.principal() + " " + info.remoteAddress().getAddress().getHostAddress() + ":"
                + info.remoteAddress().getPort() + "->:" + info.localPort() + "]";
        this.reader = new FrameReader(maxFrameSize);
        long highWater = 4L * maxFrameSize;
        this.inbox = new FrameInbox(name, executor, this::outboundPending, highWater, this::releaseWindow,
                this::ended, this::batch);
        channel.setDataReceiver(new Receiver());
        channel.setExtendedDataWriter(new ChannelDataReceiver() {
            @Override
            public int data(ChannelSession ch, byte[] buf, int start, int len) {
                return len; // clients have no business sending stderr data; consume and ignore it
            }

            @Override
            public void close() {
            }
        });
    }

    @Override
    public FrameChannel.Batch batch() {
        FrameOutbox o = outbox;
        return o == null ? FrameChannel.Batch.NONE : o.hold();
    }

    // --- AsyncCommand: wiring by ChannelSession ---

    @Override
    public void setIoOutputStream(IoOutputStream out) {
        this.outbox = new FrameOutbox(out, channel.getRemoteWindow().getPacketSize(), this::writeFailed,
                2L * maxFrameSize, inbox::resume);
    }

    @Override
    public void setIoErrorStream(IoOutputStream err) {
    }

    @Override
    public void setIoInputStream(IoInputStream in) {
    }

    @Override
    public void setInputStream(InputStream in) {
    }

    @Override
    public void setOutputStream(OutputStream out) {
    }

    @Override
    public void setErrorStream(OutputStream err) {
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        Runnable pending;
        synchronized (this) {
            this.exitCallback = callback;
            pending = pendingExit;
            pendingExit = null;
        }
        if (pending != null) {
            // SSHD replays data that arrived before the subsystem was wired up *before* it sets the exit callback;
            // a framing error found then ends the channel from here, off the wiring code path.
            runAsync(pending);
        }
    }

    @Override
    public void start(ChannelSession ch, Environment env) {
        LOG.debug("{}: subsystem started", name);
        try {
            executor.execute(this::openHandler);
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: server is shutting down", name);
            exit(1, "server is shutting down");
        }
    }

    @Override
    public void destroy(ChannelSession ch) {
        // The channel is closing (peer closed it, the session dropped, or our own exit completed).
        inbox.end(null);
        abortOutbox();
        exited.set(true);
    }

    // --- FrameChannel: what the 9P server sees ---

    @Override
    public void start(Listener listener) {
        inbox.start(listener);
    }

    @Override
    public void send(ByteBuffer frame) {
        FrameOutbox o = outbox;
        if (o != null) {
            o.send(frame);
        }
    }

    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * Orderly close from our side: frames already received are still delivered, then the listener's
     * onClose(null), then queued replies go out and the channel closes.
     */
    @Override
    public void close() {
        inbox.close();
    }

    /**
     * The channel's data receiver, called on the session's I/O thread one call at a time: re-frames, queues, and
     * consumes no window (that happens per frame, after processing). Its close() is the peer's EOF.
     */
    private final class Receiver implements ChannelDataReceiver {
        @Override
        public int data(ChannelSession ch, byte[] buf, int start, int len) {
            if (inbox.endQueued()) {
                return len; // nobody will process it; give the window back so the peer is not stuck
            }
            try {
                reader.feed(buf, start, len, inbox::offer);
            } catch (NinePException e) {
                LOG.warn("{}: closing: {}", name, e.getMessage());
                inbox.end(e);
                abortOutbox();
                exit(1, e.getMessage());
            }
            return 0;
        }

        /** The peer sent EOF: no more requests will come; frames already received are still processed. */
        @Override
        public void close() {
            inbox.end(null);
        }
    }

    // --- internals ---

    private void openHandler() {
        try {
            handler.open(info, this);
        } catch (Throwable t) {
            LOG.warn("{}: subsystem handler failed, closing the channel: {}", name, t.toString());
            inbox.end(t);
            abortOutbox();
            exit(1, "subsystem handler failed");
        }
    }

    private long outboundPending() {
        FrameOutbox o = outbox;
        return o == null ? 0 : o.pendingBytes();
    }

    private void releaseWindow(int bytes) {
        try {
            channel.getLocalWindow().release(bytes);
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: window release after close: {}", name, e.toString());
        }
    }

    /** The listener has had its onClose: let queued replies go out, then end the channel. */
    private void ended(Throwable cause) {
        FrameOutbox o = outbox;
        if (cause != null || o == null) {
            abortOutbox();
            exit(cause == null ? 0 : 1, cause == null ? "" : String.valueOf(cause.getMessage()));
            return;
        }
        o.shutdown();
        o.whenDrained(() -> exit(0, ""));
    }

    private void writeFailed(Throwable cause) {
        LOG.debug("{}: write failed: {}", name, cause.toString());
        inbox.end(cause instanceof IOException ? cause : new IOException(cause));
    }

    private void abortOutbox() {
        FrameOutbox o = outbox;
        if (o != null) {
            o.abort();
        }
    }

    /**
     * Ends the channel through SSHD's exit callback: EOF, exit-status, then a graceful close (CHANNEL_CLOSE is sent
     * and SSHD closes for good after its close timeout even if the peer never answers). An immediate close would
     * not tell the peer at all.
     */
    private void exit(int code, String message) {
        if (!exited.compareAndSet(false, true)) {
            return;
        }
        ExitCallback cb;
        synchronized (this) {
            cb = exitCallback;
            if (cb == null) {
                pendingExit = () -> exitCallback.onExit(code, message, false);
                return;
            }
        }
        cb.onExit(code, message, false);
    }

    private void runAsync(Runnable r) {
        try {
            executor.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }
}
