package org.gproc.transport.ssh;

import java.net.InetAddress;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.cert.CertificateChecks;
import org.gproc.transport.cert.CertificateRefusedException;
import org.gproc.transport.cert.Certificates;
import org.gproc.transport.cert.RevocationList;

/**
 * Decides who a presented user key is, before any signature is checked: a plain key by its authorized_keys entry,
 * a certificate by {@link CertificateChecks} against the trusted user CA keys (never by an authorized_keys
 * {@code cert-authority} line, whose principals check SSHD ties to the requested user name). Either kind is refused
 * when the revocation list names it. Thread-safe.
 */
final class UserKeyAuthorizer {

    /**
     * The outcome for one key: a principal when accepted, else the rule broken ({@link AuthEvent#reason()}) and
     * the details for the log.
     */
    record Verdict(String principal, String fingerprint, String keyType, OpenSshCertificate certificate,
                   String rule, String detail) {

        boolean accepted() {
            return principal != null;
        }

        Optional<CertificateInfo> certificateInfo() {
            if (certificate == null) {
                return Optional.empty();
            }
            return Optional.of(new CertificateInfo(certificate.getSerial(), String.valueOf(certificate.getId()),
                    certificate.getPrincipals() == null ? List.of()
                            : List.copyOf(certificate.getPrincipals()),
                    Certificates.validBefore(certificate), Keys.fingerprint(certificate.getCaPubKey())));
        }
    }

    private final AuthorizedKeysAuthenticator authorizedKeys;
    private final CertificateChecks certificates;
    private final RevocationList revoked;
    private final Clock clock;

    /**
     * @param authorizedKeys null when only certificates are accepted
     * @param certificates   null when no user CA is trusted
     */
    UserKeyAuthorizer(AuthorizedKeysAuthenticator authorizedKeys, CertificateChecks certificates,
                      RevocationList revoked, Clock clock) {
        this.authorizedKeys = authorizedKeys;
        this.certificates = certificates;
        this.revoked = revoked;
        this.clock = clock;
    }

    Verdict decide(String username, PublicKey key, InetAddress remote) {
        if (key instanceof OpenSshCertificate cert) {
            return decideCertificate(username, cert);
        }
        String fingerprint = Keys.fingerprint(key);
        String type = KeyUtils.getKeyType(key);
        String revocation = revoked.revocation(key);
        if (revocation != null) {
            return refused(fingerprint, type, null, AuthEvent.REVOKED, revocation);
        }
        if (authorizedKeys == null) {
            return refused(fingerprint, type, null, AuthEvent.NOT_AUTHORIZED,
                    "no authorized_keys file: only certificates from the trusted user CA are accepted");
        }
        AuthorizedKeysAuthenticator.Match match = authorizedKeys.authorize(key, remote, clock.instant());
        if (match.entry() == null) {
            return refused(fingerprint, type, null, AuthEvent.NOT_AUTHORIZED, match.refusal());
        }
        return new Verdict(match.entry().principal(), match.entry().fingerprint(), type, null, null, null);
    }

    private Verdict decideCertificate(String username, OpenSshCertificate cert) {
        PublicKey certified = cert.getCertPubKey();
        String fingerprint = certified != null ? Keys.fingerprint(certified) : Keys.fingerprint(cert);
        String type = cert.getKeyType();
        if (certificates == null) {
            return refused(fingerprint, type, cert, CertificateRefusedException.Rule.UNTRUSTED_CA.name(),
                    Certificates.describe(cert) + " is a user certificate, but this server trusts no user CA");
        }
        // The requested SSH user name only selects among the certificate's own principals; it never adds one.
        Collection<String> held = cert.getPrincipals();
        Optional<String> requested = held != null && username != null && held.contains(username)
                ? Optional.of(username) : Optional.empty();
        try {
            String principal = certificates.checkUser(cert, requested);
            return new Verdict(principal, fingerprint, type, cert, null, null);
        } catch (CertificateRefusedException e) {
            return refused(fingerprint, type, cert, e.rule().name(), e.getMessage());
        }
    }

    private static Verdict refused(String fingerprint, String type, OpenSshCertificate cert, String rule,
                                   String detail) {
        return new Verdict(null, fingerprint, type, cert, rule, detail);
    }
}
