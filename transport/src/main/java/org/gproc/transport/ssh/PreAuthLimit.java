package org.gproc.transport.ssh;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenSSH's MaxStartups ({@link MaxStartups}: random early drop from START, all at FULL) and PerSourceMaxStartups,
 * for the connections accepted and not yet authenticated on each listen port. A connection that is dropped is
 * refused as SSHD creates its session, before our identification string or any key exchange, so a flood of silent
 * or garbage connections costs one accept and one close each and cannot starve the authenticated clients. A slot is
 * freed when its connection authenticates or closes (the auth timeout closes the silent ones). Counted per port
 * because in multi-instance mode every port is a node of its own, as every sshd is.
 */
final class PreAuthLimit implements SessionListener {

    private static final Logger LOG = LoggerFactory.getLogger(SshNodeServer.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    /** Set on a connection refused at accept (by this or by {@link SourcePenalties}): it never counts as a try. */
    static final AttributeKey<String> REFUSED = new AttributeKey<>();
    /** The slot this session holds; removed (atomically) when the slot is given back. */
    private static final AttributeKey<Slot> SLOT = new AttributeKey<>();

    private record Slot(int port, String source) {
    }

    private final MaxStartups startups;
    private final int perSource;
    private final SourcePenalties.Netblocks netblocks;
    private final ConcurrentHashMap<Integer, AtomicInteger> unauthenticated = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> bySource = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    /**
     * @param perSource at most this many unauthenticated connections per port from one source netblock; 0 for no
     *                  such limit
     */
    PreAuthLimit(MaxStartups startups, int perSource, SourcePenalties.Netblocks netblocks) {
        this.startups = startups;
        this.perSource = perSource;
        this.netblocks = netblocks;
    }

    @Override
    public void sessionCreated(Session session) {
        int port = localPort(session);
        String source = netblocks.of(session.getIoSession().getRemoteAddress());
        AtomicInteger count = unauthenticated.computeIfAbsent(port, p -> new AtomicInteger());
        int roll = ThreadLocalRandom.current().nextInt(100);
        String why = null;
        while (true) { // a slot is taken only if admitted, so the count never passes FULL, not even for a moment
            int waiting = count.get();
            if (startups.drops(waiting, roll)) {
                why = waiting >= startups.full() ? waiting + " connections are waiting for authentication (full at "
                        + startups.full() + ")" : "random early drop with " + waiting + " waiting (max startups "
                        + startups + ")";
                break;
            }
            if (count.compareAndSet(waiting, waiting + 1)) {
                break;
            }
        }
        boolean counted = false;
        boolean perSourceFull = false;
        if (why == null && perSource > 0 && source != null) {
            boolean[] full = {false};
            bySource.compute(port + " " + source, (k, n) -> {
                int now = n == null ? 0 : n;
                full[0] = now >= perSource;
                return full[0] ? Integer.valueOf(now) : Integer.valueOf(now + 1);
            });
            if (full[0]) {
                why = source + " already has " + perSource + " connections waiting (per-source max startups)";
                perSourceFull = true;
            }
            counted = !full[0];
        }
        if (why != null) {
            if (perSourceFull) {
                count.decrementAndGet();
            }
            session.setAttribute(REFUSED, why);
            long n = dropped.incrementAndGet();
            long now = System.nanoTime();
            long last = lastReport.get();
            if (now - last >= LOG_INTERVAL_NANOS && lastReport.compareAndSet(last, now)) {
                LOG.warn("port {}: dropped the connection from {}: {}; {} dropped since start (logged at most every"
                        + " 10 s)", port, session.getIoSession().getRemoteAddress(), why, n);
            }
            // thrown from the session's creation: SSHD closes the socket before sending a single byte
            throw new IllegalStateException("port " + port + ": " + why + "; connection dropped");
        }
        session.setAttribute(SLOT, new Slot(port, counted ? source : null));
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
        Slot slot = session.removeAttribute(SLOT);
        if (slot != null) {
            unauthenticated.get(slot.port()).decrementAndGet();
            if (slot.source() != null) {
                bySource.computeIfPresent(slot.port() + " " + slot.source(), (k, n) -> n <= 1 ? null : n - 1);
            }
        }
    }

    /** Connections accepted and not yet authenticated, over every port. */
    int count() {
        return unauthenticated.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Connections refused since start by max startups or per-source max startups. */
    long dropped() {
        return dropped.get();
    }

    private static int localPort(Session session) {
        SocketAddress a = session.getIoSession().getLocalAddress();
        return a instanceof InetSocketAddress isa ? isa.getPort() : -1;
    }
}
