package org.gproc.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.buffer.BufferException;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * The OpenSSH text and blob formats a daemon or client reads from files and from peers: authorized_keys and
 * known_hosts lines (gproc's parsers, which never throw and report problems per line), and public key blobs (what
 * a client presents during user authentication, before anything is authenticated).
 * Inputs are UTF-8 text (one file line per line) or raw blobs, so regression inputs are readable files.
 */
class OpenSshKeyLinesFuzzTest {
    private static final Path FILE = Path.of("fuzz");
    private static final Pattern PRINCIPAL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+=-]{0,127}");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final PublicKey SOME_KEY = someKey();

    @FuzzTest(maxDuration = "3m")
    void authorizedKeys(byte[] text) throws IOException {
        List<String> lines = lines(text);
        AuthorizedKeys keys = AuthorizedKeys.parse(FILE, lines);
        assertTrue(keys.entries().size() + keys.problems().size() <= lines.size());
        for (AuthorizedKeys.Entry e : keys.entries()) {
            assertTrue(PRINCIPAL.matcher(e.principal()).matches(), () -> "principal " + e.principal());
            assertEquals(CryptoPolicy.KEY_TYPE, Keys.publicKeyLine(Keys.fromBlob(CryptoPolicy.KEY_TYPE, e.blob()))
                    .split(" ")[0]);
            e.refusal(LOOPBACK, Instant.EPOCH);
            e.refusal(LOOPBACK, Instant.now());
        }
        keys.authorize(SOME_KEY, LOOPBACK, Instant.now());
        keys.problems().forEach(p -> assertTrue(p.startsWith("authorized_keys fuzz line "), p));
    }

    @FuzzTest(maxDuration = "3m")
    void knownHosts(byte[] text) {
        List<String> lines = lines(text);
        KnownHosts hosts = KnownHosts.parse(FILE, lines);
        assertTrue(hosts.entries().size() + hosts.problems().size() <= lines.size());
        for (KnownHosts.Entry e : hosts.entries()) {
            e.matches("n1", 5640);
            e.matches("127.0.0.1", 22);
            assertNotNull(e.fingerprint());
        }
        assertNotNull(hosts.check("n1", 5640, SOME_KEY).status());
        assertNotNull(hosts.check("127.0.0.1", 22, SOME_KEY).status());
    }

    /** Our blob decoder: only IOException, naming the problem. */
    @FuzzTest(maxDuration = "3m")
    void publicKeyBlob(byte[] blob) {
        try {
            PublicKey key = Keys.fromBlob(CryptoPolicy.KEY_TYPE, blob);
            assertEquals(CryptoPolicy.KEY_TYPE, Keys.publicKeyLine(key).split(" ")[0]);
        } catch (IOException refused) {
            assertNotNull(refused.getMessage());
        }
    }

    /**
     * SSHD's own readers, as the SSH layer uses them on a peer's user-auth key blob (certificates included) and
     * on authorized_keys / known_hosts lines. Their documented refusals are IOException (SshException),
     * GeneralSecurityException, IllegalArgumentException and SSHD's BufferException; anything else escaping is
     * a finding to report upstream. Known: SSHD 2.20's AuthorizedKeyEntry throws IllegalStateException for a
     * repeated boolean option ({@code no-pty,no-pty ssh-ed25519 ...}; inputs {@code sshd-repeated-boolean-option}
     * and {@code crash-e52c...}); gproc's own AuthorizedKeys refuses that line with "option given twice".
     * Known: a key line whose blob names a certificate type in other letter case
     * ({@code ssh-ed25519-Cert-v01@openssh.com}) makes SSHD 2.20's line decoder pick the certificate parser
     * (case-insensitive) and {@code OpenSshCertificateImpl.getRawKeyType} throw StringIndexOutOfBoundsException
     * (inputs {@code sshd-cert-type-case} and {@code crash-f19a...}); the wire path ({@code getRawPublicKey}) and
     * gproc's {@code Certificates.parse} refuse it with an IOException.
     */
    @FuzzTest(maxDuration = "3m")
    void sshdReaders(byte[] input) {
        try {
            new ByteArrayBuffer(input).getRawPublicKey();
        } catch (IOException | IllegalArgumentException | BufferException refused) {
            // refused as documented
        }
        String line = new String(input, StandardCharsets.UTF_8);
        try {
            AuthorizedKeyEntry entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(line);
            if (entry != null) {
                entry.resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
            }
        } catch (IOException | GeneralSecurityException | IllegalArgumentException | BufferException refused) {
            // refused as documented
        } catch (IllegalStateException repeatedOption) {
            // SSHD's undocumented refusal of a repeated boolean option (see above); nothing else may throw this
            assertTrue(String.valueOf(repeatedOption.getMessage()).contains("re-specified"), repeatedOption::toString);
        } catch (StringIndexOutOfBoundsException certTypeCase) {
            // SSHD's bug with a certificate type in other letter case (see above); only from that one method
            assertEquals("getRawKeyType", certTypeCase.getStackTrace()[firstSshdFrame(certTypeCase)].getMethodName(),
                    certTypeCase::toString);
        }
        try {
            KnownHostEntry entry = KnownHostEntry.parseKnownHostEntry(line);
            if (entry != null) {
                entry.isHostMatch("n1", 5640);
            }
        } catch (IllegalArgumentException refused) {
            // refused as documented
        }
    }

    private static int firstSshdFrame(Throwable t) {
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].getClassName().startsWith("org.apache.sshd.")) {
                return i;
            }
        }
        return 0;
    }

    private static List<String> lines(byte[] text) {
        return new String(text, StandardCharsets.UTF_8).lines().toList();
    }

    private static PublicKey someKey() {
        KeyPair pair = Keys.generate();
        return pair.getPublic();
    }
}
