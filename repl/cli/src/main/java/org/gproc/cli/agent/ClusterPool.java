package org.gproc.cli.agent;

import org.gproc.cli.ClusterSource;
import org.gproc.client.Cluster;
import org.gproc.client.ClusterOptions;
import org.gproc.client.Inventory;
import org.gproc.client.NodeAddress;
import org.gproc.client.NodeConnector;
import org.gproc.transport.ninep.NinePClient;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The agent's inventories and connections, lent to one request's cluster after another. One SSH connector (one identity, one
 * certificate, one known_hosts, one host-key policy, one connect timeout) per configuration, and under it one 9P
 * connection per node address and route. A configuration is named by those settings and by what is on disk: when the
 * inventory, the identity, the certificate or known_hosts changes (modification time, size or inode), the next request
 * gets a new connector, so every connection it uses was made, and its host key checked, under the files as they are
 * now; the old one closes once its last request ends. A connection that has closed is made again; one unused for
 * {@value #PROBE_AFTER_SECONDS} s is first asked for its root's stat and made again if that fails.
 */
final class ClusterPool implements ClusterSource, AutoCloseable {
    static final long PROBE_AFTER_SECONDS = 30;
    private static final long PROBE_TIMEOUT_SECONDS = 3;

    private final Path home;
    private static final int INVENTORIES_KEPT = 32;
    private final Map<String, Pooled> byKey = new HashMap<>();
    private final Map<Path, Parsed> inventories = new HashMap<>();
    private boolean closed;

    ClusterPool(Path home) {
        this.home = home;
    }

    @Override
    public Cluster connect(Inventory inventory, ClusterOptions options) {
        return Cluster.connect(inventory, options, lend(inventory, options));
    }

    private synchronized Lent lend(Inventory inventory, ClusterOptions options) {
        if (closed) {
            throw new IllegalStateException("the agent is shutting down");
        }
        String source = inventory.source();
        String key = key(inventory, options);
        Pooled pooled = byKey.get(key);
        if (pooled == null) {
            for (Pooled old : List.copyOf(byKey.values())) {
                if (old.source.equals(source)) { // the same inventory with other files or settings: superseded
                    byKey.remove(old.key);
                    old.retire();
                }
            }
            pooled = new Pooled(key, source, NodeConnector.ssh(inventory, options));
            byKey.put(key, pooled);
        }
        return pooled.lend(inventory);
    }

    /** The settings and the on-disk state of every file the connection depends on. */
    private String key(Inventory inventory, ClusterOptions options) {
        Path dotGproc = home.resolve(".gproc");
        Path identity = options.identity() != null ? options.identity()
                : inventory.identity().orElse(dotGproc.resolve("id_ed25519"));
        Path knownHosts = options.knownHosts() != null ? options.knownHosts()
                : inventory.knownHosts().orElse(dotGproc.resolve("known_hosts"));
        Path certificate = inventory.certificate().orElse(identity.resolveSibling(identity.getFileName()
                + "-cert.pub"));
        StringBuilder key = new StringBuilder();
        key.append(inventory.source()).append('|').append(stamp(Path.of(inventory.source())));
        key.append('|').append(identity).append(stamp(identity));
        key.append('|').append(certificate).append(stamp(certificate));
        key.append('|').append(knownHosts).append(stamp(knownHosts));
        key.append('|').append(options.acceptNewHostKeys()).append('|').append(options.connectTimeout());
        return key.toString();
    }

    private static String stamp(Path file) {
        FileStamp s = FileStamp.of(file);
        return s == null ? "@none" : "@" + s;
    }

    /**
     * The inventory in {@code file}, parsed once while the file stays as it was (size, times, inode); a file changed
     * in the last {@value FileStamp#SETTLE_SECONDS} s is read every time, since a second change within the
     * timestamps' granularity would leave them as they were.
     */
    @Override
    public Inventory load(Path file) {
        FileStamp before = FileStamp.of(file);
        if (before == null || !before.settled()) {
            return Inventory.load(file);
        }
        Path key = file.toAbsolutePath().normalize();
        synchronized (inventories) {
            Parsed known = inventories.get(key);
            if (known != null && known.stamp.equals(before)) {
                return known.inventory;
            }
        }
        Inventory inventory = Inventory.load(file);
        if (before.equals(FileStamp.of(file))) { // not changed while it was read
            synchronized (inventories) {
                if (inventories.size() >= INVENTORIES_KEPT) {
                    inventories.clear();
                }
                inventories.put(key, new Parsed(before, inventory));
            }
        }
        return inventory;
    }

    private record Parsed(FileStamp stamp, Inventory inventory) {
    }

    @Override
    public synchronized void close() {
        closed = true;
        byKey.values().forEach(Pooled::retire);
        byKey.clear();
    }

    /** One configuration's connector and its connections, by node address and route. */
    private static final class Pooled {
        final String key;
        final String source;
        final NodeConnector ssh;
        final Map<List<NodeAddress>, Connection> connections = new ConcurrentHashMap<>();
        int lent;
        boolean retired;

        Pooled(String key, String source, NodeConnector ssh) {
            this.key = key;
            this.source = source;
            this.ssh = ssh;
        }

        synchronized Lent lend(Inventory inventory) {
            lent++;
            return new Lent(this, inventory);
        }

        synchronized void giveBack() {
            if (--lent == 0 && retired) {
                closeAll();
            }
        }

        synchronized void retire() {
            retired = true;
            if (lent == 0) {
                closeAll();
            }
        }

        private void closeAll() {
            for (Connection c : connections.values()) {
                c.client.thenAccept(NinePClient::close);
            }
            connections.clear();
            ssh.close();
        }

        CompletableFuture<NinePClient> connect(Inventory inventory, NodeAddress address) {
            List<NodeAddress> path = new ArrayList<>(inventory.route(address));
            path.add(address);
            List<NodeAddress> route = List.copyOf(path);
            Connection c = connections.compute(route, (k, known) -> known != null && known.usable() ? known
                    : new Connection(ssh.connect(address)));
            if (!c.quietTooLong()) {
                return forgetIfFailed(route, c);
            }
            return c.probe().exceptionallyCompose(e -> {
                connections.remove(route, c);
                Connection fresh = connections.computeIfAbsent(route, k -> new Connection(ssh.connect(address)));
                return forgetIfFailed(route, fresh);
            });
        }

        private CompletableFuture<NinePClient> forgetIfFailed(List<NodeAddress> route, Connection c) {
            return c.client.whenComplete((client, e) -> {
                if (e != null) {
                    connections.remove(route, c);
                }
            });
        }
    }

    /** One node's pooled connection and when it was last lent. */
    private static final class Connection {
        final CompletableFuture<NinePClient> client;
        private long lastLent = System.nanoTime();

        Connection(CompletableFuture<NinePClient> client) {
            this.client = client;
        }

        /** Still opening, or open; a failed or closed one is replaced. */
        boolean usable() {
            if (!client.isDone()) {
                return true;
            }
            return !client.isCompletedExceptionally() && client.join().isOpen();
        }

        /** Open but not lent for a while (so possibly dead without a word); notes this lending. */
        synchronized boolean quietTooLong() {
            long now = System.nanoTime();
            boolean quiet = client.isDone() && now - lastLent > TimeUnit.SECONDS.toNanos(PROBE_AFTER_SECONDS);
            lastLent = now;
            return quiet;
        }

        /** The connection if it still answers a stat of its root; closed otherwise. */
        CompletableFuture<NinePClient> probe() {
            NinePClient c = client.join();
            return c.stat(c.root()).orTimeout(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS).handle((stat, e) -> {
                if (e != null) {
                    c.close();
                    throw new CompletionException(new IOException("connection went quiet", e));
                }
                return c;
            });
        }
    }

    /** What one cluster gets: the pool's connections, which it must leave open. */
    private static final class Lent implements NodeConnector {
        private final Pooled pooled;
        private final Inventory inventory;
        private boolean returned;

        Lent(Pooled pooled, Inventory inventory) {
            this.pooled = pooled;
            this.inventory = inventory;
        }

        @Override
        public CompletableFuture<NinePClient> connect(NodeAddress node) {
            return pooled.connect(inventory, node);
        }

        @Override
        public String keySpec(NodeAddress node) {
            return pooled.ssh.keySpec(node);
        }

        @Override
        public boolean keepsConnections() {
            return true;
        }

        @Override
        public synchronized void close() {
            if (!returned) {
                returned = true;
                pooled.giveBack();
            }
        }
    }
}
