package org.gproc.transport.ssh;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The user certificate a connection authenticated with, as verified by
 * {@link org.gproc.transport.cert.CertificateChecks}.
 *
 * @param serial        the certificate serial, unsigned (print with {@link Long#toUnsignedString(long)})
 * @param keyId         the key id the CA wrote (peer-chosen text: escape before logging)
 * @param principals    every principal the certificate holds
 * @param validBefore   when it stops being valid; empty for "forever"
 * @param caFingerprint {@code SHA256:...} of the CA key that signed it
 */
public record CertificateInfo(long serial, String keyId, List<String> principals, Optional<Instant> validBefore,
        String caFingerprint) {

    public CertificateInfo {
        Objects.requireNonNull(keyId, "keyId");
        principals = List.copyOf(principals);
        Objects.requireNonNull(validBefore, "validBefore");
        Objects.requireNonNull(caFingerprint, "caFingerprint");
    }

    @Override
    public String toString() {
        return "certificate serial " + Long.toUnsignedString(serial) + " id " + Printable.of(keyId) + " from CA "
                + caFingerprint + validBefore.map(t -> " until " + t).orElse("");
    }
}
