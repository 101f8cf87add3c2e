package org.gproc.transport.ssh;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is on the other end of an {@code xcpu@gproc} channel, as established by SSH.
 *
 * @param principal      the identity that owns what this connection does: the comment of the authorized_keys entry
 *                       that matched (see {@link AuthorizedKeys}) or the user certificate's principal; never the SSH
 *                       user name
 * @param keyFingerprint the client key's {@code SHA256:...} fingerprint (for a certificate, of its key), for audit
 *                       logs
 * @param sshUser        the user name the client asked for; informational only, never an identity
 * @param remoteAddress  the client's address
 * @param localAddress   our address the connection came in on; its port tells instances apart when one process
 *                       listens on many ports
 * @param keyType        the presented key type: {@code ssh-ed25519} or {@code ssh-ed25519-cert-v01@openssh.com}
 * @param certificate    the user certificate that authenticated the connection; empty for an authorized_keys key
 */
public record ConnectionInfo(String principal, String keyFingerprint, String sshUser,
        InetSocketAddress remoteAddress, InetSocketAddress localAddress, String keyType,
        Optional<CertificateInfo> certificate) {

    public ConnectionInfo {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(keyFingerprint, "keyFingerprint");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(certificate, "certificate");
    }

    /** A connection authenticated by a plain Ed25519 key from authorized_keys. */
    public ConnectionInfo(String principal, String keyFingerprint, String sshUser, InetSocketAddress remoteAddress,
                          InetSocketAddress localAddress) {
        this(principal, keyFingerprint, sshUser, remoteAddress, localAddress, CryptoPolicy.KEY_TYPE,
                Optional.empty());
    }

    public int localPort() {
        return localAddress.getPort();
    }

    /** When the connection's certificate expires (the server closes it then); empty for a plain key or "forever". */
    public Optional<Instant> validBefore() {
        return certificate.flatMap(CertificateInfo::validBefore);
    }

    @Override
    public String toString() {
        return principal + " (" + keyFingerprint + certificate.map(c -> ", " + c).orElse("") + ") from "
                + remoteAddress.getAddress().getHostAddress() + ":" + remoteAddress.getPort() + " on port "
                + localAddress.getPort();
    }
}
