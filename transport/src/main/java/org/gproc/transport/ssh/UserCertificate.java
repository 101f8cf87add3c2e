package org.gproc.transport.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.cert.Certificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and checks the user certificate the client presents: an explicit file, or {@code IDENTITY-cert.pub} beside
 * the identity (OpenSSH's rule). It must certify the identity's own key and be a user certificate; one that does not
 * is an error naming both files, because presenting it could never work and would hide why. Whether the node
 * trusts its CA is the node's business: nothing here trusts the certificate.
 */
final class UserCertificate {
    private static final Logger LOG = LoggerFactory.getLogger(UserCertificate.class);

    private UserCertificate() {
    }

    /** The certificate to present, or null for none. */
    static OpenSshCertificate load(Path identityFile, KeyPair identity, Path explicit, boolean none)
            throws IOException {
        if (none) {
            return null;
        }
        Path file = explicit;
        if (file == null) {
            if (identityFile == null) {
                return null;
            }
            file = Certificates.certificateFileFor(identityFile);
            if (!Files.exists(file)) {
                return null;
            }
        }
        String identityName = identityFile == null ? "the identity key " + Keys.fingerprint(identity.getPublic())
                : "identity " + identityFile + " (" + Keys.fingerprint(identity.getPublic()) + ")";
        OpenSshCertificate cert = Certificates.read(file);
        String what = "certificate " + file + " (" + Certificates.describe(cert) + ")";
        if (cert.getType() != OpenSshCertificate.Type.USER) {
            throw new IOException(what + " is a host certificate; log in with a user certificate for "
                    + identityName + " (gproc keys sign-user)");
        }
        if (cert.getCertPubKey() == null
                || !MessageDigest.isEqual(Keys.blob(cert.getCertPubKey()), Keys.blob(identity.getPublic()))) {
            throw new IOException(what + " certifies key "
                    + (cert.getCertPubKey() == null ? "(none)" : Keys.fingerprint(cert.getCertPubKey()))
                    + ", not " + identityName + "; sign that identity's .pub file, or pass the matching"
                    + " certificate");
        }
        if (!OpenSshCertificate.isValidNow(cert)) {
            String message = what + " is not valid now (valid from " + time(cert.getValidAfter()) + " to "
                    + time(cert.getValidBefore()) + ", now " + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                    + "); renew it with gproc keys sign-user";
            if (explicit != null) {
                throw new IOException(message);
            }
            LOG.warn("{}; logging in with the plain key {} only", message, identityFile);
            return null;
        }
        return cert;
    }

    private static String time(long seconds) {
        if (seconds == OpenSshCertificate.INFINITY) {
            return "forever";
        }
        return Long.compareUnsigned(seconds, Instant.MAX.getEpochSecond()) > 0 ? Long.toUnsignedString(seconds) + "s"
                : Instant.ofEpochSecond(seconds).toString();
    }
}
