package org.gproc.client.internal.route;

import org.gproc.client.NodeAddress;
import org.gproc.client.internal.exec.Futures;
import org.gproc.client.internal.exec.NodeChannel;
import org.gproc.transport.ninep.NinePClient;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Opens every node's channel along a {@link RelayTree}, all in parallel: a direct node gets its own connection; a
 * relayed node is announced to its relay with {@code child NAME HOST PORT KEYSPEC} on the relay's {@code n/ctl}
 * (which answers once the relay has connected and checked the child's key) and then shares the relay's connection at
 * the prefix {@code n/NAME/}. A node whose relays cannot be reached is tried directly; only when that fails too is it
 * down, with the relays' reasons.
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
    private final Map<String, String> chosen = new ConcurrentHashMap<>();

    public RouteOpener(RelayTree tree, Function<NodeAddress, CompletableFuture<NinePClient>> direct, KeySource keys) {
        this.tree = tree;
        this.direct = direct;
        this.keys = keys;
    }

    /**
     * The channel of {@code node}, opening it (and the relays on its way) on first call: through its relay, else
     * through each alternative the inventory lists after it, in order (a relay that cannot be reached, or that
     * cannot reach the node, passes to the next), else, when no listed relay could be reached at all, directly.
     * When all fail, the reason names each relay tried.
     */
    public synchronized CompletableFuture<NodeChannel> channel(String node) {
        CompletableFuture<NodeChannel> known = channels.get(node);
        if (known != null) {
            return known;
        }
        NodeAddress address = tree.addresses().get(node);
        String relay = tree.parent(node);
        CompletableFuture<NodeChannel> opened = relay == null ? directly(address)
                : through(address, tree.listed(node).isEmpty() ? List.of(relay) : tree.listed(node), 0,
                        new ArrayList<>(), false);
        channels.put(node, opened);
        return opened;
    }

    /**
     * Tries {@code relays} from {@code i} on, then (unless one of them answered) the node directly; {@code reasons}
     * collects why each failed.
     */
    private CompletableFuture<NodeChannel> through(NodeAddress address, List<String> relays, int i,
            List<String> reasons, boolean anyAnswered) {
        if (i == relays.size()) {
            IOException why = new IOException(String.join("; ", reasons));
            return anyAnswered ? CompletableFuture.failedFuture(why) : directly(address).exceptionally(de -> {
                throw new CompletionException(why);
            });
        }
        String relay = relays.get(i);
        return channel(relay).handle((relayChannel, e) -> {
            if (e != null) {
                reasons.add("relay " + relay + ": " + Futures.message(e));
                return through(address, relays, i + 1, reasons, anyAnswered);
            }
            return announce(relayChannel, relay, address).handle((c, ae) -> {
                if (ae == null) {
                    if (i > 0) {
                        chosen.put(address.name(), relay);
                    }
                    return CompletableFuture.completedFuture(c);
                }
                reasons.add(Futures.message(ae));
                return through(address, relays, i + 1, reasons, true);
            }).thenCompose(f -> f);
        }).thenCompose(f -> f);
    }

    /** The relay each node opened through when it was not its first choice (a listed alternative). */
    public Map<String, String> alternativesChosen() {
        return chosen;
    }

    /** How many relays stand between the client and {@code node}. */
    public int depth(String node) {
        int depth = 0;
        for (String at = tree.parent(node); at != null; at = tree.parent(at)) {
            depth++;
        }
        return depth;
    }

    /**
     * How many connect deadlines opening {@code node} may take: one per relay on its way and one for the node, plus
     * one per listed alternative it may fall back to.
     */
    public int deadlines(String node) {
        return depth(node) + 1 + Math.max(0, tree.listed(node).size() - 1);
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
            return CompletableFuture.failedFuture(new IOException(child.name() + ": " + e.getMessage(), e));
        }
        return relay.writeText("n/ctl", line)
                .thenApply(v -> new NodeChannel(child.name(), relay, relay.prefix() + "n/" + child.name() + "/"))
                .exceptionally(e -> {
                    throw new CompletionException(new IOException(child.name() + " (" + child.hostAndPort()
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
