package org.gproc.transport.ssh;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.global.KeepAliveHandler;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.global.NoMoreSessionsHandler;
import org.apache.sshd.common.ServiceFactory;
import org.apache.sshd.server.session.ServerConnectionServiceFactory;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.server.subsystem.SubsystemFactory;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.cert.CertificateChecks;
import org.gproc.transport.cert.Certificates;
import org.gproc.transport.cert.RevocationList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node side of gproc's SSH: serves the {@code xcpu@gproc} subsystem and nothing else, to clients that prove a
 * key listed in an authorized_keys file or an OpenSSH user certificate from a trusted CA (the identity is then a
 * certificate principal; the connection is closed when the certificate expires). Every verdict can be reported to
 * an {@link AuthListener}; a revocation file refuses keys and certificates, and the open connections it names, or
 * whose key has left authorized_keys, are closed ({@link AccessWatch});
 * a host certificate can be presented; {@link Builder#maxStartups(MaxStartups)} limits the connections per port
 * waiting for authentication, {@link Builder#maxAuthAttempts(int)} the requests per connection (counted by us,
 * {@link AuthAttempts}), and {@link Builder#perSourcePenalties(PerSourcePenalties)} refuses sources that keep
 * failing. One instance may listen on many addresses (multi-instance mode binds a
 * thousand ports in one process); they share one acceptor, one SSH I/O pool and one frame executor, and
 * {@link ConnectionInfo#localPort()} tells the handler which address a connection came in on.
 *
 * <pre>{@code
 * SshNodeServer server = SshNodeServer.builder()
 *         .listen("127.0.0.1", 5640)
 *         .hostKey(Path.of("host_key"))                 // generated (OpenSSH format, 0600, + .pub) if absent
 *         .authorizedKeys(Path.of("authorized_keys"))   // re-read when it changes
 *         .handler((info, channel) -> channel.start(new MyNinePServer(info.principal(), channel)))
 *         .build()
 *         .start();
 * }</pre>
 *
 * Every default of SSHD's {@code setUpDefaultServer()} that could widen access is replaced: no direct-tcpip (unless
 * {@link Builder#gateway}, and then only to the nodes it lists) and no tcpip-forward (channel factory and global
 * handlers are ours; the forwarding filter rejects everything else), no agent or X11,
 * no shell, exec or file system, no compression, no password / keyboard-interactive / host-based / GSS auth (each request for one is refused and
 * reported), and
 * never the JVM user's {@code ~/.ssh/authorized_keys}.
 */
public final class SshNodeServer implements Closeable {

    public static final String SUBSYSTEM = "xcpu@gproc";

    private static final Logger LOG = LoggerFactory.getLogger(SshNodeServer.class);

    /** Refuses every file-system request; nothing we serve is FileSystemAware, this is defence in depth. */
    private static final FileSystemFactory NO_FILE_SYSTEM = new FileSystemFactory() {
        @Override
        public Path getUserHomeDir(SessionContext session) throws IOException {
            throw new IOException("gprocd offers no file system over SSH");
        }

        @Override
        public FileSystem createFileSystem(SessionContext session) throws IOException {
            throw new IOException("gprocd offers no file system over SSH");
        }
    };

    private final Builder config;
    private final Clock clock = Clock.systemUTC();
    private MultiBindServer sshd;
    private ExecutorService ownedExecutor;

    /**
     * The largest channel data packet either end of ours accepts (SSHD's default is 32 KiB): a 1 MiB Twrite then
     * crosses in 8 packets instead of 32, each with its own header, MAC/tag, buffer and write. 128 KiB plus
     * the packet overhead stays under the 256 KiB total packet length that OpenSSH and SSHD accept; an OpenSSH
     * peer advertises its own (smaller) maximum, which is what we then send it.
     */
    static final long MAX_CHANNEL_PACKET = 128L * 1024;
    private KeyPair hostKey;
    private OpenSshCertificate hostCertificate;
    private volatile PreAuthLimit preAuth;
    private volatile CertificateExpiry expiry;
    private volatile SourcePenalties penalties;
    private AccessWatch accessWatch;
    private boolean closed;

    private SshNodeServer(Builder config) {
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads (or generates) the host key, loads authorized_keys and binds every listen address. Fails, closing
     * whatever it had opened, with a message naming the address or file at fault.
     */
    public synchronized SshNodeServer start() throws IOException {
        if (sshd != null || closed) {
            throw new IllegalStateException("SshNodeServer.start(): already " + (closed ? "closed" : "started"));
        }
        CryptoPolicy.requireBouncyCastleEd25519();
        hostKey = config.hostKeyPair != null ? config.hostKeyPair
                : Keys.loadOrGenerate(config.hostKeyFile, "gprocd host key");
        AuthorizedKeysAuthenticator authorizedKeys = config.authorizedKeysFile == null ? null
                : new AuthorizedKeysAuthenticator(config.authorizedKeysFile);
        RevocationList revoked = config.revokedFile == null ? RevocationList.none()
                : RevocationList.load(config.revokedFile);
        CertificateChecks userCertificates = config.trustedUserCaFile == null ? null
                : CertificateChecks.trusting(Certificates.readCaKeys(config.trustedUserCaFile), revoked, clock);
        hostCertificate = config.hostCertificateFile == null ? null
                : HostCertificate.load(config.hostCertificateFile, hostKey.getPublic());
        UserKeyAuthorizer authorizer = new UserKeyAuthorizer(authorizedKeys, userCertificates, revoked, clock);
        SourcePenalties.Netblocks netblocks = new SourcePenalties.Netblocks(config.netblockV4, config.netblockV6);
        preAuth = new PreAuthLimit(config.maxStartups, config.perSourceMaxStartups, netblocks);
        penalties = config.penalties.enabled()
                ? new SourcePenalties(config.penalties, netblocks, config.authTimeout) : null;
        if (userCertificates != null) {
            expiry = new CertificateExpiry(config.certExpiryGrace, clock);
        }
        Executor frames = config.frameExecutor;
        if (frames == null) {
            ownedExecutor = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                    daemonThreads("gproc-ssh-frames-"));
            frames = ownedExecutor;
        }
        sshd = configure(authorizer, frames);
        InetSocketAddress first = config.listen.get(0);
        sshd.setHost(first.getHostString());
        sshd.setPort(first.getPort());
        try {
            sshd.start();
            if (config.revokedFile != null || authorizedKeys != null) {
                accessWatch = new AccessWatch(revoked, authorizedKeys, authorizer, () -> sshd.getActiveSessions(),
                        config.authListener,
                        clock);
            }
            for (InetSocketAddress address : config.listen.subList(1, config.listen.size())) {
                try {
                    sshd.bind(address);
                } catch (IOException e) {
                    throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            if (e instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith("cannot listen")) {
                throw io;
            }
            throw new IOException("cannot listen on " + first + ": " + e.getMessage(), e);
        }
        LOG.info("serving {} on {} address(es) (first {}), host key {}", SUBSYSTEM, config.listen.size(),
                boundAddresses().isEmpty() ? first : boundAddresses().get(0), Keys.fingerprint(hostKey.getPublic()));
        return this;
    }

    private MultiBindServer configure(UserKeyAuthorizer authorizer, Executor frames) {
        MultiBindServer s = (MultiBindServer) ServerBuilder.builder().factory(MultiBindServer::new).build();
        CryptoPolicy.apply(s, ServerBuilder.DH2KEX);
        s.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        OpenSshCertificate certificate = hostCertificate;
        s.setHostKeyCertificateProvider(certificate == null ? null : session -> List.of(certificate));
        if (penalties != null) {
            s.addSessionListener(penalties);
        }
        s.addSessionListener(preAuth);
        s.setServiceFactories(List.<ServiceFactory>of(
                new AuthAttempts(config.maxAuthAttempts, config.authListener, clock),
                ServerConnectionServiceFactory.INSTANCE));

        s.setUserAuthFactories(List.of(new PublicKeyAuthFactory(
                List.<NamedFactory<Signature>>copyOf(CryptoPolicy.SIGNATURES), authorizer, config.authListener,
                this::accepted, clock)));
        s.setPublickeyAuthenticator(PublicKeyAuthFactory.CONFIRM);
        s.setPasswordAuthenticator(null);
        s.setKeyboardInteractiveAuthenticator(null);
        s.setGSSAuthenticator(null);
        s.setHostBasedAuthenticator(null);

        int maxChannels = config.maxChannelsPerConnection;
        if (config.gatewayTargets == null) {
            s.setChannelFactories(List.of(SubsystemOnlyChannel.factory(maxChannels)));
            s.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        } else {
            // a gateway connection carries one channel per node behind it (and a reconnect may overlap the old one)
            maxChannels = Math.max(maxChannels, 2 * config.gatewayTargets.size() + 4);
            s.setChannelFactories(List.of(SubsystemOnlyChannel.factory(maxChannels), GatewayChannel.factory(
                    new GatewayChannel.Policy(config.gatewayTargets, config.jumpListener, authorizer, clock))));
            s.setForwardingFilter(GatewayChannel.filter(config.gatewayTargets));
        }
        s.setGlobalRequestHandlers(List.<RequestHandler<ConnectionService>>of(
                KeepAliveHandler.INSTANCE, NoMoreSessionsHandler.INSTANCE));
        s.setAgentFactory(null);
        s.setShellFactory(null);
        s.setCommandFactory(null);
        s.setFileSystemFactory(NO_FILE_SYSTEM);
        s.setSubsystemFactories(List.of(new XcpuSubsystemFactory(config.handler, frames, config.maxFrameSize)));

        s.setNioWorkers(config.ioThreads);
        CoreModuleProperties.TCP_NODELAY.set(s, true);
        CoreModuleProperties.SOCKET_BACKLOG.set(s, 512);
        CoreModuleProperties.WINDOW_SIZE.set(s, config.windowSize);
        CoreModuleProperties.MAX_PACKET_SIZE.set(s, SshNodeServer.MAX_CHANNEL_PACKET);
        CoreModuleProperties.AUTH_TIMEOUT.set(s, config.authTimeout);
        CoreModuleProperties.IDLE_TIMEOUT.set(s, config.idleTimeout);
        CoreModuleProperties.NIO2_READ_TIMEOUT.set(s, Duration.ZERO);
        CoreModuleProperties.MAX_AUTH_REQUESTS.set(s, config.maxAuthAttempts);
        // SSHD's own limit ends the whole connection when passed, so it is only a backstop well above ours: the
        // session channel factory refuses one channel too many on its own (SubsystemOnlyChannel.factory).
        CoreModuleProperties.MAX_CONCURRENT_CHANNELS.set(s, 2 * maxChannels + 16);
        CoreModuleProperties.SERVER_IDENTIFICATION.set(s, "gprocd");
        return s;
    }

    /** A connection authenticated (on the SSH I/O thread that handled its request). */
    private void accepted(ServerSession session, UserKeyAuthorizer.Verdict verdict) {
        CertificateExpiry timers = expiry;
        if (timers != null) {
            verdict.certificateInfo().flatMap(CertificateInfo::validBefore).ifPresent(end -> timers.watch(session, end,
                    verdict.principal() + " (" + verdict.certificateInfo().get() + ") from "
                            + session.getIoSession().getRemoteAddress()));
        }
    }

    /** Connections accepted and not yet authenticated, over every listen address (see {@link
     * Builder#maxUnauthenticated(int)}). */
    public int unauthenticatedCount() {
        PreAuthLimit limit = preAuth;
        return limit == null ? 0 : limit.count();
    }

    /** Connections dropped at accept since start because their listen port had too many unauthenticated ones. */
    public long droppedUnauthenticated() {
        PreAuthLimit limit = preAuth;
        return limit == null ? 0 : limit.dropped();
    }

    /** Connections refused at accept since start because their source netblock was penalised. */
    public long refusedPenalised() {
        SourcePenalties p = penalties;
        return p == null ? 0 : p.refused();
    }

    /** Source netblocks whose penalty is in force now. */
    public int penalisedSources() {
        SourcePenalties p = penalties;
        return p == null ? 0 : p.enforced();
    }

    /** Certificate connections waiting for their expiry (for specs). */
    int expiryTimers() {
        CertificateExpiry timers = expiry;
        return timers == null ? 0 : timers.pending();
    }

    /** Every address actually bound (port 0 resolved), in bind order where the platform keeps it. */
    public synchronized List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        if (sshd != null) {
            for (SocketAddress a : sshd.getBoundAddresses()) {
                if (a instanceof InetSocketAddress isa) {
                    out.add(isa);
                }
            }
        }
        return out;
    }

    /** The port of the first listen address (the one to use when there is only one). */
    public synchronized int port() {
        if (sshd == null) {
            throw new IllegalStateException("SshNodeServer.port(): not started");
        }
        return sshd.getPort();
    }

    public synchronized PublicKey hostKey() {
        if (hostKey == null) {
            throw new IllegalStateException("SshNodeServer.hostKey(): not started");
        }
        return hostKey.getPublic();
    }

    public String hostKeyFingerprint() {
        return Keys.fingerprint(hostKey());
    }

    /** Connections currently open (authenticated or not). */
    public synchronized int connectionCount() {
        return sshd == null ? 0 : sshd.getActiveSessions().size();
    }

    SshServer sshd() {
        return sshd;
    }

    /** Stops listening and closes every connection at once; each open channel's listener gets onClose. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sshd != null) {
            try {
                sshd.stop(true);
            } catch (IOException e) {
                LOG.warn("stopping the SSH server: {}", e.toString());
            }
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
        if (expiry != null) {
            expiry.close();
        }
        if (accessWatch != null) {
            accessWatch.close();
        }
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** SshServer binds one host:port in start(); this lets the same acceptor take more addresses. */
    static final class MultiBindServer extends SshServer {
        void bind(SocketAddress address) throws IOException {
            acceptor.bind(address);
        }
    }

    private static final class XcpuSubsystemFactory implements SubsystemFactory {
        private final SubsystemHandler handler;
        private final Executor frames;
        private final int maxFrameSize;

        XcpuSubsystemFactory(SubsystemHandler handler, Executor frames, int maxFrameSize) {
            this.handler = handler;
            this.frames = frames;
            this.maxFrameSize = maxFrameSize;
        }

        @Override
        public String getName() {
            return SUBSYSTEM;
        }

        @Override
        public Command createSubsystem(ChannelSession channel) throws IOException {
            ServerSession session = channel.getServerSession();
            UserKeyAuthorizer.Verdict identity = session.getAttribute(PublicKeyAuthFactory.IDENTITY);
            if (identity == null || !identity.accepted() || !session.isAuthenticated()) {
                throw new IOException(SUBSYSTEM + ": no authenticated principal on " + session);
            }
            ConnectionInfo info = new ConnectionInfo(identity.principal(), identity.fingerprint(),
                    session.getUsername(), (InetSocketAddress) session.getIoSession().getRemoteAddress(),
                    (InetSocketAddress) session.getIoSession().getLocalAddress(), identity.keyType(),
                    identity.certificateInfo());
            LOG.info("{}: {} opened", SUBSYSTEM, info);
            return new XcpuSubsystem(channel, info, handler, frames, maxFrameSize);
        }
    }

    /** Configuration; {@link #build()} checks it and names what is missing or inconsistent. */
    public static final class Builder {
        private final List<InetSocketAddress> listen = new ArrayList<>();
        private Path hostKeyFile;
        private KeyPair hostKeyPair;
        private Path authorizedKeysFile;
        private SubsystemHandler handler;
        private int ioThreads = Runtime.getRuntime().availableProcessors() + 1;
        private Executor frameExecutor;
        private int maxFrameSize = 1 << 20;
        private long windowSize = 4L << 20;
        private Duration authTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ZERO;
        private int maxAuthAttempts = 6;
        private int maxChannelsPerConnection = 4;
        private AuthListener authListener;
        private Path trustedUserCaFile;
        private Path revokedFile;
        private Path hostCertificateFile;
        private Duration certExpiryGrace = Duration.ZERO;
        private MaxStartups maxStartups = MaxStartups.of(64);
        private int perSourceMaxStartups;
        private PerSourcePenalties penalties = PerSourcePenalties.OFF;
        private int netblockV4 = 32;
        private int netblockV6 = 128;
        private GatewayTargets gatewayTargets;
        private JumpListener jumpListener;

        private Builder() {
        }

        /** Adds a listen address (port 0 picks a free port). Call as often as needed; at least once. */
        public Builder listen(InetSocketAddress address) {
            listen.add(Objects.requireNonNull(address, "address"));
            return this;
        }

        public Builder listen(String host, int port) {
            return listen(new InetSocketAddress(host, checkPort(port)));
        }

        /** Adds {@code count} consecutive ports from {@code firstPort} on {@code host} (multi-instance mode). */
        public Builder listenPorts(String host, int firstPort, int count) {
            if (count < 1 || firstPort < 1 || firstPort + count - 1 > 65535) {
                throw new IllegalArgumentException("listenPorts: " + count + " ports from " + firstPort
                        + " do not fit in 1..65535");
            }
            for (int i = 0; i < count; i++) {
                listen(host, firstPort + i);
            }
            return this;
        }

        /** The host key file: loaded if present, else an Ed25519 key is generated there (0600, plus FILE.pub). */
        public Builder hostKey(Path file) {
            this.hostKeyFile = Objects.requireNonNull(file, "file");
            this.hostKeyPair = null;
            return this;
        }

        /** A host key already in memory (tests, or a caller that manages keys itself). */
        public Builder hostKey(KeyPair pair) {
            this.hostKeyPair = Objects.requireNonNull(pair, "pair");
            this.hostKeyFile = null;
            return this;
        }

        /** The OpenSSH authorized_keys file; must exist at start; re-read whenever it changes. */
        public Builder authorizedKeys(Path file) {
            this.authorizedKeysFile = Objects.requireNonNull(file, "file");
            return this;
        }

        public Builder handler(SubsystemHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** SSH I/O threads shared by every connection (default: cores + 1). */
        public Builder ioThreads(int n) {
            this.ioThreads = positive("ioThreads", n);
            return this;
        }

        /**
         * Where frames are handed to listeners (each channel still gets one frame at a time, in order). Default: a
         * pool of max(2, cores) daemon threads owned and shut down by the server. A caller-supplied executor is
         * not shut down.
         */
        public Builder frameExecutor(Executor executor) {
            this.frameExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The largest 9P frame a client may send (the daemon's msize cap); default 1 MiB. */
        public Builder maxFrameSize(int bytes) {
            if (bytes < 256) {
                throw new IllegalArgumentException("maxFrameSize " + bytes + " is below 256 bytes");
            }
            this.maxFrameSize = bytes;
            return this;
        }

        /** SSH channel window: how many unprocessed bytes a client may have in flight; default 4 MiB. */
        public Builder windowSize(long bytes) {
            this.windowSize = bytes;
            return this;
        }

        /** Time allowed from TCP accept to successful authentication; default 30 s. */
        public Builder authTimeout(Duration timeout) {
            this.authTimeout = nonNegative("authTimeout", timeout);
            return this;
        }

        /** Close connections idle this long; default zero = never (cluster clients keep idle connections). */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = nonNegative("idleTimeout", timeout);
            return this;
        }

        /**
         * Authentication requests allowed per connection, whatever else the client sends between them (a
         * connection's first request is free when it is {@code none}); default 6, as OpenSSH's MaxAuthTries.
         */
        public Builder maxAuthAttempts(int n) {
            this.maxAuthAttempts = positive("maxAuthAttempts", n);
            return this;
        }

        /** Channels one connection may hold open at once; default 4 (gproc uses one). */
        public Builder maxChannelsPerConnection(int n) {
            this.maxChannelsPerConnection = positive("maxChannelsPerConnection", n);
            return this;
        }

        /**
         * Told of every authentication verdict, accepted or refused, whatever the method (see {@link AuthEvent} for
         * which requests fire), and of connections closed by a revocation; asked whether logins must be refused
         * ({@link AuthListener#refusal()}); called on SSH I/O threads, so it must not block.
         */
        public Builder authListener(AuthListener listener) {
            this.authListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Accepts OpenSSH user certificates signed by a CA key in {@code file} (OpenSSH public key lines; read at
         * start). The connection acts as the certificate's principal: the requested SSH user name when the
         * certificate holds it, else its first principal. See {@link org.gproc.transport.cert.CertificateChecks}
         * for what is refused.
         */
        public Builder trustedUserCa(Path file) {
            this.trustedUserCaFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Keys, certificate serials and key ids refused even when authorized_keys lists them or a trusted CA signed
         * them ({@link RevocationList} format); re-read when it changes, and refusing everyone while it is broken.
         * Watched while the server runs: an open connection whose key or certificate it comes to name is closed
         * within a second and told to the {@link #authListener}.
         */
        public Builder revoked(Path file) {
            this.revokedFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Presents this host certificate (of the host key) to clients that trust its CA; read at start. */
        public Builder hostCertificate(Path file) {
            this.hostCertificateFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /** How long after its certificate expires a connection is closed; default zero (at expiry). */
        public Builder certExpiryGrace(Duration grace) {
            this.certExpiryGrace = nonNegative("certExpiryGrace", grace);
            return this;
        }

        /**
         * Connections per listen port that may be accepted and not yet authenticated (OpenSSH's MaxStartups as one
         * number, a hard cap); more are dropped at accept. Default 64.
         */
        public Builder maxUnauthenticated(int n) {
            this.maxStartups = MaxStartups.of(positive("maxUnauthenticated", n));
            return this;
        }

        /** OpenSSH's MaxStartups with random early drop ({@link MaxStartups}); replaces {@link #maxUnauthenticated}. */
        public Builder maxStartups(MaxStartups startups) {
            this.maxStartups = Objects.requireNonNull(startups, "startups");
            return this;
        }

        /**
         * OpenSSH's PerSourceMaxStartups: at most {@code n} connections per listen port from one source netblock
         * may wait for authentication; 0 (the default) for no such limit.
         */
        public Builder perSourceMaxStartups(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("perSourceMaxStartups must be 0 (none) or more, not " + n);
            }
            this.perSourceMaxStartups = n;
            return this;
        }

        /** OpenSSH's PerSourcePenalties ({@link PerSourcePenalties}); default {@link PerSourcePenalties#OFF}. */
        public Builder perSourcePenalties(PerSourcePenalties policy) {
            this.penalties = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * OpenSSH's PerSourceNetBlockSize: how many leading bits of an IPv4 and an IPv6 address make one source for
         * the per-source limits and penalties; default 32 and 128 (each address its own source).
         */
        public Builder perSourceNetblockSize(int v4, int v6) {
            new SourcePenalties.Netblocks(v4, v6); // checks the ranges
            this.netblockV4 = v4;
            this.netblockV6 = v6;
            return this;
        }

        /**
         * Makes this server a gateway: authenticated clients may open {@code direct-tcpip} channels to the nodes of
         * {@code targets} and nowhere else (see {@link GatewayTargets} for the rule); each request, accepted or
         * refused, is told to {@code listener} (may be null). Listening ports, agent and X11 stay refused. Without
         * this no {@code direct-tcpip} channel is ever opened.
         */
        public Builder gateway(GatewayTargets targets, JumpListener listener) {
            this.gatewayTargets = Objects.requireNonNull(targets, "targets");
            this.jumpListener = listener;
            return this;
        }

        public SshNodeServer build() {
            List<String> missing = new ArrayList<>();
            if (listen.isEmpty()) {
                missing.add("listen(...)");
            }
            if (hostKeyFile == null && hostKeyPair == null) {
                missing.add("hostKey(...)");
            }
            if (authorizedKeysFile == null && trustedUserCaFile == null) {
                missing.add("authorizedKeys(...) or trustedUserCa(...)");
            }
            if (handler == null) {
                missing.add("handler(...)");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("SshNodeServer.builder(): missing " + String.join(", ", missing));
            }
            if (windowSize < 2L * maxFrameSize) {
                throw new IllegalStateException("SshNodeServer.builder(): windowSize " + windowSize
                        + " must be at least twice maxFrameSize " + maxFrameSize
                        + " (a whole frame must fit in the window while the previous one is processed)");
            }
            Builder copy = new Builder();
            copy.listen.addAll(listen);
            copy.hostKeyFile = hostKeyFile;
            copy.hostKeyPair = hostKeyPair;
            copy.authorizedKeysFile = authorizedKeysFile;
            copy.handler = handler;
            copy.ioThreads = ioThreads;
            copy.frameExecutor = frameExecutor;
            copy.maxFrameSize = maxFrameSize;
            copy.windowSize = windowSize;
            copy.authTimeout = authTimeout;
            copy.idleTimeout = idleTimeout;
            copy.maxAuthAttempts = maxAuthAttempts;
            copy.maxChannelsPerConnection = maxChannelsPerConnection;
            copy.authListener = authListener;
            copy.trustedUserCaFile = trustedUserCaFile;
            copy.revokedFile = revokedFile;
            copy.hostCertificateFile = hostCertificateFile;
            copy.certExpiryGrace = certExpiryGrace;
            copy.maxStartups = maxStartups;
            copy.perSourceMaxStartups = perSourceMaxStartups;
            copy.penalties = penalties;
            copy.netblockV4 = netblockV4;
            copy.netblockV6 = netblockV6;
            copy.gatewayTargets = gatewayTargets;
            copy.jumpListener = jumpListener;
            return new SshNodeServer(copy);
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is outside 0..65535");
            }
            return port;
        }

        private static int positive(String what, int n) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be at least 1, not " + n);
            }
            return n;
        }

        private static Duration nonNegative(String what, Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be zero or positive, not " + d);
            }
            return d;
        }
    }
}
