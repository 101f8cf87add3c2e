package org.gproc.transport.cert

import org.apache.sshd.certificate.OpenSshCertificateBuilder
import org.apache.sshd.common.config.keys.KeyUtils
import org.apache.sshd.common.config.keys.OpenSshCertificate
import org.gproc.transport.cert.CertificateRefusedException.Rule
import org.gproc.transport.ssh.Keys
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.ByteBuffer
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.time.Clock
import java.time.Duration
import java.time.Instant
import java.time.ZoneOffset

@Timeout(120)
class CertificateChecksSpec extends Specification {
    static final Instant NOW = Instant.parse('2030-01-01T12:00:00Z')
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC)

    @Shared @TempDir Path dir
    @Shared CertificateAuthority ca
    @Shared KeyPair caPair
    @Shared CertificateAuthority otherCa
    @Shared KeyPair user = Keys.generate()

    def setupSpec() {
        ca = CertificateAuthority.init(dir.resolve('ca')).withClock(CLOCK)
        caPair = Keys.loadPrivateKey(ca.keyFile())
        otherCa = CertificateAuthority.init(dir.resolve('other')).withClock(CLOCK)
    }

    CertificateChecks checks(RevocationList revoked = RevocationList.none(), Clock clock = CLOCK) {
        CertificateChecks.trusting([ca.publicKey()], revoked, clock)
    }

    OpenSshCertificate alice() {
        ca.signUser(user.public, ['alice@lab', 'alice'], Duration.ofHours(8), 7, 'alice-laptop')
    }

    def "a user certificate from the trusted CA authenticates its first principal"() {
        expect:
        checks().checkUser(alice(), Optional.empty()) == 'alice@lab'
    }

    def "an explicitly requested principal is used when the certificate holds it"() {
        expect:
        checks().checkUser(alice(), Optional.of('alice')) == 'alice'
    }

    def "a requested principal the certificate does not hold is refused (bob cannot become bob with alice's certificate)"() {
        when:
        checks().checkUser(alice(), Optional.of('bob'))

        then:
        CertificateRefusedException e = thrown()
        e.rule() == Rule.PRINCIPALS
        e.message == "certificate 'alice-laptop' (serial 7) does not hold the requested principal 'bob' (it holds 'alice@lab', 'alice')"
    }

    def "#what is refused by rule #rule"() {
        when:
        checks(revoked(dir)).checkUser(presented(), Optional.empty())

        then:
        CertificateRefusedException e = thrown()
        e.rule() == rule
        e.message.startsWith(prefix)
        e.message.contains(message)

        where:
        what                              | rule                   | prefix                                    | message                                       | revoked                           | presented
        'a plain key'                     | Rule.NOT_A_CERTIFICATE | 'key SHA256:'                             | 'is not a certificate'                        | { RevocationList.none() }          | { user.public }
        'a host certificate'              | Rule.CERTIFICATE_TYPE  | "certificate 'n17' (serial 9)"            | 'is a host certificate, not a user certificate' | { RevocationList.none() }        | { ca.signHost(user.public, ['n17'], Duration.ofDays(1), 9, 'n17') }
        'another CA\'s certificate'       | Rule.UNTRUSTED_CA      | "certificate 'alice-laptop' (serial 7)"   | 'which is not a trusted CA'                   | { RevocationList.none() }          | { otherCa.signUser(user.public, ['alice@lab'], Duration.ofHours(1), 7, 'alice-laptop') }
        'a tampered principal'            | Rule.SIGNATURE         | "certificate 'alice-laptop' (serial 7)"   | 'does not verify under its CA key'            | { RevocationList.none() }          | { tamper(alice(), 'alice@lab', 'admin@lab') }
        'a malformed signature field'     | Rule.SIGNATURE         | "certificate 'alice-laptop' (serial 7)"   | 'has a malformed signature field (Underflow' | { RevocationList.none() }       | { breakSignatureField(alice()) }
        'a tampered validity'             | Rule.SIGNATURE         | "certificate 'old' (serial 3)"            | 'does not verify under its CA key'            | { RevocationList.none() }          | { extendValidity(built(['alice'], 'old', 3, NOW.minusSeconds(7200), NOW.minusSeconds(3600), [:])) }
        'an expired certificate'          | Rule.EXPIRED           | "certificate 'old' (serial 3)"            | 'expired at 2030-01-01T11:00:00Z (now 2030-01-01T12:00:00Z)' | { RevocationList.none() } | { built(['alice'], 'old', 3, NOW.minusSeconds(7200), NOW.minusSeconds(3600), [:]) }
        'a certificate valid from later'  | Rule.NOT_YET_VALID     | "certificate 'new' (serial 4)"            | 'is not valid before 2030-01-01T13:00:00Z'    | { RevocationList.none() }          | { built(['alice'], 'new', 4, NOW.plusSeconds(3600), NOW.plusSeconds(7200), [:]) }
        'a certificate ending right now'  | Rule.EXPIRED           | "certificate 'edge' (serial 5)"           | 'expired at 2030-01-01T12:00:00Z'             | { RevocationList.none() }          | { built(['alice'], 'edge', 5, NOW.minusSeconds(60), NOW, [:]) }
        'force-command'                   | Rule.CRITICAL_OPTION   | "certificate 'fc' (serial 6)"             | "critical option 'force-command': a forced command cannot be honoured" | { RevocationList.none() } | { built(['alice'], 'fc', 6, NOW.minusSeconds(60), NOW.plusSeconds(60), ['force-command': '/bin/sh']) }
        'verify-required'                 | Rule.CRITICAL_OPTION   | "certificate 'vr' (serial 6)"             | "critical option 'verify-required': FIDO"     | { RevocationList.none() }          | { built(['alice'], 'vr', 6, NOW.minusSeconds(60), NOW.plusSeconds(60), ['verify-required': '']) }
        'source-address'                  | Rule.CRITICAL_OPTION   | "certificate 'sa' (serial 6)"             | "critical option 'source-address'"            | { RevocationList.none() }          | { built(['alice'], 'sa', 6, NOW.minusSeconds(60), NOW.plusSeconds(60), ['source-address': '10.0.0.0/8']) }
        'an unknown critical option'      | Rule.CRITICAL_OPTION   | "certificate 'uk' (serial 6)"             | "critical option 'permit-all@example.com': it is not an option gprocd understands" | { RevocationList.none() } | { built(['alice'], 'uk', 6, NOW.minusSeconds(60), NOW.plusSeconds(60), ['permit-all@example.com': '']) }
        'no principals'                   | Rule.PRINCIPALS        | "certificate 'anyone' (serial 8)"         | 'has no principals'                           | { RevocationList.none() }          | { built([], 'anyone', 8, NOW.minusSeconds(60), NOW.plusSeconds(60), [:]) }
        'a principal gproc cannot log'    | Rule.PRINCIPALS        | "certificate 'sp' (serial 8)"             | "names principal 'alice smith'"               | { RevocationList.none() }          | { built(['alice smith'], 'sp', 8, NOW.minusSeconds(60), NOW.plusSeconds(60), [:]) }
        'a hostile key id'                | Rule.EXPIRED           | "certificate 'x\\u000aAccepted alice' (serial 1)" | 'expired'                             | { RevocationList.none() }          | { built(['alice'], "x\nAccepted alice", 1, NOW.minusSeconds(7200), NOW.minusSeconds(3600), [:]) }
        'a revoked serial'                | Rule.REVOKED           | "certificate 'alice-laptop' (serial 7)"   | 'is revoked: serial 7 is revoked in'          | { Path d -> list(d, 'serial: 5-9') } | { alice() }
        'a revoked key id'                | Rule.REVOKED           | "certificate 'alice-laptop' (serial 7)"   | "is revoked: key id 'alice-laptop' is revoked" | { Path d -> list(d, 'id: alice-laptop') } | { alice() }
        'a revoked key'                   | Rule.REVOKED           | "certificate 'alice-laptop' (serial 7)"   | 'is revoked: its key SHA256:'                 | { Path d -> list(d, Keys.publicKeyLine(user.public)) } | { alice() }
        'a revoked CA'                    | Rule.REVOKED           | "certificate 'alice-laptop' (serial 7)"   | 'is revoked: its CA key SHA256:'              | { Path d -> list(d, 'hash: ' + Keys.fingerprint(ca.publicKey())) } | { alice() }
    }

    def "a host certificate is accepted for a name it holds and refused for another"() {
        given:
        def host = ca.signHost(user.public, ['n17', 'n17.site-b.example', '10.0.0.17'], Duration.ofDays(30), 17, 'n17')

        when:
        checks().checkHost(host, 'n17.site-b.example')
        checks().checkHost(host, '10.0.0.17')

        then:
        noExceptionThrown()

        when:
        checks().checkHost(host, 'n18')

        then:
        CertificateRefusedException e = thrown()
        e.rule() == Rule.PRINCIPALS
        e.message == "certificate 'n17' (serial 17) is not valid for host 'n18' (it names 'n17', 'n17.site-b.example', '10.0.0.17')"
    }

    def "a user certificate presented as a host certificate is refused"() {
        when:
        checks().checkHost(alice(), 'alice@lab')

        then:
        CertificateRefusedException e = thrown()
        e.rule() == Rule.CERTIFICATE_TYPE
        e.message == "certificate 'alice-laptop' (serial 7) is a user certificate, not a host certificate"
    }

    def "the daemon learns when an accepted certificate expires, to close its sessions; forever is empty"() {
        expect:
        Certificates.validBefore(alice()) == Optional.of(NOW.plus(Duration.ofHours(8)))
        Certificates.validBefore(built(['alice'], 'f', 1, NOW.minusSeconds(60), null, [:])) == Optional.empty()
    }

    def "only Ed25519 CA keys can be trusted"() {
        when:
        CertificateChecks.trusting([KeyUtils.generateKeyPair('ecdsa-sha2-nistp256', 256).public],
                RevocationList.none(), CLOCK)

        then:
        IllegalArgumentException e = thrown()
        e.message.contains('gproc trusts only ssh-ed25519 CA keys')

        when:
        CertificateChecks.trusting([], RevocationList.none(), CLOCK)

        then:
        thrown(IllegalArgumentException)
    }

    // --- helpers ---

    OpenSshCertificate built(List<String> principals, String id, long serial, Instant after, Instant before,
                             Map<String, String> critical) {
        def b = OpenSshCertificateBuilder.userCertificate().publicKey(user.public).serial(serial).id(id)
                .validAfter(after).validBefore(before)
        if (principals) {
            b.principals(principals)
        }
        critical.each { k, v -> b.criticalOption(k, v) }
        b.sign(caPair)
    }

    /** Replaces {@code from} with {@code to} (same length) inside the signed blob: the signature no longer matches. */
    static OpenSshCertificate tamper(OpenSshCertificate cert, String from, String to) {
        assert from.length() == to.length()
        byte[] blob = Certificates.blob(cert)
        int at = indexOf(blob, from.getBytes(StandardCharsets.US_ASCII))
        assert at >= 0
        System.arraycopy(to.getBytes(StandardCharsets.US_ASCII), 0, blob, at, to.length())
        Certificates.decodeBlob(blob, 'tampered') as OpenSshCertificate
    }

    /** Moves valid-before far into the future inside the signed blob. */
    static OpenSshCertificate extendValidity(OpenSshCertificate cert) {
        byte[] blob = Certificates.blob(cert)
        byte[] before = ByteBuffer.allocate(8).putLong(cert.validBefore).array()
        int at = indexOf(blob, before)
        assert at >= 0
        ByteBuffer.wrap(blob).putLong(at, NOW.plusSeconds(86400).epochSecond)
        Certificates.decodeBlob(blob, 'tampered') as OpenSshCertificate
    }

    /** Makes the signature's algorithm name claim 11622 bytes, as the fuzzer's reproducer does. */
    static OpenSshCertificate breakSignatureField(OpenSshCertificate cert) {
        byte[] blob = Certificates.blob(cert)
        def out = new ByteArrayOutputStream()
        out.write([0, 0, 0, 11] as byte[])
        out.write('ssh-ed25519'.getBytes(StandardCharsets.US_ASCII))
        byte[] name = out.toByteArray()
        int at = -1
        for (int i = 0; i <= blob.length - name.length; i++) {
            if (Arrays.equals(blob, i, i + name.length, name, 0, name.length)) {
                at = i
            }
        }
        assert at > 0
        blob[at + 2] = (byte) 0x2D
        blob[at + 3] = (byte) 0x66
        Certificates.decodeBlob(blob, 'malformed') as OpenSshCertificate
    }

    static int indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i <= hay.length - needle.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return i
            }
        }
        -1
    }

    static RevocationList list(Path d, String line) {
        Path f = Files.createTempFile(d, 'revoked', '.txt')
        Files.writeString(f, "# test\n${line}\n")
        RevocationList.load(f)
    }
}
