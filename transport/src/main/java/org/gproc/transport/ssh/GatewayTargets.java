package org.gproc.transport.ssh;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The nodes a gateway forwards to (its {@code --gateway-for} file), and the rule that matches a {@code direct-tcpip}
 * request against them. A request names a node when its port is the node's port and its host is the node's name
 * or host as written in the file (case-insensitive), or an IP address literal that the node's host resolves to.
 * A host name not written in the file is refused without being resolved: the gateway never looks up names a client
 * made up, and never connects anywhere the file does not list. The node's host is resolved when a request arrives
 * (so a renumbered node is followed) and the connection goes to that address, not to the name the client sent.
 */
public final class GatewayTargets {

    /** One node of the file: its name, host as written, and port. */
    public record Node(String name, String host, int port) {
        public Node {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("gateway node '" + name + "': port " + port + " is outside 1..65535");
            }
        }
    }

    /** The verdict on one request: the node and the address to connect to, or why it is refused. */
    public record Decision(Node node, InetSocketAddress address, String refusal) {
        public boolean allowed() {
            return refusal == null;
        }
    }

    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    private final String source;
    private final List<Node> nodes;

    private GatewayTargets(String source, List<Node> nodes) {
        this.source = source;
        this.nodes = nodes;
    }

    /** {@code source} names where the list came from (a file), for refusals and logs. */
    public static GatewayTargets of(String source, Collection<Node> nodes) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException(source + ": a gateway needs at least one node to forward to");
        }
        return new GatewayTargets(Objects.requireNonNull(source, "source"), List.copyOf(nodes));
    }

    public String source() {
        return source;
    }

    public int size() {
        return nodes.size();
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** Judges a request for {@code host}:{@code port}; may resolve the file's host names, never {@code host}. */
    public Decision decide(String host, int port) {
        String requested = host == null ? "" : host.strip();
        if (port < 1 || port > 65535) {
            return refused(requested, port);
        }
        String lower = requested.toLowerCase(Locale.ROOT);
        for (Node node : nodes) {
            if (node.port() == port && (node.name().toLowerCase(Locale.ROOT).equals(lower)
                    || node.host().toLowerCase(Locale.ROOT).equals(lower))) {
                try {
                    return new Decision(node, new InetSocketAddress(InetAddress.getByName(node.host()), port), null);
                } catch (UnknownHostException e) {
                    return new Decision(node, null, "node " + node.name() + ": cannot resolve its host '"
                            + node.host() + "'");
                }
            }
        }
        InetAddress literal = literal(requested);
        if (literal != null) {
            for (Node node : nodes) {
                if (node.port() == port && resolvesTo(node.host(), literal)) {
                    return new Decision(node, new InetSocketAddress(literal, port), null);
                }
            }
        }
        return refused(requested, port);
    }

    private Decision refused(String host, int port) {
        return new Decision(null, null, Printable.of(host) + " port " + port
                + " is not a node this gateway forwards to");
    }

    private static boolean resolvesTo(String host, InetAddress address) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (a.equals(address)) {
                    return true;
                }
            }
        } catch (UnknownHostException e) {
            return false;
        }
        return false;
    }

    /** The address an IP literal names, or null for anything else (parsed without any name lookup). */
    static InetAddress literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean v4 = IPV4.matcher(h).matches();
        boolean v6 = h.indexOf(':') >= 0 && h.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(h); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        for (Node n : nodes) {
            names.add(n.name());
        }
        return "gateway for " + names.size() + " node(s) of " + source;
    }
}
