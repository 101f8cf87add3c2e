package org.gproc.transport.ssh;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces {@link PerSourcePenalties}: remembers, per source netblock, until when it is penalised, adds a connection's
 * penalty when it closes unauthenticated, and refuses new connections from a netblock whose penalty is in force
 * (at accept, before a byte is sent, like {@link PreAuthLimit}). Shared by every listen port: a source that keeps
 * failing on one node of a multi-instance daemon is the same source on the others.
 */
final class SourcePenalties implements SessionListener {

    private static final Logger LOG = LoggerFactory.getLogger(SshNodeServer.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final AttributeKey<Long> OPENED = new AttributeKey<>();

    /** OpenSSH's PerSourceNetBlockSize: how many leading bits of an address make one source. */
    record Netblocks(int v4, int v6) {
        static final Netblocks HOSTS = new Netblocks(32, 128);

        Netblocks {
            if (v4 < 0 || v4 > 32 || v6 < 0 || v6 > 128) {
                throw new IllegalArgumentException("netblock sizes " + v4 + ":" + v6
                        + " must be 0-32 (IPv4) and 0-128 (IPv6)");
            }
        }

        /** {@code V4} or {@code V4:V6}, as sshd_config spells it; errors quote the text. */
        static Netblocks parse(String text) {
            String[] parts = text.trim().split(":", -1);
            try {
                if (parts.length == 1) {
                    return new Netblocks(Integer.parseInt(parts[0]), 128);
                }
                if (parts.length == 2) {
                    return new Netblocks(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new IllegalArgumentException("'" + text + "' is not V4 or V4:V6 prefix lengths (e.g. 32:128)");
        }

        /** {@code 192.0.2.0/24} for the peer's netblock, or null for a peer that is not an IP address. */
        String of(SocketAddress peer) {
            if (!(peer instanceof InetSocketAddress isa) || isa.getAddress() == null) {
                return null;
            }
            byte[] bytes = isa.getAddress().getAddress();
            int bits = bytes.length == 4 ? v4 : v6;
            for (int i = 0; i < bytes.length; i++) {
                int keep = Math.max(0, Math.min(8, bits - 8 * i));
                bytes[i] &= (byte) (0xff00 >> keep);
            }
            try {
                return InetAddress.getByAddress(bytes).getHostAddress() + "/" + bits;
            } catch (UnknownHostException impossible) {
                return null;
            }
        }

        @Override
        public String toString() {
            return v4 + ":" + v6;
        }
    }

    private static final class Penalty {
        long expiresAt; // nanoTime
        boolean enforced;
    }

    private final PerSourcePenalties policy;
    private final Netblocks netblocks;
    private final Duration authTimeout;
    private final Map<String, Penalty> penalties = new LinkedHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private int v4;
    private int v6;

    SourcePenalties(PerSourcePenalties policy, Netblocks netblocks, Duration authTimeout) {
        this.policy = policy;
        this.netblocks = netblocks;
        this.authTimeout = authTimeout;
    }

    @Override
    public void sessionCreated(Session session) {
        session.setAttribute(OPENED, System.nanoTime());
        String source = netblocks.of(session.getIoSession().getRemoteAddress());
        if (source == null) {
            return;
        }
        long left = remaining(source);
        if (left > 0) {
            String why = source + " is penalised for " + Duration.ofNanos(left).toSeconds()
                    + " s more after failed or abandoned logins (per-source penalties)";
            session.setAttribute(PreAuthLimit.REFUSED, why);
            long n = refused.incrementAndGet();
            long now = System.nanoTime();
            long last = lastReport.get();
            if (now - last >= LOG_INTERVAL_NANOS && lastReport.compareAndSet(last, now)) {
                LOG.warn("refused the connection from {}: {}; {} refused since start (logged at most every 10 s)",
                        session.getIoSession().getRemoteAddress(), why, n);
            }
            throw new IllegalStateException(why + "; connection refused");
        }
    }

    @Override
    public void sessionClosed(Session session) {
        if (session.getAttribute(PreAuthLimit.REFUSED) != null || session.isAuthenticated()) {
            return;
        }
        String source = netblocks.of(session.getIoSession().getRemoteAddress());
        Long opened = session.getAttribute(OPENED);
        if (source == null || opened == null) {
            return;
        }
        Duration penalty;
        if (AuthAttempts.tried(session)) {
            penalty = policy.authfail();
        } else if (!authTimeout.isZero()
                && System.nanoTime() - opened >= authTimeout.toNanos() - 500_000_000L) {
            penalty = policy.graceExceeded();
        } else {
            penalty = policy.noauth();
        }
        penalise(source, penalty);
    }

    /** Nanoseconds until {@code source} may connect again; 0 when it may now. */
    synchronized long remaining(String source) {
        Penalty p = penalties.get(source);
        if (p == null) {
            return 0;
        }
        long now = System.nanoTime();
        if (p.expiresAt - now <= 0) {
            forget(source, p);
            return 0;
        }
        return p.enforced ? p.expiresAt - now : 0;
    }

    private synchronized void penalise(String source, Duration penalty) {
        if (penalty.isZero()) {
            return;
        }
        long now = System.nanoTime();
        expireSome(now);
        Penalty p = penalties.get(source);
        if (p == null) {
            boolean v6source = source.indexOf(':') >= 0;
            if (v6source ? v6 >= policy.maxSources6() : v4 >= policy.maxSources4()) {
                return; // permissive overflow: a flood of sources is limited by max startups instead
            }
            p = new Penalty();
            p.expiresAt = now;
            penalties.put(source, p);
            if (v6source) {
                v6++;
            } else {
                v4++;
            }
        }
        long base = p.expiresAt - now > 0 ? p.expiresAt : now;
        p.expiresAt = Math.min(base + penalty.toNanos(), now + policy.max().toNanos());
        if (!p.enforced && p.expiresAt - now >= policy.min().toNanos()) {
            p.enforced = true;
            LOG.info("{} penalised for {} s after failed or abandoned logins; its new connections are refused"
                    + " until then", source, Duration.ofNanos(p.expiresAt - now).toSeconds());
        }
    }

    /** Drops a few expired entries, oldest first, so the table does not keep sources that stopped long ago. */
    private void expireSome(long now) {
        Iterator<Map.Entry<String, Penalty>> it = penalties.entrySet().iterator();
        for (int i = 0; i < 8 && it.hasNext(); i++) {
            Map.Entry<String, Penalty> e = it.next();
            if (e.getValue().expiresAt - now <= 0) {
                it.remove();
                count(e.getKey(), -1);
            }
        }
    }

    private void forget(String source, Penalty p) {
        if (penalties.remove(source, p)) {
            count(source, -1);
        }
    }

    private void count(String source, int delta) {
        if (source.indexOf(':') >= 0) {
            v6 += delta;
        } else {
            v4 += delta;
        }
    }

    /** Connections refused since start because their source was penalised. */
    long refused() {
        return refused.get();
    }

    /** Netblocks whose penalty is in force now. */
    synchronized int enforced() {
        long now = System.nanoTime();
        return (int) penalties.values().stream().filter(p -> p.enforced && p.expiresAt - now > 0).count();
    }
}
