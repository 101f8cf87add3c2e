package org.gproc.transport.ssh;

import java.io.Closeable;
import java.io.IOException;
import java.net.ConnectException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.core.CoreModuleProperties;
import org.gproc.transport.cert.Certificates;

/**
 * Fetches nodes' host keys the way {@code ssh-keyscan} does: a key exchange and nothing more. The node proves its
 * host key (the exchange hash is signed with it and checked), the scanner records the key, or the host certificate
 * when the node has one, and hangs up before authentication starts, so the node's audit log sees no login attempt.
 * Nothing is trusted here: printing what a node presents is all this class does; the caller decides (usually a human
 * comparing fingerprints with the node's administrator).
 */
public final class HostKeyScanner implements Closeable {

    /** What one node presented: its plain host key and, if it has one, the host certificate around it. */
    public record HostKey(String host, int port, PublicKey key, OpenSshCertificate certificate) {
        /** The known_hosts line for this key ({@code [host]:port ssh-ed25519 AAAA...}, plain host for port 22). */
        public String knownHostsLine() {
            return KnownHosts.line(host, port, key);
        }

        public String fingerprint() {
            return Keys.fingerprint(key);
        }

        public Optional<OpenSshCertificate> hostCertificate() {
            return Optional.ofNullable(certificate);
        }

        /** The certificate as one line ({@code ssh-ed25519-cert-v01@openssh.com AAAA...}), if there is one. */
        public Optional<String> certificateLine() {
            return hostCertificate().map(c -> Certificates.line(c, "").strip());
        }
    }

    private record Pending(String host, int port, CompletableFuture<HostKey> result) {
    }

    private static final AttributeKey<Pending> PENDING = new AttributeKey<>();

    private final SshClient client;
    private final Duration timeout;
    private final ScheduledExecutorService timer;

    private HostKeyScanner(Duration timeout) {
        this.timeout = timeout;
        this.timer = Executors.newSingleThreadScheduledExecutor(SshNodeServer.daemonThreads("gproc-keyscan-timer-"));
        SshClient c = ClientBuilder.builder().build();
        CryptoPolicy.apply(c, CertificateKex::of);
        c.setSignatureFactories(List.<NamedFactory<Signature>>copyOf(SshConnector.SIGNATURES));
        c.setServerKeyVerifier((session, remote, key) -> {
            Pending p = session.getConnectionContext() == null ? null
                    : session.getConnectionContext().getAttribute(PENDING);
            if (p != null) {
                OpenSshCertificate cert = key instanceof OpenSshCertificate oc ? oc : null;
                p.result().complete(new HostKey(p.host(), p.port(), cert != null ? cert.getCertPubKey() : key, cert));
            }
            return false; // ends the connection here: no authentication is ever attempted
        });
        c.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        c.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        c.setUserInteraction(null);
        c.setAgentFactory(null);
        c.setChannelFactories(List.of());
        c.setGlobalRequestHandlers(List.of());
        CoreModuleProperties.IO_CONNECT_TIMEOUT.set(c, timeout);
        CoreModuleProperties.IDLE_TIMEOUT.set(c, Duration.ZERO);
        this.client = c;
        c.start();
    }

    /** A scanner whose every scan ends within {@code timeout} (TCP connect plus key exchange). */
    public static HostKeyScanner start(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        return new HostKeyScanner(timeout);
    }

    /**
     * The key {@code host}:{@code port} presents. Never blocks; fails with an {@link IOException} naming host, port
     * and the reason (refused, unreachable, timed out, not an SSH server).
     */
    public CompletableFuture<HostKey> scan(String host, int port) {
        Objects.requireNonNull(host, "host");
        CompletableFuture<HostKey> result = new CompletableFuture<>();
        if (port < 1 || port > 65535) {
            result.completeExceptionally(new IOException(host + ": port " + port + " is outside 1..65535"));
            return result;
        }
        String where = host + " port " + port + ": ";
        timer.schedule(() -> result.completeExceptionally(new IOException(where + "no key exchange within "
                + timeout.toMillis() + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            ConnectFuture cf = client.connect("keyscan", host, port,
                    AttributeRepository.ofKeyValuePair(PENDING, new Pending(host, port, result)), null);
            cf.addListener(f -> {
                if (!f.isConnected()) {
                    Throwable e = f.getException();
                    String why = e == null ? "cancelled" : e instanceof ConnectException || e.getMessage() != null
                            ? e.getMessage() : e.toString();
                    result.completeExceptionally(new IOException(where + "cannot connect: " + why, e));
                    return;
                }
                ClientSession s = f.getSession();
                result.whenComplete((k, e) -> s.close(true));
                s.addCloseFutureListener(closed -> result.completeExceptionally(new IOException(where
                        + "the connection closed before the key exchange finished (is it an SSH server?)")));
            });
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(new IOException(where + "cannot connect: " + e.getMessage(), e));
        }
        return result;
    }

    @Override
    public void close() {
        try {
            client.stop();
        } finally {
            timer.shutdownNow();
        }
    }
}
