package org.gproc.transport.ssh;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenSSH's MaxStartups, without the random early drop: at most {@code max} connections per listen port may be
 * accepted and not yet authenticated. A connection beyond that is refused as SSHD creates its session, before our
 * identification string or any key exchange, so a flood of silent or garbage connections costs one accept and one
 * close each and cannot starve the authenticated clients. A slot is freed when its connection authenticates or
 * closes (the auth timeout closes the silent ones). Counted per port because in multi-instance mode every port is
 * a node of its own, as every sshd is.
 */
final class PreAuthLimit implements SessionListener {

    private static final Logger LOG = LoggerFactory.getLogger(SshNodeServer.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    /** The port whose slot this session holds; removed (atomically) when the slot is given back. */
    private static final AttributeKey<Integer> SLOT = new AttributeKey<>();

    private final int max;
    private final ConcurrentHashMap<Integer, AtomicInteger> unauthenticated = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    PreAuthLimit(int max) {
        this.max = max;
    }

    @Override
    public void sessionCreated(Session session) {
        int port = localPort(session);
        AtomicInteger count = unauthenticated.computeIfAbsent(port, p -> new AtomicInteger());
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            long n = dropped.incrementAndGet();
            long now = System.nanoTime();
            long last = lastReport.get();
            if (now - last >= LOG_INTERVAL_NANOS && lastReport.compareAndSet(last, now)) {
                LOG.warn("port {}: {} unauthenticated connections already (maxUnauthenticated): dropped the"
                        + " connection from {}; {} dropped since start (logged at most every 10 s)", port, max,
                        session.getIoSession().getRemoteAddress(), n);
            }
            // thrown from the session's creation: SSHD closes the socket before sending a single byte
            throw new IllegalStateException("port " + port + ": more than " + max
                    + " unauthenticated connections; connection dropped");
        }
        session.setAttribute(SLOT, port);
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.Authenticated) {
            release(session);
        }
    }

    @Override
    public void sessionClosed(Session session) {
        release(session);
    }

    private void release(Session session) {
        Integer port = session.removeAttribute(SLOT);
        if (port != null) {
            unauthenticated.get(port).decrementAndGet();
        }
    }

    /** Connections accepted and not yet authenticated, over every port. */
    int count() {
        return unauthenticated.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Connections refused since start because their port was at the limit. */
    long dropped() {
        return dropped.get();
    }

    private static int localPort(Session session) {
        SocketAddress a = session.getIoSession().getLocalAddress();
        return a instanceof InetSocketAddress isa ? isa.getPort() : -1;
    }
}
