package org.gproc.daemon.relay;

import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ssh.KnownHosts;
import org.gproc.transport.ssh.SshConnector;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay's SSH client, shared by every child of every node of the daemon: it logs in with the daemon's own host
 * key (and {@code --relay-cert}, a user certificate of that key, when given) and checks each child's host key
 * against the KEYSPEC of that child's line, held in memory as a one-line known_hosts per place (host and port). So a
 * child is checked by the same code, with the same rules, as a node the client connects to directly; strict
 * checking, never accept-new. In memory, not a file: a file rewritten whole for every child line and re-read by the
 * verifier at every connection cost a relay time quadratic in its children (at 2,500 children per daemon, millions
 * of lines parsed); a child line now costs one parse of its own line and a check one lookup. Built at the first
 * child line, so a relay without children starts no threads.
 */
final class RelayConnector implements AutoCloseable {
    private final Path hostKey;
    private final Path certificate;
    /** Names the keys in refusals: they came from child lines written to /n/ctl, and live nowhere else. */
    private final Path label;
    private final int msize;
    /** known_hosts host token -> target, and its line parsed once. */
    private final Map<String, Trusted> byToken = new ConcurrentHashMap<>();
    private SshConnector connector;
    private boolean closed;

    private record Trusted(ChildTarget target, KnownHosts line) {
    }

    RelayConnector(Path hostKey, Path certificate, int msize) {
        this.hostKey = hostKey;
        this.certificate = certificate;
        this.label = Path.of("/n/ctl");
        this.msize = msize;
    }

    /** Connects to {@code t} and starts 9P on the connection (attached as the relay itself). */
    CompletableFuture<NinePClient> connect(ChildTarget t) {
        SshConnector c;
        try {
            c = trust(t);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return c.connectNineP(t.host(), t.port(), msize, "", "");
    }

    /** Records {@code t}'s key for its place (refusing a second key for the same place). */
    private synchronized SshConnector trust(ChildTarget t) throws NinePException, IOException {
        if (closed) {
            throw new IOException("the relay is shutting down");
        }
        String token = token(t.host(), t.port());
        Trusted known = byToken.get(token);
        if (known != null && !known.target().sameAs(t) && !known.target().name().equals(t.name())) {
            throw new NinePException("/n/ctl: child " + t.name() + ": " + t.address() + " is already child "
                    + known.target().name() + " with another key; one place has one host key");
        }
        if (known == null || !known.target().sameAs(t)) {
            byToken.put(token, new Trusted(t, KnownHosts.parse(label, List.of(t.knownHostsLine()))));
        }
        if (connector == null) {
            SshConnector.Builder b = SshConnector.builder().identity(hostKey).knownHosts(label, this::forTarget)
                    .maxFrameSize(msize).windowSize(Math.max(4L << 20, 2L * msize)).username("relay");
            if (certificate != null) {
                b.certificate(certificate);
            } else {
                b.noCertificate();
            }
            connector = b.build();
        }
        return connector;
    }

    /** The line of the child at {@code host} port {@code port}; none for a place no child line named. */
    private KnownHosts forTarget(String host, int port) {
        Trusted t = byToken.get(token(host, port));
        return t != null ? t.line() : NONE;
    }

    private static final KnownHosts NONE = KnownHosts.parse(Path.of("/n/ctl"), List.of());

    private static String token(String host, int port) {
        return KnownHosts.hostToken(host, port).toLowerCase(Locale.ROOT);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (connector != null) {
            connector.close();
        }
    }
}
