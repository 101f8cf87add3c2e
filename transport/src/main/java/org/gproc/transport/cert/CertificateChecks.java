package org.gproc.transport.cert;

import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import java.util.Locale;
import java.util.regex.Pattern;
import org.gproc.transport.cert.CertificateRefusedException.Rule;
import org.gproc.transport.ssh.CryptoPolicy;
import org.gproc.transport.ssh.Keys;

/**
 * Decides whether a presented OpenSSH certificate identifies someone. Checks, in order, each refusal naming the
 * certificate (key id, serial) and the rule: it is an Ed25519 certificate; of the expected type (a host certificate
 * never passes as a user's, nor the reverse); signed by a trusted CA key, verified here; not revoked; valid now
 * (valid-after &le; now &lt; valid-before); without critical options (gprocd honours none); with at least one
 * principal, each well-formed; holding the principal asked for. Thread-safe and immutable.
 */
public final class CertificateChecks {
    /** Critical options OpenSSH defines, with why gprocd refuses them; any other name is refused as unknown. */
    private static final Map<String, String> KNOWN_CRITICAL_OPTIONS = Map.of(
            OpenSshCertificate.FORCE_COMMAND, "a forced command cannot be honoured (gprocd serves only xcpu@gproc)",
            OpenSshCertificate.VERIFY_REQUIRED, "FIDO user verification is not supported (gprocd accepts only "
                    + "Ed25519 keys)",
            OpenSshCertificate.SOURCE_ADDRESS, "source-address restrictions are not enforced by gprocd; sign "
                    + "without -O source-address");

    private final List<PublicKey> trustedCas;
    private final RevocationList revoked;
    private final Clock clock;

    private CertificateChecks(List<PublicKey> trustedCas, RevocationList revoked, Clock clock) {
        this.trustedCas = trustedCas;
        this.revoked = revoked;
        this.clock = clock;
    }

    /**
     * @param trustedCas the CA keys whose certificates are accepted (Ed25519 only; at least one)
     * @param revoked    keys, serials and ids refused regardless ({@link RevocationList#none()} for none)
     */
    public static CertificateChecks trusting(Collection<PublicKey> trustedCas, RevocationList revoked, Clock clock) {
        if (trustedCas.isEmpty()) {
            throw new IllegalArgumentException("certificate checks need at least one trusted CA key");
        }
        for (PublicKey ca : trustedCas) {
            if (!CryptoPolicy.KEY_TYPE.equals(KeyUtils.getKeyType(ca))) {
                throw new IllegalArgumentException("trusted CA key " + KeyUtils.getFingerPrint(ca) + " is "
                        + KeyUtils.getKeyType(ca) + "; gproc trusts only " + CryptoPolicy.KEY_TYPE + " CA keys");
            }
        }
        return new CertificateChecks(List.copyOf(trustedCas), Objects.requireNonNull(revoked),
                Objects.requireNonNull(clock));
    }

    /**
     * Accepts a user certificate and returns the principal it authenticates: {@code requested} when given and the
     * certificate holds it, else the certificate's first principal. Never derived from the SSH user name.
     */
    public String checkUser(PublicKey presented, Optional<String> requested) throws CertificateRefusedException {
        OpenSshCertificate cert = checkCommon(presented, OpenSshCertificate.Type.USER);
        List<String> principals = principals(cert, Certificates.USER_PRINCIPAL);
        if (requested.isEmpty()) {
            return principals.get(0);
        }
        String wanted = requested.get();
        if (!principals.contains(wanted)) {
            throw refuse(Rule.PRINCIPALS, cert, "does not hold the requested principal "
                    + Certificates.quote(wanted) + " (it holds " + quoted(principals) + ")");
        }
        return wanted;
    }

    /** Accepts a host certificate presented by the node reached as {@code hostName} (a name the CA signed). */
    public void checkHost(PublicKey presented, String hostName) throws CertificateRefusedException {
        OpenSshCertificate cert = checkCommon(presented, OpenSshCertificate.Type.HOST);
        List<String> principals = principals(cert, Certificates.HOST_PRINCIPAL);
        if (!principals.contains(hostName)) {
            throw refuse(Rule.PRINCIPALS, cert, "is not valid for host " + Certificates.quote(hostName)
                    + " (it names " + quoted(principals) + ")");
        }
    }

