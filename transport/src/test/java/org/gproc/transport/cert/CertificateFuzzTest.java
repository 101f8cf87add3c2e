package org.gproc.transport.cert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.certificate.OpenSshCertificateBuilder;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.ssh.Keys;

/**
 * Certificates as a hostile client presents them. The contract of {@link CertificateChecks}: only
 * {@link CertificateRefusedException} escapes, and what it accepts is a valid, unrevoked, option-free user
 * certificate from the trusted CA whose returned principal it holds.
 */
class CertificateFuzzTest {
    /** The CA of the seed certificates (signed once with ssh-keygen -s; the private key was not kept). */
    private static final PublicKey SEED_CA = seedCa();
    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
    private static final KeyPair SIGNING_CA = Keys.generate();
    private static final KeyPair USER = Keys.generate();

    /** Raw blobs (what SSHD hands the authenticator after parsing a client's user-auth request). */
    @FuzzTest(maxDuration = "3m")
    void presentedBlob(byte[] blob) {
        PublicKey presented;
        try {
            presented = Certificates.decodeBlob(blob, "fuzz");
        } catch (IOException refused) {
            return;
        }
        CertificateChecks checks = CertificateChecks.trusting(List.of(SEED_CA), RevocationList.none(),
                Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC));
        check(checks, presented, Optional.empty());
        check(checks, presented, Optional.of("alice@lab"));
        try {
            checks.checkHost(presented, "n17");
        } catch (CertificateRefusedException refused) {
            assertNotNull(refused.rule());
        }
    }

    /** Arbitrary field values, correctly signed: exercises every check after the signature. */
    @FuzzTest(maxDuration = "3m")
    void signedFields(FuzzedDataProvider data) throws Exception {
        OpenSshCertificateBuilder builder = data.consumeBoolean()
                ? OpenSshCertificateBuilder.userCertificate() : OpenSshCertificateBuilder.hostCertificate();
        builder.publicKey(USER.getPublic()).serial(data.consumeLong()).id(data.consumeString(40))
                .nonce(new byte[32])
                .validAfter(NOW.getEpochSecond() + data.consumeLong(-100_000, 100_000))
                .validBefore(data.consumeBoolean() ? -1L : NOW.getEpochSecond() + data.consumeLong(-100_000, 100_000));
        List<String> principals = new ArrayList<>();
        for (int i = data.consumeInt(0, 3); i > 0; i--) {
            principals.add(data.consumeString(20));
        }
        builder.principals(principals);
        for (int i = data.consumeInt(0, 2); i > 0; i--) {
            try {
                builder.criticalOption(data.consumeString(20), data.consumeString(20));
            } catch (IllegalArgumentException emptyName) {
                // the builder refuses an empty option name before signing; nothing to check
            }
        }
        OpenSshCertificate cert = builder.sign(SIGNING_CA);
        Optional<String> requested = data.consumeBoolean() ? Optional.of(data.consumeString(20)) : Optional.empty();
        CertificateChecks checks = CertificateChecks.trusting(List.of(SIGNING_CA.getPublic()), RevocationList.none(),
                Clock.fixed(NOW, ZoneOffset.UTC));
        String principal = check(checks, cert, requested);
        if (principal != null) {
            assertEquals(OpenSshCertificate.Type.USER, cert.getType());
            assertTrue(cert.getCriticalOptions().isEmpty());
            assertTrue(Long.compareUnsigned(cert.getValidAfter(), NOW.getEpochSecond()) <= 0);
            assertTrue(Long.compareUnsigned(NOW.getEpochSecond(), cert.getValidBefore()) < 0);
            assertTrue(cert.getPrincipals().contains(principal));
            assertTrue(Certificates.USER_PRINCIPAL.matcher(principal).matches());
            requested.ifPresent(r -> assertEquals(r, principal));
        }
    }

    /** The --revoked file: refused with IOException or parsed, and then never throws on a query. */
    @FuzzTest(maxDuration = "3m")
    void revocationList(byte[] text) {
        RevocationList list;
        try {
            list = RevocationList.parse(Path.of("fuzz"),
                    new String(text, StandardCharsets.UTF_8).lines().toList());
        } catch (IOException refused) {
            assertTrue(refused.getMessage().startsWith("revocation list fuzz line "), refused.getMessage());
            return;
        }
        list.revocation(USER.getPublic());
        list.revocation(SEED_CA);
    }

    private static String check(CertificateChecks checks, PublicKey presented, Optional<String> requested) {
        try {
            return checks.checkUser(presented, requested);
        } catch (CertificateRefusedException refused) {
            assertNotNull(refused.rule());
            assertNotNull(refused.getMessage());
            assertTrue(refused.getMessage().indexOf('\n') < 0, () -> "message spans lines: " + refused.getMessage());
            return null;
        }
    }

    private static PublicKey seedCa() {
        try (var in = CertificateFuzzTest.class.getResourceAsStream("fuzz-ca.pub")) {
            String[] f = new String(in.readAllBytes(), StandardCharsets.US_ASCII).split(" ");
            return Keys.fromBlob(f[0], Base64.getDecoder().decode(f[1]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
