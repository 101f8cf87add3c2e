package org.gproc.transport.ssh;

import org.apache.sshd.client.kex.DHGClient;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.kex.KeyExchange;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.session.Session;

/**
 * The client's key exchanges, with SSHD's host certificate check left to {@link KnownHostsVerifier}. SSHD's own
 * check knows nothing of known_hosts {@code @cert-authority} lines, and when it fails it quietly hands the verifier
 * the certificate's plain key instead (unless told to abort, and then with its own message): the verifier would then
 * see an unknown plain key, and {@link HostKeyPolicy#ACCEPT_NEW} could add it for a host a CA vouches for. Here the
 * certificate always reaches the verifier, which checks it against the CAs known_hosts lists for that host and
 * refuses with the rule it broke. The exchange hash is still verified by SSHD with the certificate's key.
 */
final class CertificateKex implements KeyExchangeFactory {
    private final DHFactory factory;

    private CertificateKex(DHFactory factory) {
        this.factory = factory;
    }

    /** Use in place of {@code ClientBuilder.DH2KEX} (every gproc key exchange is a DHG one, hybrid or not). */
    static KeyExchangeFactory of(DHFactory factory) {
        if (factory.isGroupExchange()) {
            throw new IllegalArgumentException("group exchange " + factory.getName() + " is not in the crypto policy");
        }
        return new CertificateKex(factory);
    }

    @Override
    public String getName() {
        return factory.getName();
    }

    @Override
    public KeyExchange createKeyExchange(Session session) throws Exception {
        return new DHGClient(factory, session) {
            @Override
            protected void verifyCertificate(Session s, OpenSshCertificate certificate) {
                // decided by KnownHostsVerifier, which sees the certificate itself
            }
        };
    }

    @Override
    public String toString() {
        return "CertificateKex[" + getName() + "]";
    }
}
