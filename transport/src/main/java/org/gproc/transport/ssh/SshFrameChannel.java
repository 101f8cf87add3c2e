package org.gproc.transport.ssh;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.io.IoInputStream;
import org.apache.sshd.common.io.IoReadFuture;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.gproc.transport.ninep.FrameChannel;
import org.gproc.transport.ninep.FrameReader;
import org.gproc.transport.ninep.NinePException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client end of one {@code xcpu@gproc} channel: one SSH connection to one node, carrying whole 9P frames.
 * Frames from the node are re-framed from the channel's async stream and handed to the listener one at a time, in
 * order, on the connector's frame executor; the stream is read further only while the listener keeps up, so the
 * SSH window bounds what a node can make us buffer. {@link #send} queues and never blocks. {@link #close} delivers
 * the frames already received, then {@code onClose(null)}, sends what is queued and closes the connection. If the
 * node ends the channel, the listener gets {@code onClose} - null when the node exited with status 0, otherwise an
 * {@link IOException} naming the node and what happened. Closing the connector counts as an orderly local close.
 */
public final class SshFrameChannel implements FrameChannel {

    private static final Logger LOG = LoggerFactory.getLogger(SshFrameChannel.class);

    /*
     * Read sizes from the channel's async stream: an idle connection holds a small buffer, and one that fills it
     * gets one twice as large for its next read, up to the largest. A control node holds thousands of mostly idle
     * connections, where a 64 KiB buffer each was a fifth of the client's heap per node.
     */
    private static final int FIRST_READ = 4 * 1024;
    private static final int LARGEST_READ = 64 * 1024;
    /** How long a local close waits for queued frames to reach a node that is not reading. */
    private static final long CLOSE_GRACE_SECONDS = 5;

    private final String host;
    private final int port;
    private final ClientSession session;
    private final XcpuClientChannel channel;
    private final int maxFrameSize;
    private final String hostKeyFingerprint;
    private final FrameReader reader;
    private final FrameInbox inbox;
    private final FrameOutbox outbox;
    private final IoInputStream in;
    private final ScheduledExecutorService timer;
    private final BooleanSupplier connectorClosed;
    private volatile ByteArrayBuffer readBuffer = new ByteArrayBuffer(FIRST_READ, false);
    private final AtomicLong unprocessed = new AtomicLong();
    private final AtomicBoolean readPaused = new AtomicBoolean();
    private final AtomicBoolean localClose = new AtomicBoolean();
    /** Counts the two events that end the stream: read reached EOF, and the channel is closed. */
    private final AtomicInteger endEvents = new AtomicInteger();

    SshFrameChannel(String host, int port, ClientSession session, XcpuClientChannel channel, Executor executor,
            ScheduledExecutorService timer, BooleanSupplier connectorClosed, int maxFrameSize) {
        this.host = host;
        this.port = port;
        this.session = session;
        this.channel = channel;
        this.timer = timer;
        this.connectorClosed = connectorClosed;
        this.maxFrameSize = maxFrameSize;
        this.hostKeyFingerprint = Keys.fingerprint(session.getServerKey());
        this.reader = new FrameReader(maxFrameSize);
        String name = "xcpu@gproc[" + host + ":" + port + "]";
        this.inbox = new FrameInbox(name, executor, () -> 0L, Long.MAX_VALUE, this::processed, this::ended,
                this::batch);
        this.outbox = new FrameOutbox(channel.getAsyncIn(), channel.getRemoteWindow().getPacketSize(),
                this::writeFailed, Long.MAX_VALUE, null);
        this.in = channel.getAsyncOut();
        channel.addCloseFutureListener(f -> endEvent());
        readMore();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The {@code SHA256:} fingerprint of the host key this node proved (and known_hosts vouched for). */
    public String hostKeyFingerprint() {
        return hostKeyFingerprint;
    }

    public boolean isOpen() {
        return channel.isOpen() && !inbox.endQueued();
    }

    @Override
    public void start(Listener listener) {
        inbox.start(listener);
    }

    @Override
    public void send(ByteBuffer frame) {
        outbox.send(frame);
    }

    @Override
    public FrameChannel.Batch batch() {
        return outbox.hold();
    }

    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    @Override
    public void close() {
        if (localClose.compareAndSet(false, true)) {
            inbox.close();
        }
    }

    ClientSession session() {
        return session;
    }

    /** Bytes queued towards the node and not yet written (waiting for the SSH window). */
    long pendingOutboundBytes() {
        return outbox.pendingBytes();
    }

    @Override
    public String toString() {
        return "SshFrameChannel[" + host + ":" + port + ", " + hostKeyFingerprint + "]";
    }

    // --- reading ---

    private void readMore() {
        // clear() would also zero the whole buffer on every read (SSHD's wipe for secret-holding buffers); this one
        // only ever holds 9P replies, which FrameReader has already copied out into frames.
        ByteArrayBuffer b = readBuffer;
        b.clear(false);
        IoReadFuture f;
        try {
            f = in.read(b);
        } catch (RuntimeException e) {
            readEnded(e);
            return;
        }
        f.addListener(this::onRead);
    }

    private void onRead(IoReadFuture f) {
        Throwable failure = f.getException();
        if (failure != null) {
            readEnded(failure);
            return;
        }
        ByteArrayBuffer b = readBuffer;
        int got = f.getRead();
        if (got == b.capacity() && got < LARGEST_READ) {
            readBuffer = new ByteArrayBuffer(Math.min(LARGEST_READ, 2 * got), false); // for the next read
        }
        try {
            reader.feed(b.array(), b.rpos(), got, frame -> {
                unprocessed.addAndGet(frame.remaining());
                inbox.offer(frame);
            });
        } catch (NinePException e) {
            LOG.warn("{}:{}: closing: {}", host, port, e.getMessage());
            inbox.end(new NinePException(host + " port " + port + ": " + e.getMessage(), e));
            return;
        }
        if (unprocessed.get() < readLimit()) {
            readMore();
            return;
        }
        readPaused.set(true);
        if (unprocessed.get() < readLimit() && readPaused.compareAndSet(true, false)) {
            readMore();
        }
    }

    private long readLimit() {
        return 2L * maxFrameSize;
    }

    private void processed(int bytes) {
        if (unprocessed.addAndGet(-bytes) < readLimit() && readPaused.compareAndSet(true, false)) {
            readMore();
        }
    }

    private void readEnded(Throwable failure) {
        if (!(failure instanceof EOFException)) {
            LOG.debug("{}:{}: read ended: {}", host, port, failure.toString());
        }
        endEvent();
    }

    /** Both the read side and the channel must be done before the end is queued, so no received frame is lost. */
    private void endEvent() {
        if (endEvents.incrementAndGet() == 2) {
            inbox.end(localClose.get() || connectorClosed.getAsBoolean() ? null : remoteEndCause());
        }
    }

    private IOException remoteEndCause() {
        Integer status = channel.getExitStatus();
        if (status != null && status == 0) {
            return null;
        }
        return new IOException(host + " port " + port + ": " + (status != null
                ? "the node closed the channel with exit status " + status
                : "the connection ended without the node closing the channel"));
    }

    // --- ending ---

    private void writeFailed(Throwable cause) {
        inbox.end(new IOException(host + " port " + port + ": write failed: " + cause.getMessage(), cause));
    }

    /** The listener has had onClose: flush what is queued (briefly), then close the channel and the connection. */
    private void ended(Throwable cause) {
        if (cause != null) {
            outbox.abort();
            session.close(true);
            return;
        }
        outbox.shutdown();
        ScheduledFuture<?> forced;
        try {
            forced = timer.schedule(() -> session.close(true), CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException connectorClosed) {
            // the connector is closing (its timer has stopped) and closes every session itself: close this one now
            session.close(true);
            return;
        }
        outbox.whenDrained(() -> {
            channel.close(false).addListener(f -> session.close(false));
            session.addCloseFutureListener(f -> forced.cancel(false));
        });
    }

    /** The subsystem channel, which also reports whether the node accepted the subsystem request. */
    static final class XcpuClientChannel extends ChannelSubsystem {
        final CompletableFuture<Boolean> accepted = new CompletableFuture<>();

        XcpuClientChannel() {
            super(SshNodeServer.SUBSYSTEM);
            addCloseFutureListener(f -> accepted.complete(false));
        }

        @Override
        public void handleSuccess() throws IOException {
            super.handleSuccess();
            accepted.complete(true);
        }

        @Override
        public void handleFailure() throws IOException {
            accepted.complete(false);
            super.handleFailure();
        }
    }
}
