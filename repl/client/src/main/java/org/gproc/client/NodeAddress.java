package org.gproc.client;

import java.util.List;
import java.util.Objects;

/**
 * Where a node's daemon listens: its name in node sets, the host and port to dial, and the gateways to go through
 * ({@code via}: node names of the same inventory, first hop first; empty for a node the control node dials itself).
 * The host and port of a node behind a gateway are as the last gateway sees them.
 */
public record NodeAddress(String name, String host, int port, List<String> via) {
    public NodeAddress {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        via = List.copyOf(Objects.requireNonNull(via, "via"));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("node '" + name + "': port " + port + " is out of range 1-65535");
        }
    }

    /** A node the control node dials directly. */
    public NodeAddress(String name, String host, int port) {
        this(name, host, port, List.of());
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public String hostAndPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "NodeAddress[name=" + name + ", host=" + host + ", port=" + port
                + (via.isEmpty() ? "" : ", via=" + via) + "]";
    }

    /** The same node reached through {@code gateways} (first hop first). */
    public NodeAddress via(List<String> gateways) {
        return new NodeAddress(name, host, port, gateways);
    }
}
