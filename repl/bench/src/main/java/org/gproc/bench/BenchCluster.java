package org.gproc.bench;

import org.gproc.client.Cluster;
import org.gproc.client.ClusterOptions;
import org.gproc.client.Hostlist;
import org.gproc.client.Inventory;
import org.gproc.client.NodeAddress;
import org.gproc.transport.ssh.SshConnector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Connects the client API to the daemon the harness started: the inventory gprocd wrote, its known_hosts, and the
 * key the harness listed in the daemon's authorized_keys. {@link #subset} keeps the first {@code n} nodes so one
 * daemon with many instances serves every N.
 */
final class BenchCluster {
    static final int MSIZE = 1 << 20;
    static final Duration CONNECT_TIMEOUT = Duration.ofMinutes(3);

    private final Inventory inventory;
    private final Path identity;
    private final Path knownHosts;

    BenchCluster(Path inventoryFile, Path identity, Path knownHosts) {
        this.inventory = Inventory.load(inventoryFile);
        this.identity = identity;
        this.knownHosts = knownHosts != null ? knownHosts
                : inventory.knownHosts().orElse(Path.of(inventoryFile + ".known_hosts"));
    }

    int size() {
        return inventory.addresses().size();
    }

    Path identity() {
        return identity;
    }

    Path knownHosts() {
        return knownHosts;
    }

    /** The first {@code n} nodes of the inventory (its relays, if any, kept on their way). */
    Inventory subset(int n) {
        List<NodeAddress> all = List.copyOf(inventory.addresses());
        if (n > all.size()) {
            throw new IllegalArgumentException("bench: asked for " + n + " nodes but " + inventory.source()
                    + " has " + all.size());
        }
        if (n == all.size()) {
            return inventory;
        }
        if (!inventory.relays().isEmpty() || inventory.treeWidth() > 0) {
            return inventory.subset(Hostlist.fromList(all.subList(0, n).stream()
                    .map(NodeAddress::name).toList()).fold());
        }
        return Inventory.of(inventory.source() + " (first " + n + ")", all.subList(0, n), Map.of());
    }

    /** Just node {@code name}, with the gateways its {@code via} names still known (so it is reached through them). */
    Inventory named(String name) {
        return inventory.subset(name);
    }

    /**
     * Connects to every node of {@code nodes} exactly as a user's script does ({@link Cluster#connect(Inventory,
     * ClusterOptions)}: the product's SSH connector); fails naming the first node that is down and why.
     */
    Cluster connect(Inventory nodes) {
        ClusterOptions options = ClusterOptions.defaults().withIdentity(identity).withKnownHosts(knownHosts)
                .withConnectTimeout(CONNECT_TIMEOUT);
        Cluster cluster = Cluster.connect(nodes, options);
        Map<String, String> down = cluster.getDownReasons();
        if (!down.isEmpty()) {
            cluster.close();
            Map.Entry<String, String> first = down.entrySet().iterator().next();
            throw new IllegalStateException(down.size() + " of " + nodes.addresses().size() + " nodes down, e.g. "
                    + first.getKey() + ": " + first.getValue());
        }
        return cluster;
    }

    /** A bare SSH connector with our key, for raw 9P sessions (B4's idle sessions). */
    SshConnector ssh() {
        try {
            return SshConnector.builder().identity(identity).knownHosts(knownHosts)
                    .connectTimeout(CONNECT_TIMEOUT).authTimeout(CONNECT_TIMEOUT).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
