package org.gproc.daemon.session;

import org.gproc.daemon.audit.AuditLog;
import org.gproc.daemon.proc.BlobCache;
import org.gproc.transport.ninep.NinePException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One node as the tree presents it: its sessions, blob cache, default environment, admins and limits. A daemon runs
 * one or many of these (multi-instance mode); they share {@link NodeServices}. The node's directory under the state
 * dir ({@code sessions/}, {@code cache/}) and its blob cache are created on first use, so an idle node costs a few
 * small objects.
 */
public final class VirtualNode {
    private final String name;
    private final Path dir;
    private final Limits limits;
    private final Set<String> admins;
    private final NodeServices services;
    private final NodeEnv env;
    private final SessionTable sessions = new SessionTable(this);
    private final Instant started = Instant.now();
    private volatile BlobCache cache;
    private volatile boolean sessionsDirReady;
    private volatile int port;
    private volatile boolean detaching;

    /**
     * @param dir this node's own directory under the state dir; the sessions an earlier daemon left in its
     *            {@code sessions/} are taken back ({@link SessionRecovery}) by {@link #recover()} or on first use
     */
    public VirtualNode(String name, Path dir, Limits limits, Set<String> admins, NodeServices services, NodeEnv env) {
        this.name = Objects.requireNonNull(name, "name");
        this.dir = Objects.requireNonNull(dir, "dir");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.admins = Set.copyOf(admins);
        this.services = Objects.requireNonNull(services, "services");
        this.env = Objects.requireNonNull(env, "env");
    }

    public String name() {
        return name;
    }

    /** The TCP port this node is served on, 0 until the daemon has bound it. */
    public int port() {
        return port;
    }

    public void port(int port) {
        this.port = port;
    }

    /** An audit event about this node, with the node and port already filled in. */
    public AuditLog.Event audit(String name) {
        return services.audit().event(name).field("node", name()).field("port", port);
    }

    public Limits limits() {
        return limits;
    }

    public boolean isAdmin(String principal) {
        return admins.contains(principal);
    }

    public NodeServices services() {
        return services;
    }

    public NodeEnv env() {
        return env;
    }

    public SessionTable sessions() {
        return sessions;
    }

    public Instant started() {
        return started;
    }

    Path sessionsDir() {
        Path sessionsDir = dir.resolve("sessions");
        if (!sessionsDirReady) {
            synchronized (this) {
                if (!sessionsDirReady) {
                    boolean earlier = Files.isDirectory(sessionsDir);
                    try {
                        Files.createDirectories(sessionsDir);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    if (earlier) {
                        SessionRecovery.recover(this, sessionsDir);
                    }
                    sessionsDirReady = true;
                }
            }
        }
        return sessionsDir;
    }

    /**
     * Takes back the sessions an earlier daemon on this state dir left running or exited (see
     * {@link SessionRecovery}); a daemon calls it before it serves. Idempotent.
     */
    public void recover() {
        if (Files.isDirectory(dir.resolve("sessions"))) {
            sessionsDir();
        }
    }

    /**
     * The daemon exits leaving the sessions running for the next one (a restart): from now on the fids its closing
     * connections drop do not close any process's stdin.
     */
    public void detach() {
        detaching = true;
    }

    boolean isDetaching() {
        return detaching;
    }

    /** Sessions with a process still running (for the log of a restart). */
    public long running() {
        return sessions.all().stream().filter(s -> s.state() == Session.State.RUNNING).count();
    }

    /** The node's blob cache, created (and its directory scanned) on first use. */
    public BlobCache cache() throws NinePException {
        BlobCache c = cache;
        if (c == null) {
            synchronized (this) {
                c = cache;
                if (c == null) {
                    try {
                        Path cacheDir = Files.createDirectories(dir.resolve("cache"));
                        c = new BlobCache(cacheDir, limits.cacheQuotaBytes());
                    } catch (IOException | UncheckedIOException e) {
                        throw new NinePException("cache: cannot open the blob cache of " + name + ": " + e.getMessage(), e);
                    }
                    cache = c;
                }
            }
        }
        return c;
    }

    /** Bytes in the cache; 0 while it has never been used. */
    public long cacheBytes() {
        BlobCache c = cache;
        return c == null ? 0 : c.totalBytes();
    }

    void releaseCacheReferences(Path fsRoot) {
        BlobCache c = cache;
        if (c != null) {
            c.release(fsRoot);
        }
    }

    /**
     * First half of shutdown: SIGTERM to every process of every session (also what an exited process left running).
     * The futures complete when the sessions' own processes have exited (successfully or not), so a daemon can wait
     * once for all its nodes; leftovers are killed by {@link #wipeAll()}.
     */
    public List<CompletableFuture<?>> terminate() {
        List<CompletableFuture<?>> exits = new ArrayList<>();
        for (Session s : sessions.all()) {
            if (s.orphans() > 0) {
                try {
                    s.signal(null, 15, "daemon shutdown");
                } catch (NinePException goneMeanwhile) {
                    // nothing left to stop
                }
            } else if (s.state() == Session.State.RUNNING) {
                try {
                    s.signal(null, 15, "daemon shutdown");
                } catch (NinePException exitedMeanwhile) {
                    continue;
                }
                exits.add(s.exit().exceptionally(e -> null));
            }
        }
        return exits;
    }

    /**
     * Second half: wipes every session (SIGKILL to what still runs, spools and directories removed). The futures
     * complete when each session's files are gone. The blob cache stays for the next run.
     */
    public List<CompletableFuture<Void>> wipeAll() {
        List<CompletableFuture<Void>> cleaned = new ArrayList<>();
        for (Session s : sessions.all()) {
            cleaned.add(s.wipe(null, "daemon shutdown"));
        }
        return cleaned;
    }
}
