package org.gproc.daemon.relay;

import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ssh.HostKeyPolicy;
import org.gproc.transport.ssh.KnownHosts;
import org.gproc.transport.ssh.SshConnector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The relay's SSH client, shared by every child of every node of the daemon: it logs in with the daemon's own host
 * key (and {@code --relay-cert}, a user certificate of that key, when given) and checks each child's host key
 * against a known_hosts file of the relay's own, which holds exactly the KEYSPECs of the child lines written so
 * far. So a child is checked by the same code, with the same rules, as a node the client connects to directly;
 * strict checking, never accept-new. Built at the first child line, so a relay without children starts no threads.
 */
final class RelayConnector implements AutoCloseable {
    private final Path hostKey;
    private final Path certificate;
    private final Path knownHosts;
    private final int msize;
    private final Map<String, ChildTarget> byToken = new LinkedHashMap<>(); // known_hosts host token -> target
    private SshConnector connector;
    private boolean closed;

    RelayConnector(Path hostKey, Path certificate, Path stateDir, int msize) {
        this.hostKey = hostKey;
        this.certificate = certificate;
        this.knownHosts = stateDir.resolve("relay-known_hosts");
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

    /** Records {@code t}'s key in the relay's known_hosts (refusing a second key for the same place). */
    private synchronized SshConnector trust(ChildTarget t) throws NinePException, IOException {
        if (closed) {
            throw new IOException("the relay is shutting down");
        }
        String token = KnownHosts.hostToken(t.host(), t.port()).toLowerCase(java.util.Locale.ROOT);
        ChildTarget known = byToken.get(token);
        if (known != null && !known.sameAs(t) && !known.name().equals(t.name())) {
            throw new NinePException("/n/ctl: child " + t.name() + ": " + t.address() + " is already child "
                    + known.name() + " with another key; one place has one host key");
        }
        if (known == null || !known.sameAs(t)) {
            byToken.put(token, t);
            writeKnownHosts();
        }
        if (connector == null) {
            SshConnector.Builder b = SshConnector.builder().identity(hostKey).knownHosts(knownHosts)
                    .hostKeyPolicy(HostKeyPolicy.STRICT).maxFrameSize(msize).windowSize(Math.max(4L << 20,
                            2L * msize)).username("relay");
            if (certificate != null) {
                b.certificate(certificate);
            } else {
                b.noCertificate();
            }
            connector = b.build();
        }
        return connector;
    }

    /** Written whole and renamed into place, so the verifier never reads half a file. */
    private void writeKnownHosts() throws IOException {
        StringBuilder text = new StringBuilder("# written by gprocd --relay: the KEYSPEC of each child line\n");
        byToken.values().forEach(t -> text.append(t.knownHostsLine()).append(" ").append(t.name()).append('\n'));
        Files.createDirectories(knownHosts.getParent());
        Path tmp = Files.createTempFile(knownHosts.getParent(), "relay-known_hosts.", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, knownHosts, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (connector != null) {
            connector.close();
        }
    }
}
