package org.gproc.transport.ssh;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.cert.Certificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads the host certificate a server presents and checks that it is one, for this server's host key. */
final class HostCertificate {

    private static final Logger LOG = LoggerFactory.getLogger(SshNodeServer.class);

    private HostCertificate() {
    }

    /**
     * Reads {@code file} ({@code ssh-keygen -s -h} output or {@code gproc keys sign-host}); fails naming the file
     * when it is not a host certificate of {@code hostKey}. An expired or not yet valid one only warns: clients
     * refuse it, and the operator may be about to replace it.
     */
    static OpenSshCertificate load(Path file, PublicKey hostKey) throws IOException {
        OpenSshCertificate cert = Certificates.read(file); // its errors name the file
        if (!Certificates.CERT_TYPE.equals(cert.getKeyType())) {
            throw new IOException("host certificate " + file + ": is a " + cert.getKeyType() + "; gprocd presents only "
                    + Certificates.CERT_TYPE);
        }
        if (cert.getType() != OpenSshCertificate.Type.HOST) {
            throw new IOException("host certificate " + file + ": " + Certificates.describe(cert)
                    + " is a user certificate (sign the host key with ssh-keygen -h, or gproc keys sign-host)");
        }
        if (!KeyUtils.compareKeys(cert.getCertPubKey(), hostKey)) {
            throw new IOException("host certificate " + file + ": certifies key " + Keys.fingerprint(cert.getCertPubKey())
                    + ", not this server's host key " + Keys.fingerprint(hostKey));
        }
        long now = Instant.now().getEpochSecond();
        if (Long.compareUnsigned(now, cert.getValidAfter()) < 0 || Long.compareUnsigned(now, cert.getValidBefore()) >= 0) {
            LOG.warn("host certificate {}: {} is not valid now; clients that trust its CA will refuse this node", file,
                    Certificates.describe(cert));
        }
        LOG.info("presenting host certificate {}: {} for {}", file, Certificates.describe(cert),
                cert.getPrincipals());
        return cert;
    }
}
