package org.gproc.daemon;

import org.gproc.client.Version;
import org.gproc.daemon.audit.AuditLog;
import org.gproc.daemon.audit.AuthAudit;
import org.gproc.daemon.audit.JumpAudit;
import org.gproc.daemon.policy.ExecPolicy;
import org.gproc.daemon.policy.UnixUser;
import org.gproc.daemon.policy.UserMap;
import org.gproc.daemon.proc.Cgroups;
import org.gproc.daemon.proc.ProcessLauncher;
import org.gproc.daemon.relay.Relay;
import org.gproc.daemon.relay.Relays;
import org.gproc.daemon.proc.SpoolWatcher;
import org.gproc.daemon.session.FileHashes;
import org.gproc.daemon.session.Limits;
import org.gproc.daemon.session.NodeEnv;
import org.gproc.daemon.session.NodeServices;
import org.gproc.daemon.session.StateQuota;
import org.gproc.daemon.session.VirtualNode;
import org.gproc.daemon.tree.XcpuTree;
import org.gproc.transport.ninep.FrameChannel;
import org.gproc.transport.ninep.server.FileTree;
import org.gproc.transport.ninep.server.NinePServer;
import org.gproc.transport.ssh.ConnectionInfo;
import org.gproc.transport.ssh.Keys;
import org.gproc.transport.ssh.GatewayTargets;
import org.gproc.transport.ssh.SshNodeServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running gprocd: one or many virtual nodes ({@code --instances}) behind one SSH server, each on its own port
 * with its own sessions and blob cache, all sharing one process launcher, one spool watcher, one timer and the SSH
 * server's threads. Embed it in-process like this:
 * <pre>{@code
 * try (GprocDaemon d = GprocDaemon.builder()
 *         .listen("127.0.0.1", 0)                       // 0: any free port (a free consecutive range for instances > 1)
 *         .hostKey(dir.resolve("host_key"))             // generated if absent
 *         .authorizedKeys(dir.resolve("authorized_keys"))
 *         .stateDir(dir.resolve("state"))
 *         .instances(4)
 *         .start()) {
 *     d.writeInventory(dir.resolve("cluster.groovy"));  // n1..n4, plus cluster.groovy.known_hosts
 *     int port = d.port(1);                             // n1's port
 * }
 * }</pre>
 *
 * <p>Shutdown ({@link #close()}, also what SIGTERM does to {@code gprocd}): the SSH server stops listening and drops
 * every connection; every running process group gets SIGTERM; after {@code stopTimeout} (default 5 s) the ones still
 * running get SIGKILL; then every session's spools and {@code fs/} are deleted. The blob caches stay.
 *
 * <p>Restart: a daemon that dies (kill -9, a crash) or {@link #detach()}es (SIGHUP) leaves its sessions running; the
 * next daemon started on the same state dir takes them back at start (see {@code session.SessionRecovery}).
 */
public final class GprocDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GprocDaemon.class);

    private final DaemonConfig config;
    private final List<VirtualNode> nodes;
    private final List<NinePServer> servers;
    private final SshNodeServer ssh;
    private final SpoolWatcher watcher;
    private final ProcessLauncher launcher;
    private final ScheduledExecutorService timer;
    private final AuditLog audit;
    private final AuthAudit authAudit; // null without --audit-log
    private final int firstPort;
    private final Relays relays; // null without --relay
    private boolean closed;

    private GprocDaemon(DaemonConfig config, List<VirtualNode> nodes, List<NinePServer> servers, SshNodeServer ssh,
                        SpoolWatcher watcher, ProcessLauncher launcher, ScheduledExecutorService timer, AuditLog audit,
                        AuthAudit authAudit, int firstPort, Relays relays) {
        this.config = config;
        this.nodes = nodes;
        this.servers = servers;
        this.ssh = ssh;
        this.watcher = watcher;
        this.launcher = launcher;
        this.timer = timer;
        this.audit = audit;
        this.authAudit = authAudit;
        this.firstPort = firstPort;
        this.relays = relays;
    }

    public static DaemonConfig.Builder builder() {
        return DaemonConfig.builder();
    }

    /** Starts the daemon {@code config} describes. */
    static GprocDaemon start(DaemonConfig config) throws IOException {
        ExecPolicy policy = policy(config);
        AuditLog audit = config.auditLog() == null ? AuditLog.disabled() : openAudit(config.auditLog());
        GatewayTargets gateway;
        try {
            config.ssh().check(config.authorizedKeys(), config.hostKey());
            gateway = config.ssh().gatewayTargets();
            Files.createDirectories(config.stateDir());
        } catch (IOException | RuntimeException e) {
            audit.close();
            throw e;
        }
        SpoolWatcher watcher = new SpoolWatcher();
        Relays relays = null;
        ProcessLauncher launcher = null;
        ScheduledThreadPoolExecutor timer = null;
        try {
            launcher = new ProcessLauncher(config.stateDir(), watcher, cgroups(config));
            timer = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread t = new Thread(runnable, "gprocd-timer");
                t.setDaemon(true);
                return t;
            });
            timer.setRemoveOnCancelPolicy(true);
            if (policy.mapsUsers() && !launcher.isNative()) {
                LOG.error("gprocd: --user-map needs the native spawn helper to drop privileges, and there is none (no C"
                        + " compiler): every exec will be refused");
            }
            NodeServices services = new NodeServices(launcher, watcher, timer, audit, policy, new FileHashes(),
                    new StateQuota(config.quotas().stateBytes(), config.quotas().principalBytes()));
            NodeEnv env = new NodeEnv(config.nodeEnv());
            List<VirtualNode> nodes = new ArrayList<>(config.instances());
            List<NinePServer> servers = new ArrayList<>(config.instances());
            relays = config.relay().enabled() ? Relays.start(config.relay(), config.hostKey(),
                    config.msize()) : null;
            for (int i = 1; i <= config.instances(); i++) {
                VirtualNode node = new VirtualNode("n" + i, config.stateDir().resolve("n" + i), config.limits(),
                        config.admins(), services, env.copy());
                node.recover(); // an earlier daemon's sessions are back before anyone can connect
                nodes.add(node);
                FileTree tree = new XcpuTree(node, Version.VERSION, config.reportedArch());
                if (relays != null) {
                    tree = relays.treeFor(node, tree);
                }
                servers.add(new NinePServer(tree, config.msize(), config.maxFids())
                        .trustRelays(config.relay().trustedRelays()));
            }
            int[] base = new int[1];
            AuthAudit authAudit = audit.enabled() ? new AuthAudit(audit, timer) : null;
            SshNodeServer ssh = Ports.bindConsecutive(config.host(), config.port(), config.instances(), first -> {
                SshNodeServer.Builder b = config.ssh().applyTo(SshNodeServer.builder())
                        .hostKey(config.hostKey())
                        .maxFrameSize(config.msize())
                        .handler((info, channel) -> serve(servers, base[0], info, channel));
                if (authAudit != null) {
                    b.authListener(authAudit);
                }
                if (gateway != null) {
                    b.gateway(gateway, audit.enabled() ? new JumpAudit(audit) : null);
                }
                if (config.authorizedKeys() != null) {
                    b.authorizedKeys(config.authorizedKeys());
                }
                if (first == 0) {
                    b.listen(config.host(), 0);
                } else {
                    b.listenPorts(config.host(), first, config.instances());
                }
                SshNodeServer started = b.build().start();
                base[0] = first == 0 ? started.port() : first;
                return started;
            });
            for (int i = 0; i < nodes.size(); i++) {
                nodes.get(i).port(base[0] + i);
            }
            GprocDaemon daemon = new GprocDaemon(config, nodes, servers, ssh, watcher, launcher, timer, audit,
                    authAudit, base[0], relays);
            LOG.info("gprocd {}: {} node(s) on {}:{}{}, state in {}", Version.VERSION, config.instances(),
                    config.host(), base[0], config.instances() > 1 ? ".." + (base[0] + config.instances() - 1) : "",
                    config.stateDir());
            return daemon;
        } catch (IOException | RuntimeException e) {
            if (relays != null) {
                relays.close();
            }
            if (launcher != null) {
                launcher.close();
            }
            if (timer != null) {
                timer.shutdownNow();
            }
            watcher.close();
            audit.close();
            throw e;
        }
    }

    private static AuditLog openAudit(Path file) throws IOException {
        try {
            return AuditLog.open(file);
        } catch (IOException e) {
            throw new IOException("--audit-log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The exec policy; a user map that could never work (entries for another user while not running as root) is a
     * startup error, so a misconfiguration shows when the daemon starts, not at the first exec.
     */
    /** The sessions' cgroups, or null (logged: contained by the spawn helper's subreaper); limits that cannot be
     * applied are an error naming the flag. */
    private static Cgroups cgroups(DaemonConfig config) throws IOException {
        Cgroups.Detected detected = Cgroups.detect(config.stateDir(), config.quotas().sessionMemoryBytes(),
                config.quotas().sessionPids());
        if (detected.cgroups() == null) {
            LOG.info("gprocd: no session cgroups ({}); sessions are contained by the spawn helper's subreaper and"
                    + " process group", detected.unavailableBecause());
        }
        return detected.cgroups();
    }

    private static ExecPolicy policy(DaemonConfig config) throws IOException {
        int uid = UnixUser.effectiveUid();
        UserMap map = config.userMap() == null ? null : UserMap.load(config.userMap());
        if (map != null && uid != 0) {
            for (var e : map.entries().entrySet()) {
                if (e.getValue().uid() != uid) {
                    throw new IOException("--user-map " + config.userMap() + ": principal '" + e.getKey()
                            + "' maps to unix user '" + e.getValue().name() + "' (uid " + e.getValue().uid()
                            + "), but gprocd runs as uid " + uid + " and can only switch users as root");
                }
            }
            map = null; // every entry is the daemon's own user: nothing to switch
        }
        if (uid == 0 && config.userMap() == null) {
            LOG.warn("gprocd runs as root without --user-map: every session's process runs as root (give --user-map"
                    + " FILE to run each principal's processes as its own Unix user)");
        }
        return new ExecPolicy(config.localExec(), map, uid);
    }

    private static void serve(List<NinePServer> servers, int firstPort, ConnectionInfo info, FrameChannel channel) {
        int index = info.localPort() - firstPort;
        if (index < 0 || index >= servers.size()) {
            throw new IllegalStateException("connection on port " + info.localPort() + ", which serves no node");
        }
        servers.get(index).serve(info.principal(), channel);
    }

    /** The first node's port (the only one unless instances > 1). */
    public int port() {
        return firstPort;
    }

    /** Node {@code n}'s port, n counting from 1 as the inventory names nodes n1..nN. */
    public int port(int n) {
        checkNode(n);
        return firstPort + n - 1;
    }

    public String host() {
        return config.host();
    }

    public int instances() {
        return nodes.size();
    }

    /** Node {@code n} (1-based), for in-process inspection. */
    public VirtualNode node(int n) {
        checkNode(n);
        return nodes.get(n - 1);
    }

    public PublicKey hostKey() {
        return ssh.hostKey();
    }

    /** The SSH server (its pre-authentication counters: unauthenticated, dropped, penalised sources). */
    public SshNodeServer ssh() {
        return ssh;
    }

    /** The audit log (a disabled one without {@code --audit-log}): whether it is writable, what it holds back. */
    public AuditLog audit() {
        return audit;
    }

    /** {@code SHA256:...} of the host key, as {@code ssh-keygen -l} prints it. */
    public String hostKeyFingerprint() {
        return Keys.fingerprint(ssh.hostKey());
    }

    /** Node {@code n}'s relay (1-based), for in-process inspection; null without {@code --relay}. */
    public Relay relay(int n) {
        checkNode(n);
        return relays == null ? null : relays.of(nodes.get(n - 1));
    }

    public DaemonConfig config() {
        return config;
    }

    /**
     * Writes the client inventory naming this daemon's nodes n1..nN (ConfigSlurper format), and next to it
     * {@code FILE.known_hosts} with one {@code [host]:port ssh-ed25519 ...} line per node.
     */
    public Path writeInventory(Path file) throws IOException {
        return InventoryFiles.write(file, InventoryFiles.clientHost(config.host()), firstPort, nodes.size(), ssh.hostKey());
    }

    /**
     * Stops serving and exits leaving every session as it is, for the next daemon started on this state dir to take
     * back (what {@code gprocd} does on SIGHUP): connections are dropped (without closing any process's stdin), the
     * spawn helper stops, and the processes, their monitors, spools, stdin fifos and cgroups stay. Idempotent, and
     * {@link #close()} does nothing after it.
     */
    public void detach() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        nodes.forEach(VirtualNode::detach);
        ssh.close();
        servers.forEach(NinePServer::close);
        if (relays != null) {
            relays.close();
        }
        long sessions = nodes.stream().mapToLong(n -> n.sessions().size()).sum();
        long running = nodes.stream().mapToLong(VirtualNode::running).sum();
        launcher.detach();
        watcher.close();
        timer.shutdownNow();
        if (authAudit != null) {
            authAudit.close();
        }
        audit.event("detach").field("sessions", sessions).field("running", running).log();
        audit.close();
        LOG.info("gprocd: exiting for a restart; {} session(s) ({} running) stay in {} for the next daemon",
                sessions, running, config.stateDir());
    }

    /** Stops serving and ends every session as the class comment says; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        ssh.close();
        servers.forEach(NinePServer::close);
        if (relays != null) {
            relays.close();
        }
        List<CompletableFuture<?>> exits = new ArrayList<>();
        nodes.forEach(n -> exits.addAll(n.terminate()));
        if (!exits.isEmpty()) {
            LOG.info("gprocd: SIGTERM sent to {} running process group(s); SIGKILL in {} s for those still running",
                    exits.size(), config.stopTimeout().toSeconds());
            awaitAll(exits, config.stopTimeout());
        }
        List<CompletableFuture<?>> cleaned = new ArrayList<>();
        nodes.forEach(n -> cleaned.addAll(n.wipeAll()));
        awaitAll(cleaned, Duration.ofSeconds(10));
        launcher.close();
        watcher.close();
        timer.shutdownNow();
        if (authAudit != null) {
            authAudit.close();
        }
        audit.close();
    }

    private static void awaitAll(List<? extends CompletableFuture<?>> futures, Duration timeout) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("gprocd: {} of {} still pending after {} s", futures.stream().filter(f -> !f.isDone()).count(),
                    futures.size(), timeout.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("gprocd: shutdown step failed: {}", e.getCause().toString());
        }
    }

    private void checkNode(int n) {
        if (n < 1 || n > nodes.size()) {
            throw new IllegalArgumentException("node " + n + " is outside n1..n" + nodes.size());
        }
    }
}
