package org.gproc.transport.ssh;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.common.channel.StreamingChannel;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * A {@code direct-tcpip} channel opened on a gateway connection, carrying the bytes of another SSH connection (what
 * OpenSSH's ProxyJump does, without a local listening port: the inner connection reads straight from this channel).
 * Data that arrives before the inner connection is attached is kept and delivered on attach. Writes go out through
 * the channel's async stream, one at a time ({@link TunnelIoSession} queues them).
 */
final class TunnelChannel extends ChannelDirectTcpip {

    /** Where arriving bytes go: the inner connection's I/O session. */
    interface Sink {
        void received(byte[] data, int off, int len) throws IOException;

        void ended();
    }

    private final String description;
    private Sink sink; // guarded by this
    private List<byte[]> early = new ArrayList<>(); // guarded by this; null once attached

    TunnelChannel(String host, int port) {
        super(new SshdSocketAddress("localhost", 0), new SshdSocketAddress(host, port));
        this.description = host + ":" + port;
        setStreaming(StreamingChannel.Streaming.Async);
        addCloseFutureListener(f -> end());
    }

    String description() {
        return description;
    }

    /** Starts delivering to {@code s}, first whatever arrived since the channel opened. */
    void attach(Sink s) throws IOException {
        List<byte[]> pending;
        synchronized (this) {
            sink = s;
            pending = early;
            early = null;
        }
        try {
            for (byte[] chunk : pending) {
                s.received(chunk, 0, chunk.length);
            }
        } catch (IOException | RuntimeException e) {
            close(true);
            throw e;
        }
        if (isClosing()) {
            s.ended();
        }
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
        if (isClosing()) {
            return;
        }
        int n = (int) len;
        Sink s;
        synchronized (this) {
            s = sink;
            if (s == null) {
                byte[] copy = new byte[n];
                System.arraycopy(data, off, copy, 0, n);
                early.add(copy);
            }
        }
        if (s != null) {
            try {
                s.received(data, off, n);
            } catch (IOException | RuntimeException e) {
                // the inner connection failed (bad packet, refused key...): end this tunnel, never the gateway's
                // own connection, which other nodes share
                close(true);
                return;
            }
        }
        // the inner connection has taken the bytes; its own channels' windows do the flow control
        getLocalWindow().release(len);
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        close(false);
    }

    private void end() {
        Sink s;
        synchronized (this) {
            s = sink;
        }
        if (s != null) {
            s.ended();
        }
    }

    /** Writes {@code bytes} to the far end; the future completes when the channel has sent them. */
    IoWriteFuture write(ByteArrayBuffer bytes) throws IOException {
        return getAsyncIn().writeBuffer(bytes);
    }
}
