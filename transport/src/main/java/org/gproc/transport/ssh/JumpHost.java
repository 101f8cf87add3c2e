package org.gproc.transport.ssh;

import java.util.Objects;

/**
 * A gateway on the way to a node: the host and port to reach it at (from the control node for the first hop, from
 * the previous gateway for the next ones), which is also the name its host key is checked under in known_hosts.
 */
public record JumpHost(String host, int port) {
    public JumpHost {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("jump host: the host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("jump host " + host + ": port " + port + " is outside 1..65535");
        }
    }

    @Override
    public String toString() {
        return host + " port " + port;
    }
}
