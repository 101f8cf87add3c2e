package org.gproc.transport.cert

import org.gproc.transport.ssh.Keys
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.nio.file.attribute.FileTime
import java.security.KeyPair
import java.time.Clock
import java.time.Duration
import java.time.Instant
import java.time.ZoneOffset

@Timeout(120)
class RevocationListSpec extends Specification {
    static final Instant NOW = Instant.parse('2030-01-01T12:00:00Z')

    @TempDir Path dir
    @Shared @TempDir Path caDir
    @Shared CertificateAuthority ca
    @Shared KeyPair alice = Keys.generate()
    @Shared KeyPair bob = Keys.generate()
    @Shared KeyPair carol = Keys.generate()

    def setupSpec() {
        ca = CertificateAuthority.init(caDir).withClock(Clock.fixed(NOW, ZoneOffset.UTC))
    }

    def cert(KeyPair key, long serial, String id) {
        ca.signUser(key.public, ['p'], Duration.ofHours(1), serial, id)
    }

    def "each directive revokes what it names and nothing else"() {
        given:
        Path file = dir.resolve('revoked')
        Files.writeString(file, """\
            # revoked 2030-01-01
            serial: 7
            serial: 100-199
            id: stolen-laptop
            key: ${Keys.publicKeyLine(alice.public)}

            hash: ${Keys.fingerprint(carol.public)}
            """.stripIndent())
        def list = RevocationList.load(file)
        def other = CertificateAuthority.init(dir.resolve('other')).withClock(Clock.fixed(NOW, ZoneOffset.UTC))

        expect:
        list.revocation(cert(bob, 7, 'x')).contains('serial 7 is revoked')
        list.revocation(cert(bob, 150, 'x')).contains('serial 150 is revoked')
        list.revocation(cert(bob, 1, 'stolen-laptop')).contains("key id 'stolen-laptop' is revoked")
        list.revocation(alice.public).startsWith('key SHA256:')
        list.revocation(cert(alice, 1, 'x')).startsWith('its key SHA256:')
        list.revocation(carol.public).startsWith('key SHA256:')
        list.revocation(ca.publicKey()) == null

        and: 'certificates from another CA for other keys, serials and ids pass'
        list.revocation(other.signUser(bob.public, ['p'], Duration.ofHours(1), 8, 'y')) == null
        list.revocation(other.signUser(bob.public, ['p'], Duration.ofHours(1), 200, 'y')) == null
        list.revocation(bob.public) == null
    }

    def "a bare public key line revokes the key, and a certificate line revokes the certified key"() {
        given:
        Path file = dir.resolve('revoked')
        Files.writeString(file, Keys.publicKeyLine(alice.public) + ' alice@old-laptop\n'
                + Certificates.line(cert(bob, 3, 'b'), 'bob') + '\n')

        expect:
        RevocationList.load(file).revocation(alice.public) != null
        RevocationList.load(file).revocation(bob.public) != null
    }

    def "the list is re-read when the file changes, without a restart"() {
        given:
        Path file = dir.resolve('revoked')
        Files.writeString(file, '# nothing yet\n')
        Files.setLastModifiedTime(file, FileTime.from(NOW))
        def list = RevocationList.load(file)
        def c = cert(bob, 42, 'bob')

        expect:
        list.revocation(c) == null

        when: 'an operator adds a serial (the mtime moves on, as any edit makes it)'
        Files.writeString(file, 'serial: 42\n')
        Files.setLastModifiedTime(file, FileTime.from(NOW.plusSeconds(1)))

        then:
        list.revocation(c).contains('serial 42 is revoked')

        when: 'and takes it out again, replacing the file by rename'
        Path tmp = dir.resolve('revoked.tmp')
        Files.writeString(tmp, '# bob is fine\n')
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING)

        then:
        list.revocation(c) == null
    }

    def "a list that breaks after loading refuses everything until it is fixed"() {
        given:
        Path file = dir.resolve('revoked')
        Files.writeString(file, 'serial: 1\n')
        def list = RevocationList.load(file)

        when:
        Files.writeString(file, 'serial: 1\nserail: 2\n')
        Files.setLastModifiedTime(file, FileTime.from(NOW.plusSeconds(5)))

        then:
        list.revocation(bob.public) == "revocation list ${file} line 2: expected 'serial:', 'id:', 'key:', 'hash:' or a public key line; refusing every key until the revocation list is fixed"
        list.revocation(cert(bob, 9, 'b')).endsWith('refusing every certificate until the revocation list is fixed')

        when:
        Files.delete(file)

        then:
        list.revocation(bob.public).contains('cannot be read')

        when:
        Files.writeString(file, '# fixed\n')

        then:
        list.revocation(bob.public) == null
    }

    def "loading refuses #what, naming the file and the line"() {
        given:
        Path file = dir.resolve('revoked')
        Files.writeString(file, "# header\n${line}\n")

        when:
        RevocationList.load(file)

        then:
        IOException e = thrown()
        e.message == "revocation list ${file} line 2: ${message}"

        where:
        what                       | line                                   || message
        'a misspelt directive'     | 'serail: 7'                            || "expected 'serial:', 'id:', 'key:', 'hash:' or a public key line"
        'a signed serial'          | 'serial: -1'                           || "'serial:' needs an unsigned decimal serial or range N-M, not '-1'"
        'a serial too big'         | 'serial: 18446744073709551616'         || "'serial:' needs an unsigned decimal serial or range N-M, not '18446744073709551616'"
        'a backwards range'        | 'serial: 9-3'                          || "serial range '9-3' runs backwards"
        'an empty id'              | 'id:'                                  || "'id:' needs a key id"
        'a key that is not base64' | 'key: ssh-ed25519 ***'                 || 'key is not valid base64'
        'a truncated key'          | 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5'     || 'key: cannot be decoded: ' + decodeError('AAAAC3NzaC1lZDI1NTE5')
        'a hash of another kind'   | 'hash: MD5:aa:bb'                      || "'hash:' needs a SHA256: fingerprint as ssh-keygen -l prints it"
    }

    def "parsed text names its source in verdicts and refusals, and is never re-read"() {
        given:
        def list = RevocationList.parse(Path.of('inline'), ['serial: 3'])

        expect:
        list.revocation(cert(bob, 3, 'b')) == 'serial 3 is revoked in inline'

        when:
        RevocationList.parse(Path.of('inline'), ['# x', 'serial: x'])

        then:
        IOException e = thrown()
        e.message == "revocation list inline line 2: 'serial:' needs an unsigned decimal serial or range N-M, not 'x'"
    }

    def "a missing file is an error at load: --revoked must name a file that exists"() {
        when:
        RevocationList.load(dir.resolve('nope'))

        then:
        IOException e = thrown()
        e.message.startsWith("revocation list ${dir.resolve('nope')}: cannot be read")
    }

    def "the largest serial is revocable (serials are unsigned 64-bit)"() {
        given:
        Path file = dir.resolve('revoked')
        Files.writeString(file, 'serial: 18446744073709551615\n')

        expect:
        RevocationList.load(file).revocation(cert(bob, -1L, 'max')).contains('serial 18446744073709551615 is revoked')
        RevocationList.load(file).revocation(cert(bob, Long.MAX_VALUE, 'big')) == null
    }

    static String decodeError(String b64) {
        try {
            Certificates.decodeBlob(Base64.decoder.decode(b64), 'key')
            'none'
        } catch (IOException e) {
            e.message.substring('key: cannot be decoded: '.length())
        }
    }
}
