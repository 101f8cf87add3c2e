package org.gproc.client;

import java.util.Objects;

/** Where a node's daemon listens: its name in node sets, and the host and port to dial. */
public record NodeAddress(String name, String host, int port) {
    public NodeAddress {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("node '" + name + "': port " + port + " is out of range 1-65535");
        }
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public String hostAndPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
