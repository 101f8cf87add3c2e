package org.gproc.transport.ssh;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * One {@code direct-tcpip} request a gateway judged, for audit logs: who asked, what they asked for, and where the
 * gateway connected (or why it refused). {@code requested} came from the peer and is already made printable.
 *
 * @param principal the authenticated principal; null when the connection had none
 * @param source    the client's address
 * @param requested the host and port the client asked for, as {@code host:port}
 * @param node      the node of the gateway's file the request named; null when it named none
 * @param address   the address connected to ({@code ip:port}); null when refused
 * @param refusal   null when accepted; else why not
 */
public record JumpEvent(Instant time, String principal, String keyFingerprint, InetSocketAddress source,
        String requested, String node, String address, String refusal) {

    public boolean accepted() {
        return refusal == null;
    }
}