    private OpenSshCertificate checkCommon(PublicKey presented, OpenSshCertificate.Type expected)
            throws CertificateRefusedException {
        if (!(presented instanceof OpenSshCertificate cert)) {
            throw new CertificateRefusedException(Rule.NOT_A_CERTIFICATE, "key "
                    + (presented == null ? "null" : KeyUtils.getFingerPrint(presented))
                    + " is not a certificate");
        }
        if (!Certificates.CERT_TYPE.equals(cert.getKeyType()) || cert.getCertPubKey() == null
                || !CryptoPolicy.KEY_TYPE.equals(KeyUtils.getKeyType(cert.getCertPubKey()))) {
            throw refuse(Rule.KEY_TYPE, cert, "is a " + cert.getKeyType() + "; gproc accepts only "
                    + Certificates.CERT_TYPE);
        }
        if (cert.getType() != expected) {
            throw refuse(Rule.CERTIFICATE_TYPE, cert, "is a " + name(cert.getType()) + " certificate, not a "
                    + name(expected) + " certificate");
        }
        PublicKey ca = trustedCa(cert);
        verifySignature(cert, ca);
        String why = revoked.revocation(cert);
        if (why != null) {
            throw refuse(Rule.REVOKED, cert, "is revoked: " + why);
        }
        checkValidity(cert);
        if (!cert.getCriticalOptions().isEmpty()) {
            OpenSshCertificate.CertificateOption option = cert.getCriticalOptions().get(0);
            String reason = KNOWN_CRITICAL_OPTIONS.getOrDefault(option.getName(),
                    "it is not an option gprocd understands, and critical options must not be ignored");
            throw refuse(Rule.CRITICAL_OPTION, cert, "carries critical option "
                    + Certificates.quote(option.getName()) + ": " + reason);
        }
        return cert;
    }

    private PublicKey trustedCa(OpenSshCertificate cert) throws CertificateRefusedException {
        PublicKey ca = cert.getCaPubKey();
        if (ca != null && !(ca instanceof OpenSshCertificate)) {
            byte[] blob = Keys.blob(ca);
            for (PublicKey trusted : trustedCas) {
                if (MessageDigest.isEqual(blob, Keys.blob(trusted))) {
                    return trusted;
                }
            }
        }
        throw refuse(Rule.UNTRUSTED_CA, cert, "is signed by CA key "
                + (ca == null ? "(none)" : KeyUtils.getFingerPrint(ca)) + ", which is not a trusted CA");
    }

    private static void verifySignature(OpenSshCertificate cert, PublicKey ca) throws CertificateRefusedException {
        String algorithm;
        try {
            algorithm = cert.getSignatureAlgorithm();
        } catch (RuntimeException malformed) {
            // SSHD decodes the signature field lazily; a hostile one underflows here, not at parse time
            throw refuse(Rule.SIGNATURE, cert, "has a malformed signature field (" + malformed.getMessage() + ")");
        }
        if (!CryptoPolicy.KEY_TYPE.equals(algorithm)) {
            throw refuse(Rule.SIGNATURE, cert, "is signed with " + Certificates.quote(algorithm)
                    + "; an Ed25519 CA signs with " + CryptoPolicy.KEY_TYPE);
        }
        boolean valid;
        try {
            Signature verifier = BuiltinSignatures.ed25519.create();
            verifier.initVerifier(null, ca);
            verifier.update(null, cert.getMessage());
            valid = verifier.verify(null, cert.getSignature());
        } catch (Exception e) {
            valid = false;
        }
        if (!valid) {
            throw refuse(Rule.SIGNATURE, cert, "has a signature that does not verify under its CA key "
                    + KeyUtils.getFingerPrint(ca) + " (altered or forged)");
        }
    }

    private void checkValidity(OpenSshCertificate cert) throws CertificateRefusedException {
        long now = clock.instant().getEpochSecond();
        if (Long.compareUnsigned(now, cert.getValidAfter()) < 0) {
            throw refuse(Rule.NOT_YET_VALID, cert, "is not valid before " + Certificates.time(cert.getValidAfter())
                    + " (now " + Certificates.time(now) + ")");
        }
        if (Long.compareUnsigned(now, cert.getValidBefore()) >= 0) {
            throw refuse(Rule.EXPIRED, cert, "expired at " + Certificates.time(cert.getValidBefore())
                    + " (now " + Certificates.time(now) + ")");
        }
    }

    private static List<String> principals(OpenSshCertificate cert, Pattern rule)
            throws CertificateRefusedException {
        Collection<String> principals = cert.getPrincipals();
        if (principals == null || principals.isEmpty()) {
            throw refuse(Rule.PRINCIPALS, cert, "has no principals (OpenSSH would accept it for anyone; gproc"
                    + " needs the certificate to name who it is for)");
        }
        for (String p : principals) {
            if (p == null || !rule.matcher(p).matches()) {
                throw refuse(Rule.PRINCIPALS, cert, "names principal " + Certificates.quote(p)
                        + ", which is not a valid gproc principal");
            }
        }
        return List.copyOf(principals);
    }

    private static String quoted(List<String> principals) {
        return String.join(", ", principals.stream().map(Certificates::quote).toList());
    }

    private static String name(OpenSshCertificate.Type type) {
        return type == null ? "unknown" : type.name().toLowerCase(Locale.ROOT);
    }

    private static CertificateRefusedException refuse(Rule rule, OpenSshCertificate cert, String what) {
        return new CertificateRefusedException(rule, Certificates.describe(cert) + " " + what);
    }
}
