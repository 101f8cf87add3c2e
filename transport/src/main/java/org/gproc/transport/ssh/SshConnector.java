package org.gproc.transport.ssh;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.gproc.transport.cert.Certificates;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ssh.SshFrameChannel.XcpuClientChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens {@code xcpu@gproc} channels to nodes. One connector holds one SSH client and its I/O threads for any number
 * of connections (a cluster client opens a thousand or more at once: call {@link #connect} for each, then join).
 *
 * <pre>{@code
 * try (SshConnector ssh = SshConnector.builder()
 *         .identity(Path.of("id_ed25519"))          // OpenSSH Ed25519 private key, unencrypted
 *         .knownHosts(Path.of("known_hosts"))
 *         .build()) {
 *     SshFrameChannel ch = ssh.open("10.0.0.1", 5640);
 *     ...
 * }
 * }</pre>
 *
 * The node must prove a host key listed for it in the known_hosts file, or a host certificate signed for the name
 * we connect to by a CA that an {@code @cert-authority} line names for it; with {@link HostKeyPolicy#ACCEPT_NEW}
 * (only when the user asked for it) a node with no entry is trusted and added. The client authenticates with the
 * given key - first with its user certificate when there is one ({@code IDENTITY-cert.pub} beside the key, as
 * OpenSSH does, or {@link Builder#certificate}), then with the plain key - and nothing else: it never reads
 * {@code ~/.ssh} (keys or config), never asks an agent, never sends a password. Every failure names the host, port
 * and what went wrong ({@link HostKeyException} for host key problems).
 */
public final class SshConnector implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(SshConnector.class);

    /**
     * Host key and user key signatures the client offers: certificates first, so a node with a host certificate
     * presents it (and a user certificate can be used), then plain Ed25519.
     */
    static final List<BuiltinSignatures> SIGNATURES = List.of(BuiltinSignatures.ed25519_cert,
            BuiltinSignatures.ed25519);

    private final Builder config;
    private final KeyPair identity;
    private final OpenSshCertificate certificate;
    private final SshClient client;
    /*
     * Each connection's socket read buffer, held for the connection's life: SSHD's default of 32 KiB was, with
     * the 9P tag table and the frame reader's buffer, most of the ~600 KB of heap an idle node connection cost.
     * 16 KiB still takes a bulk download's packets in a few reads each (it is measured per node in B1).
     */
    private static final int SOCKET_READ_BUFFER = 16 * 1024;

    private final ScheduledExecutorService timer;
    private final ExecutorService ownedExecutor;
    private final Executor frames;
    private volatile boolean closed;
    private final GatewayLinks links = new GatewayLinks(this::openGateway);
    private final HandshakeGate handshakes;

    private SshConnector(Builder config, KeyPair identity, OpenSshCertificate certificate) {
        this.config = config;
        this.identity = identity;
        this.certificate = certificate;
        this.timer = Executors.newSingleThreadScheduledExecutor(SshNodeServer.daemonThreads("gproc-ssh-timer-"));
        if (config.frameExecutor != null) {
            this.ownedExecutor = null;
            this.frames = config.frameExecutor;
        } else {
            this.ownedExecutor = Executors.newFixedThreadPool(
                    Math.max(2, Runtime.getRuntime().availableProcessors()),
                    SshNodeServer.daemonThreads("gproc-ssh-client-frames-"));
            this.frames = ownedExecutor;
        }
        this.handshakes = new HandshakeGate(config.maxHandshakes, timer);
        this.client = configure();
        client.start();
    }

    /** Every session this connector's client has open, so close() can end them politely first. */
    private final Set<Session> liveSessions = ConcurrentHashMap.newKeySet();

    public static Builder builder() {
        return new Builder();
    }

    private SshClient configure() {
        SshClient c = ClientBuilder.builder().factory(TunnellingClient::new).build();
        CryptoPolicy.apply(c, CertificateKex::of);
        c.setSignatureFactories(List.<NamedFactory<Signature>>copyOf(SIGNATURES));
        c.setServerKeyVerifier(config.knownHostsLookup != null
                ? new KnownHostsVerifier(config.knownHosts, config.knownHostsLookup)
                : new KnownHostsVerifier(config.knownHosts, config.hostKeyPolicy));
        c.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        c.setKeyIdentityProvider(certificate == null ? KeyIdentityProvider.wrapKeyPairs(identity)
                : KeyIdentityProvider.wrapKeyPairs(new KeyPair(certificate, identity.getPrivate()), identity));
        c.setPasswordIdentityProvider(PasswordIdentityProvider.EMPTY_PASSWORDS_PROVIDER);
        c.setUserAuthFactories(List.of(new UserAuthPublicKeyFactory(
                List.<NamedFactory<Signature>>copyOf(SIGNATURES))));
        c.setUserInteraction(null);
        c.setAgentFactory(null);
        c.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        c.setChannelFactories(List.of()); // a node may not open channels towards us (forwarded ports, agent, X11)
        c.setGlobalRequestHandlers(List.of());
        c.setNioWorkers(config.ioThreads);
        c.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                liveSessions.add(session);
            }

            @Override
            public void sessionClosed(Session session) {
                liveSessions.remove(session);
            }
        });
        CoreModuleProperties.PREFERRED_AUTHS.set(c, UserAuthPublicKeyFactory.NAME);
        CoreModuleProperties.TCP_NODELAY.set(c, true);
        CoreModuleProperties.WINDOW_SIZE.set(c, config.windowSize);
        CoreModuleProperties.MAX_PACKET_SIZE.set(c, SshNodeServer.MAX_CHANNEL_PACKET);
        CoreModuleProperties.IO_CONNECT_TIMEOUT.set(c, config.connectTimeout);
        CoreModuleProperties.AUTH_TIMEOUT.set(c, config.authTimeout);
        CoreModuleProperties.IDLE_TIMEOUT.set(c, Duration.ZERO);
        CoreModuleProperties.NIO2_READ_TIMEOUT.set(c, Duration.ZERO);
        CoreModuleProperties.NIO2_READ_BUFFER_SIZE.set(c, SOCKET_READ_BUFFER);
        if (!config.keepAlive.isZero()) {
            CoreModuleProperties.HEARTBEAT_INTERVAL.set(c, config.keepAlive);
            CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(c, config.keepAlive);
            CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(c, 3);
        }
        return c;
    }

    SshClient sshClient() {
        return client;
    }

    /** The {@code SHA256:} fingerprint of the key this connector authenticates with. */
    public String identityFingerprint() {
        return Keys.fingerprint(identity.getPublic());
    }

    /** The user certificate presented before the plain key, if any. */
    public Optional<OpenSshCertificate> certificate() {
        return Optional.ofNullable(certificate);
    }

    /**
     * Starts connecting to {@code host}:{@code port}: TCP connect, key exchange, host key check, public-key
     * authentication, then the {@code xcpu@gproc} subsystem. Never blocks. The future fails with an
     * {@link IOException} naming host and port - a {@link HostKeyException} for host key trouble - and fails within
     * connect timeout + auth timeout whatever the node does.
     */
    public CompletableFuture<SshFrameChannel> connect(String host, int port) {
        return connect(List.of(), host, port);
    }

    /**
     * {@link #connect(String, int)} through a chain of gateways, first hop first (OpenSSH's ProxyJump): an SSH
     * connection to the first gateway, a {@code direct-tcpip} channel on it to the next hop, that hop's SSH
     * connection inside the channel, and so on to the node. Every hop is an ordinary connection of this connector:
     * its host key is checked against known_hosts under the name and port it is reached by, and we authenticate with
     * the same key (and certificate). A gateway sees only ciphertext. Connections to a chain of gateways are shared
     * by every node reached through it and closed when the last of those connections closes. The deadline grows by
     * one connect + auth timeout per hop.
     */
    public CompletableFuture<SshFrameChannel> connect(List<JumpHost> via, String host, int port) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(via, "via");
        CompletableFuture<SshFrameChannel> result = new CompletableFuture<>();
        if (port < 1 || port > 65535) {
            result.completeExceptionally(new IllegalArgumentException(host + ": port " + port + " is outside 1..65535"));
            return result;
        }
        if (client.isClosed() || client.isClosing()) {
            result.completeExceptionally(new IOException(host + " port " + port + ": the connector is closed"));
            return result;
        }
        GatewayLinks.Link through = via.isEmpty() ? null : links.acquire(via);
        new ConnectAttempt.ToNode(this, host, port, through, result).begin(attemptTime().multipliedBy(via.size() + 1));
        return result;
    }

    /** Opens the connection to a link's gateway, through the link before it when there is one. */
    private CompletableFuture<ClientSession> openGateway(GatewayLinks.Link link, GatewayLinks.Link upstream) {
        CompletableFuture<ClientSession> session = new CompletableFuture<>();
        new ConnectAttempt.ToGateway(this, link.gateway(), upstream, session).begin(attemptTime());
        return session;
    }

    private Duration attemptTime() {
        return config.connectTimeout.plus(config.authTimeout);
    }

    /** Gateway connections open or being opened. */
    int gatewayConnections() {
        return links.size();
    }

    GatewayLinks links() {
        return links;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    HandshakeGate handshakes() {
        return handshakes;
    }

    String username() {
        return config.username;
    }

    SshFrameChannel frameChannel(String host, int port, ClientSession session, XcpuClientChannel channel) {
        return new SshFrameChannel(host, port, session, channel, frames, timer, () -> closed, config.maxFrameSize);
    }

    /**
     * {@link #connect}, then a 9P session on the channel: version negotiation (msize at most {@code msize}) and an
     * attach as {@code uname} to {@code aname} (informational: the node serves the principal its authorized_keys
     * names for our key). Failures name host and port; on failure the connection is closed.
     */
    public CompletableFuture<NinePClient> connectNineP(String host, int port, int msize, String uname, String aname) {
        CompletableFuture<NinePClient> result = new CompletableFuture<>();
        connect(host, port).whenComplete((channel, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
                return;
            }
            try {
                NinePClient.connect(channel, msize, uname, aname).whenComplete((client, e2) -> {
                    if (e2 == null) {
                        result.complete(client);
                        return;
                    }
                    Throwable cause = e2 instanceof CompletionException && e2.getCause() != null ? e2.getCause() : e2;
                    result.completeExceptionally(new IOException(host + " port " + port + ": 9P session failed: "
                            + cause.getMessage(), cause));
                });
            } catch (RuntimeException re) {
                channel.close();
                result.completeExceptionally(re);
            }
        });
        return result;
    }

    /** {@link #connect} and wait; throws the same failures, unwrapped. */
    public SshFrameChannel open(String host, int port) throws IOException {
        try {
            return connect(host, port).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(host + " port " + port + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(host + " port " + port + ": interrupted while connecting");
        }
    }

    /** Closes every connection this connector opened and stops its threads. */
    @Override
    public void close() {
        closed = true;
        try {
            closeSessionsGracefully();
            client.stop();
        } finally {
            timer.shutdownNow();
            if (ownedExecutor != null) {
                ownedExecutor.shutdown();
            }
        }
    }

    /**
     * Closes every session politely and waits a little for it: stopping the client with reads still in flight lets
     * the JDK's channel group hand a completion to SSHD's executor after it was shut down, which ends in a stack
     * trace on the user's terminal.
     */
    private static final Duration SESSION_CLOSE_WAIT = Duration.ofSeconds(2);

    private void closeSessionsGracefully() {
        long deadline = System.nanoTime() + SESSION_CLOSE_WAIT.toNanos();
        for (Session session : List.copyOf(liveSessions)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                session.close(false).await(left, TimeUnit.NANOSECONDS);
            } catch (IOException | RuntimeException e) {
                // the session is stopped with the client below either way
            }
        }
    }

    /** Configuration; {@link #build()} loads the identity and starts the client. */
    public static final class Builder {
        private Path identityFile;
        private KeyPair identityPair;
        private Path certificateFile;
        private boolean noCertificate;
        private Path knownHosts;
        private KnownHosts.Lookup knownHostsLookup;
        private HostKeyPolicy hostKeyPolicy = HostKeyPolicy.STRICT;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration authTimeout = Duration.ofSeconds(30);
        private Duration keepAlive = Duration.ofSeconds(30);
        private String username = System.getProperty("user.name", "gproc");
        private int ioThreads = Runtime.getRuntime().availableProcessors() + 1;
        private Executor frameExecutor;
        private int maxFrameSize = 1 << 20;
        private long windowSize = 4L << 20;
        private int maxHandshakes = 64;

        private Builder() {
        }

        /** The OpenSSH Ed25519 private key file to authenticate with (unencrypted, mode 0600). */
        public Builder identity(Path privateKeyFile) {
            this.identityFile = Objects.requireNonNull(privateKeyFile, "privateKeyFile");
            this.identityPair = null;
            return this;
        }

        /** An Ed25519 key pair already in memory. */
        public Builder identity(KeyPair pair) {
            this.identityPair = Objects.requireNonNull(pair, "pair");
            this.identityFile = null;
            return this;
        }

        /**
         * The OpenSSH user certificate for the identity ({@code gproc keys sign-user} or {@code ssh-keygen -s}),
         * presented before the plain key. Without this, {@code IDENTITY-cert.pub} beside an identity file is used
         * when it exists (as OpenSSH does). {@link #build()} fails, naming both files, when it is not a user
         * certificate for the identity's key or is not valid now.
         */
        public Builder certificate(Path certificateFile) {
            this.certificateFile = Objects.requireNonNull(certificateFile, "certificateFile");
            this.noCertificate = false;
            return this;
        }

        /** Present no certificate, not even {@code IDENTITY-cert.pub}. */
        public Builder noCertificate() {
            this.certificateFile = null;
            this.noCertificate = true;
            return this;
        }

        /** The OpenSSH known_hosts file that vouches for nodes' host keys (need not exist with ACCEPT_NEW). */
        public Builder knownHosts(Path file) {
            this.knownHosts = Objects.requireNonNull(file, "file");
            this.knownHostsLookup = null;
            return this;
        }

        /**
         * Host keys the caller keeps in memory, looked up for each host and port dialled, instead of a file read on
         * change: {@code label} names them in refusals. Strict checking only (nothing is ever added).
         */
        public Builder knownHosts(Path label, KnownHosts.Lookup lookup) {
            this.knownHosts = Objects.requireNonNull(label, "label");
            this.knownHostsLookup = Objects.requireNonNull(lookup, "lookup");
            return this;
        }

        public Builder hostKeyPolicy(HostKeyPolicy policy) {
            this.hostKeyPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** TCP connect timeout; default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** Time for key exchange, authentication and opening the subsystem; default 30 s. */
        public Builder authTimeout(Duration timeout) {
            this.authTimeout = positive("authTimeout", timeout);
            return this;
        }

        /**
         * Handshakes (TCP connect to authenticated) in flight at once; the others wait, and their timeouts start
         * when their turn comes. Default 64, which keeps a 2-core control node busy.
         */
        public Builder maxHandshakes(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxHandshakes must be at least 1, not " + n);
            }
            this.maxHandshakes = n;
            return this;
        }

        /** Keep-alive interval; a node that misses three in a row is dropped. Zero disables; default 30 s. */
        public Builder keepAlive(Duration interval) {
            if (interval == null || interval.isNegative()) {
                throw new IllegalArgumentException("keepAlive must be zero or positive, not " + interval);
            }
            this.keepAlive = interval;
            return this;
        }

        /** The SSH user name sent to nodes; informational only (nodes identify us by key). */
        public Builder username(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("username must not be blank");
            }
            this.username = name;
            return this;
        }

        /** SSH I/O threads shared by all connections; default cores + 1. */
        public Builder ioThreads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("ioThreads must be at least 1, not " + n);
            }
            this.ioThreads = n;
            return this;
        }

        /** Where frames are handed to listeners; default a pool owned (and shut down) by the connector. */
        public Builder frameExecutor(Executor executor) {
            this.frameExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The largest frame a node may send us (our msize cap); default 1 MiB. */
        public Builder maxFrameSize(int bytes) {
            if (bytes < 256) {
                throw new IllegalArgumentException("maxFrameSize " + bytes + " is below 256 bytes");
            }
            this.maxFrameSize = bytes;
            return this;
        }

        /** SSH channel window for data from the node; default 4 MiB. */
        public Builder windowSize(long bytes) {
            this.windowSize = bytes;
            return this;
        }

        /** Loads the identity and starts the client; fails naming the key file or the missing setting. */
        public SshConnector build() throws IOException {
            List<String> missing = new ArrayList<>();
            if (identityFile == null && identityPair == null) {
                missing.add("identity(...)");
            }
            if (knownHosts == null) {
                missing.add("knownHosts(...)");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("SshConnector.builder(): missing " + String.join(", ", missing));
            }
            if (knownHostsLookup != null && hostKeyPolicy != HostKeyPolicy.STRICT) {
                throw new IllegalStateException("SshConnector.builder(): host keys held in memory are checked"
                        + " strictly; " + hostKeyPolicy + " would add to a file there is none of");
            }
            if (windowSize < 2L * maxFrameSize) {
                throw new IllegalStateException("SshConnector.builder(): windowSize " + windowSize
                        + " must be at least twice maxFrameSize " + maxFrameSize);
            }
            KeyPair identity = identityPair != null ? identityPair : Keys.loadPrivateKey(identityFile);
            OpenSshCertificate certificate = UserCertificate.load(identityFile, identity, certificateFile,
                    noCertificate);
            Builder copy = new Builder();
            copy.knownHosts = knownHosts;
            copy.knownHostsLookup = knownHostsLookup;
            copy.hostKeyPolicy = hostKeyPolicy;
            copy.connectTimeout = connectTimeout;
            copy.authTimeout = authTimeout;
            copy.keepAlive = keepAlive;
            copy.username = username;
            copy.ioThreads = ioThreads;
            copy.frameExecutor = frameExecutor;
            copy.maxFrameSize = maxFrameSize;
            copy.windowSize = windowSize;
            copy.maxHandshakes = maxHandshakes;
            LOG.debug("SSH connector: identity {}{}, known_hosts {}, policy {}",
                    Keys.fingerprint(identity.getPublic()),
                    certificate == null ? "" : " with " + Certificates.describe(certificate), knownHosts, hostKeyPolicy);
            return new SshConnector(copy, identity, certificate);
        }

        private static Duration positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + d);
            }
            return d;
        }
    }
}
