package org.gproc.client.internal.route;

import org.gproc.client.NodeAddress;
import org.gproc.client.internal.exec.Futures;
import org.gproc.client.internal.exec.NodeChannel;
import org.gproc.transport.ninep.NinePClient;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Opens every node's channel along a {@link RelayTree}, all in parallel: a direct node gets its own connection; a
 * relayed node is announced to its relay with {@code child NAME HOST PORT KEYSPEC} on the relay's {@code n/ctl}
 * (which answers once the relay has connected and checked the child's key) and then shares the relay's connection at
 * the prefix {@code n/NAME/}. A node whose relay cannot be reached is tried directly; only when that fails too is it
 * down, with the relay's reason.
 */
public final class RouteOpener {
    /** The child line's key: what the client's own known_hosts accepts for the node (a key or a CA line). */
    public interface KeySource {
        String keySpec(NodeAddress node);
    }

    private final RelayTree tree;
    private final Function<NodeAddress, CompletableFuture<NinePClient>> direct;
    private final KeySource keys;
    private final Map<String, CompletableFuture<NodeChannel>> channels = new HashMap<>();

    public RouteOpener(RelayTree tree, Function<NodeAddress, CompletableFuture<NinePClient>> direct, KeySource keys) {
        this.tree = tree;
        this.direct = direct;
        this.keys = keys;
    }

    /** The channel of {@code node}, opening it (and the relays on its way) on first call. Not thread-safe. */
    public CompletableFuture<NodeChannel> channel(String node) {
        CompletableFuture<NodeChannel> known = channels.get(node);
        if (known != null) {
            return known;
        }
        NodeAddress address = tree.addresses().get(node);
        String relay = tree.parent(node);
        CompletableFuture<NodeChannel> opened = relay == null ? directly(address)
                : channel(relay).handle((relayChannel, e) -> e == null ? announce(relayChannel, relay, address)
                        : directly(address).exceptionally(de -> {
                            throw new CompletionException(new java.io.IOException("relay " + relay + ": "
                                    + Futures.message(e), Futures.cause(e)));
                        }))
                .thenCompose(f -> f);
        channels.put(node, opened);
        return opened;
    }

    /** How many relays stand between the client and {@code node}. */
    public int depth(String node) {
        int depth = 0;
        for (String at = tree.parent(node); at != null; at = tree.parent(at)) {
            depth++;
        }
        return depth;
    }

    private CompletableFuture<NodeChannel> directly(NodeAddress address) {
        return direct.apply(address).thenApply(client -> new NodeChannel(address.name(), client));
    }

    /**
     * Writes {@code child}'s line to {@code relay}'s {@code n/ctl} and, once the relay has connected to it, gives
     * the child's channel through that relay (also how a node is moved to a sibling relay when its own is lost).
     */
    public CompletableFuture<NodeChannel> announce(NodeChannel relay, String relayName, NodeAddress child) {
        String line;
        try {
            line = childLine(child, keys.keySpec(child));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new java.io.IOException(child.name() + ": " + e.getMessage(), e));
        }
        return relay.writeText("n/ctl", line)
                .thenApply(v -> new NodeChannel(child.name(), relay, relay.prefix() + "n/" + child.name() + "/"))
                .exceptionally(e -> {
                    throw new CompletionException(new java.io.IOException(child.name() + " (" + child.hostAndPort()
                            + ") through relay " + relayName + ": " + Futures.message(e), Futures.cause(e)));
                });
    }

    /** {@code child NAME HOST PORT KEYSPEC}, the relay's ctl verb (one line). */
    static String childLine(NodeAddress child, String keySpec) {
        if (keySpec.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("host key line holds a newline");
        }
        return "child " + child.name() + " " + child.host() + " " + child.port() + " " + keySpec + "\n";
    }
}
