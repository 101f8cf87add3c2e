package org.gproc.transport.ssh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.io.AbstractIoWriteFuture;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * The I/O session of an SSH connection that runs inside a {@link TunnelChannel} instead of a TCP socket: bytes from
 * the channel go to SSHD's session handler, packets the session writes go into the channel in order (the channel
 * takes one write at a time, so the rest wait in a queue). Closing either side closes the other.
 */
final class TunnelIoSession extends AbstractCloseable implements IoSession, TunnelChannel.Sink {

    /** Ids far above the socket sessions' so the two never collide in logs. */
    private static final AtomicLong IDS = new AtomicLong(1L << 40);

    private final long id = IDS.incrementAndGet();
    private final TunnelChannel channel;
    private final IoHandler handler;
    private final IoService service;
    private final SocketAddress remote;
    private final Map<Object, Object> attributes = new ConcurrentHashMap<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by itself
    private boolean writing; // guarded by queue
    private final AtomicBoolean ended = new AtomicBoolean();

    private static final class Written extends AbstractIoWriteFuture {
        Written(Object id) {
            super(id, null);
        }

        void done(Throwable failure) {
            setValue(failure == null ? Boolean.TRUE : failure);
        }
    }

    private record Pending(ByteArrayBuffer bytes, Written future) {
    }

    TunnelIoSession(TunnelChannel channel, IoHandler handler, IoService service, String host, int port) {
        this.channel = channel;
        this.handler = handler;
        this.service = service;
        this.remote = InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public long getId() {
        return id;
    }

    @Override
    public SocketAddress getAcceptanceAddress() {
        return null;
    }

    @Override
    public SocketAddress getRemoteAddress() {
        return remote;
    }

    @Override
    public SocketAddress getLocalAddress() {
        return InetSocketAddress.createUnresolved("tunnel", 0);
    }

    @Override
    public Object getAttribute(Object key) {
        return attributes.get(key);
    }

    @Override
    public Object setAttribute(Object key, Object value) {
        return attributes.put(key, value);
    }

    @Override
    public Object setAttributeIfAbsent(Object key, Object value) {
        return attributes.putIfAbsent(key, value);
    }

    @Override
    public Object removeAttribute(Object key) {
        return attributes.remove(key);
    }

    @Override
    public IoWriteFuture writeBuffer(Buffer buffer) throws IOException {
        Written future = new Written(this);
        if (isClosing()) {
            future.done(new IOException("tunnel to " + channel.description() + " is closed"));
            return future;
        }
        // copy: the caller may reuse its buffer once this returns, and the channel may still be sending
        ByteArrayBuffer copy = new ByteArrayBuffer(buffer.getCompactData());
        synchronized (queue) {
            queue.add(new Pending(copy, future));
            if (writing) {
                return future;
            }
            writing = true;
        }
        writeNext();
        return future;
    }

    private void writeNext() {
        Pending next;
        synchronized (queue) {
            next = queue.poll();
            if (next == null) {
                writing = false;
                return;
            }
        }
        try {
            channel.write(next.bytes()).addListener(f -> {
                next.future().done(f.getException());
                if (f.getException() != null) {
                    failQueued(f.getException());
                    close(true);
                    return;
                }
                writeNext();
            });
        } catch (IOException | RuntimeException e) {
            next.future().done(e);
            failQueued(e);
            close(true);
        }
    }

    private void failQueued(Throwable e) {
        synchronized (queue) {
            Pending p;
            while ((p = queue.poll()) != null) {
                p.future().done(e);
            }
            writing = false;
        }
    }

    @Override
    public IoService getService() {
        return service;
    }

    @Override
    public void shutdownOutputStream() throws IOException {
        channel.close(false);
    }

    @Override
    public void suspendRead() {
        // only port forwarding throttles reads; an SSH session never does
    }

    @Override
    public void resumeRead() {
        // see suspendRead
    }

    @Override
    public void received(byte[] data, int off, int len) throws IOException {
        try {
            handler.messageReceived(this, new ByteArrayBuffer(data, off, len));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    @Override
    public void ended() {
        close(true);
    }

    @Override
    protected void doCloseImmediately() {
        failQueued(new IOException("tunnel to " + channel.description() + " is closed"));
        channel.close(false);
        if (ended.compareAndSet(false, true)) {
            try {
                handler.sessionClosed(this);
            } catch (Exception e) {
                log.debug("sessionClosed({}) failed: {}", this, e.toString());
            }
        }
        super.doCloseImmediately();
    }

    @Override
    public String toString() {
        return "TunnelIoSession[" + id + " to " + channel.description() + "]";
    }
}
