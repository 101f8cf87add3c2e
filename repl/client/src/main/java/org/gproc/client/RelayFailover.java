package org.gproc.client;

import java.util.Objects;
import org.gproc.client.internal.exec.NodeChannel;
import org.gproc.client.internal.route.RelayEvents;
import org.gproc.client.internal.route.RelayTree;
import org.gproc.client.internal.route.RouteOpener;
import org.gproc.transport.ninep.NinePClient;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * What the cluster does when a relay on some nodes' routes is lost mid-job. Two ways to learn it: the connection
 * that carries relayed nodes closes (the relay the client talks to died), or a relay further down says its
 * connection to the next hop was lost (a nested relay died under a live one; see {@link NodeChannel#noticeFailure}).
 * Either way every node whose route passes through the lost hop is moved, in this order, to: the next relay of its
 * inventory list ({@code relay = ['r1', 'r2']}), or, for a node with one relay, a sibling relay (another relay with
 * the same parent in the relay tree, whether from {@code tree {}} or from the inventory's {@code relay} keys), either
 * up and not itself routed through a lost hop, announced there with its child line; the node reached directly; or,
 * when neither answers, down with {@code relay HOP: connection lost}. Sessions live on the nodes, so running
 * processes read on from their offsets on the new route. A relay's death is learnt without any read of its nodes
 * too: {@link RelayEvents} keeps one read parked on each relay's {@code n/events}, which says when the relay lost a
 * child's connection.
 */
final class RelayFailover {
    private final RelayTree tree;
    private final Map<String, Node> nodes;
    private final RouteOpener opener;
    private final Function<NodeAddress, CompletableFuture<NinePClient>> direct;
    private final BooleanSupplier closing;
    private final Set<String> lost = ConcurrentHashMap.newKeySet();
    /** Where a moved node is relayed now (null: direct); nodes not in it still have the tree's relay. */
    private final Map<String, String> movedTo = new ConcurrentHashMap<>();
    private static final String DIRECT = "";
    /** Connections whose close this watches, each with the relay it reaches. */
    private final Map<NinePClient, String> watched = Collections.synchronizedMap(new IdentityHashMap<>());
    /** Relay channels whose {@code n/events} is read. */
    private final Set<NodeChannel> followed = Collections.newSetFromMap(
            Collections.synchronizedMap(new IdentityHashMap<>()));

    RelayFailover(RelayTree tree, Map<String, Node> nodes, RouteOpener opener,
                  Function<NodeAddress, CompletableFuture<NinePClient>> direct, BooleanSupplier closing) {
        this.tree = tree;
        this.nodes = nodes;
        this.opener = opener;
        this.direct = direct;
        this.closing = closing;
    }

    /**
     * Watches every relayed node's connection and route, and every relay's events; {@code chosen} says which nodes
     * opened through a listed alternative instead of their first relay.
     */
    void watch(Map<String, String> chosen) {
        movedTo.putAll(chosen);
        for (Node n : nodes.values()) {
            NodeChannel c = n.channel();
            if (c != null && c.isRelayed()) {
                watchRoute(n.getName(), c);
                follow(c.relay());
            }
        }
    }

    /**
     * Reads the events of {@code relay} and of each relay above it (once per channel): a child one of them lost that
     * is a hop of ours is lost.
     */
    private void follow(NodeChannel relay) {
        if (relay == null || !followed.add(relay)) {
            return;
        }
        follow(relay.relay());
        String name = relay.node();
        RelayEvents.follow(relay, child -> {
            if (name.equals(parent(child)) && relay.isOpen()) {
                hopLost(child);
            }
        }, e -> {
            if (e == null && relay.isOpen()) {
                hopLost(name); // the relay is shutting down: its children go with it
            } else if (e != null && relay.noticeFailure(e)) {
                relay.brokenAt().thenAccept(this::hopLost);
            }
        });
    }

    /** A relayed channel's route: its connection closing, or a hop on it reported lost. */
    private void watchRoute(String node, NodeChannel c) {
        c.brokenAt().thenAccept(this::hopLost);
        String top = topRelay(node);
        if (watched.putIfAbsent(c.client(), top) == null) {
            c.client().whenClosed().thenRun(() -> hopLost(top));
        }
    }

    /** The relay {@code node} is reached through now; null when direct. */
    private String parent(String node) {
        String moved = movedTo.get(node);
        return moved == null ? tree.parent(node) : moved.equals(DIRECT) ? null : moved;
    }

    /** Moves every node routed through {@code hop} (once per hop). */
    void hopLost(String hop) {
        if (closing.getAsBoolean() || !lost.add(hop)) {
            return;
        }
        for (Node n : List.copyOf(nodes.values())) {
            NodeChannel c = n.channel();
            if (c == null || !c.isRelayed() || !routesThrough(n.getName(), hop)) {
                continue;
            }
            c.routeBroken(hop);
            if (n.getName().equals(hop)) {
                n.lost("relay " + parent(hop) + ": connection lost");
                continue;
            }
            move(n, hop, candidates(hop, n.getName()));
        }
    }

    /** Tries the next sibling relay, then the node directly; down when nothing answers. */
    private void move(Node n, String hop, List<String> candidates) {
        NodeAddress address = tree.addresses().get(n.getName());
        if (candidates.isEmpty()) {
            direct.apply(address).whenComplete((client, e) -> {
                if (e != null || closing.getAsBoolean()) {
                    n.lost("relay " + hop + ": connection lost");
                    if (client != null) {
                        client.close();
                    }
                    return;
                }
                settle(n, null, new NodeChannel(n.getName(), client));
            });
            return;
        }
        String sibling = candidates.get(0);
        List<String> rest = candidates.subList(1, candidates.size());
        relayChannel(sibling).thenCompose(via -> opener.announce(via, sibling, address)).whenComplete((channel, e) -> {
            if (e != null || closing.getAsBoolean()) {
                move(n, hop, rest);
                return;
            }
            settle(n, sibling, channel);
        });
    }

    /**
     * The channel of relay {@code name} now: a node of the cluster's current one; a relay the selection left out
     * (connected on the way, or a listed alternative not opened yet) through the opener.
     */
    private CompletableFuture<NodeChannel> relayChannel(String name) {
        Node node = nodes.get(name);
        CompletableFuture<NodeChannel> c = node != null ? CompletableFuture.completedFuture(node.channel())
                : opener.channel(name);
        return c.thenCompose(via -> via == null || !via.isOpen() ? CompletableFuture.failedFuture(
                new IOException("relay " + name + " is down")) : CompletableFuture.completedFuture(via));
    }

    private void settle(Node n, String relay, NodeChannel channel) {
        movedTo.put(n.getName(), relay == null ? DIRECT : relay);
        if (channel.isRelayed()) {
            watchRoute(n.getName(), channel);
            follow(channel.relay());
        }
        n.rerouted(channel);
        if (relays().contains(n.getName())) {
            follow(channel); // a relay that moved: its events now come this way
        }
    }

    /**
     * Where {@code node} may go when {@code hop} is lost: the relays its inventory lists, in order, when it lists
     * more than one; else the siblings of {@code hop}. Neither lost nor routed through a lost hop, nor below the node.
     */
    private List<String> candidates(String hop, String node) {
        List<String> listed = tree.listed(node);
        if (listed.size() < 2) {
            return siblings(hop, node);
        }
        List<String> out = new ArrayList<>();
        for (String r : listed) {
            if (!routesThrough(r, node) && lost.stream().noneMatch(l -> routesThrough(r, l))) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * The relays that share {@code hop}'s parent (the client itself for a relay reached directly), in tree order,
     * that are neither lost nor routed through a lost hop, and are not {@code node} or below it.
     */
    private List<String> siblings(String hop, String node) {
        String parent = parent(hop);
        List<String> out = new ArrayList<>();
        for (String r : relays()) {
            if (r.equals(hop) || !Objects.equals(parent(r), parent) || routesThrough(r, node)
                    || lost.stream().anyMatch(l -> routesThrough(r, l))) {
                continue;
            }
            out.add(r);
        }
        return out;
    }

    /** Nodes that relay for some other node. */
    private Collection<String> relays() {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String name : tree.addresses().keySet()) {
            String p = tree.parent(name);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** Whether {@code hop} is {@code node} or a relay on its route. */
    private boolean routesThrough(String node, String hop) {
        for (String at = node; at != null; at = parent(at)) {
            if (at.equals(hop)) {
                return true;
            }
        }
        return false;
    }

    private String topRelay(String node) {
        String at = node;
        while (parent(at) != null) {
            at = parent(at);
        }
        return at;
    }
}
