package org.gproc.transport.ssh;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Who is on the other end of an {@code xcpu@gproc} channel, as established by SSH.
 *
 * @param principal      the identity that owns what this connection does: the comment of the authorized_keys entry
 *                       that matched (see {@link AuthorizedKeys}); never the SSH user name
 * @param keyFingerprint the client key's {@code SHA256:...} fingerprint, for audit logs
 * @param sshUser        the user name the client asked for; informational only, never an identity
 * @param remoteAddress  the client's address
 * @param localAddress   our address the connection came in on; its port tells instances apart when one process
 *                       listens on many ports
 */
public record ConnectionInfo(String principal, String keyFingerprint, String sshUser,
        InetSocketAddress remoteAddress, InetSocketAddress localAddress) {

    public ConnectionInfo {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(keyFingerprint, "keyFingerprint");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(localAddress, "localAddress");
    }

    public int localPort() {
        return localAddress.getPort();
    }

    @Override
    public String toString() {
        return principal + " (" + keyFingerprint + ") from " + remoteAddress.getAddress().getHostAddress() + ":"
                + remoteAddress.getPort() + " on port " + localAddress.getPort();
    }
}
