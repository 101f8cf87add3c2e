package org.gproc.client;

import java.util.concurrent.CompletionException;
import org.gproc.client.internal.exec.Futures;
import org.gproc.client.internal.route.CountingChannel;
import org.gproc.client.internal.route.KnownHostKeys;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ssh.HostKeyPolicy;
import org.gproc.transport.ssh.JumpHost;
import org.gproc.transport.ssh.SshConnector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Nodes over SSH: one shared {@link SshConnector} (one thread pool for every connection), the subsystem
 * {@code xcpu@gproc}, 9P2000 inside. Identity and known_hosts come from the options, else the inventory, else
 * {@code ~/.gproc/}; the user certificate from the inventory (for its own identity), else IDENTITY-cert.pub beside the
 * identity, if any. A node with {@code via} is reached through its gateways' connections, which every node behind
 * them shares.
 */
final class SshNodeConnector implements NodeConnector {
    static final int MSIZE = 1 << 20;
    private final SshConnector ssh;
    private final String uname;
    private final KnownHostKeys childKeys;
    private final AtomicLong bytesSent = new AtomicLong();
    private final Inventory inventory;

    private SshNodeConnector(SshConnector ssh, String uname, Path knownHosts, Inventory inventory) {
        this.ssh = ssh;
        this.uname = uname;
        this.childKeys = new KnownHostKeys(knownHosts);
        this.inventory = inventory;
    }

    static SshNodeConnector create(Inventory inventory, ClusterOptions options) {
        Path home = Path.of(System.getProperty("user.home"), ".gproc");
        Path identity = options.identity() != null ? options.identity()
                : inventory.identity().orElse(home.resolve("id_ed25519"));
        Path knownHosts = options.knownHosts() != null ? options.knownHosts()
                : inventory.knownHosts().orElse(home.resolve("known_hosts"));
        if (!Files.isReadable(identity)) {
            throw new IllegalArgumentException("identity '" + identity + "' does not exist or cannot be read"
                    + " (make one with 'gproc keys init' or pass --identity FILE)");
        }
        // the inventory's certificate belongs to the inventory's identity; another identity brings its own
        Path certificate = options.identity() != null ? null : inventory.certificate().orElse(null);
        String user = System.getProperty("user.name", "gproc");
        try {
            SshConnector.Builder builder = SshConnector.builder();
            if (certificate != null) {
                builder.certificate(certificate);
            }
            SshConnector connector = builder
                    .identity(identity)
                    .knownHosts(knownHosts)
                    .hostKeyPolicy(options.acceptNewHostKeys() ? HostKeyPolicy.ACCEPT_NEW : HostKeyPolicy.STRICT)
                    .connectTimeout(options.connectTimeout())
                    .authTimeout(options.connectTimeout())
                    .username(user)
                    .build();
            return new SshNodeConnector(connector, user, knownHosts, inventory);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<NinePClient> connect(NodeAddress node) {
        List<NodeAddress> route = inventory.route(node);
        List<JumpHost> hops = route.stream().map(h -> new JumpHost(h.host(), h.port())).toList();
        String where = node.hostAndPort() + (route.isEmpty() ? "" : " via "
                + String.join(", ", route.stream().map(NodeAddress::name).toList()));
        return ssh.connect(hops, node.host(), node.port())
                .thenCompose(channel -> NinePClient.connect(new CountingChannel(channel, bytesSent), MSIZE, uname,
                        ""))
                .exceptionally(e -> {
                    throw new CompletionException(new IOException(node.name() + " ("
                            + where + "): " + Futures.message(e), e));
                });
    }

    @Override
    public long bytesSent() {
        return bytesSent.get();
    }

    @Override
    public String keySpec(NodeAddress node) {
        return childKeys.keySpec(node);
    }

    @Override
    public void close() {
        ssh.close();
    }
}
