package org.gproc.transport.cert

import org.apache.sshd.common.config.keys.KeyUtils
import org.apache.sshd.common.config.keys.OpenSshCertificate
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.OpenSsh
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.time.Clock
import java.time.Duration
import java.time.Instant
import java.time.ZoneOffset

@Timeout(120)
class CertificateAuthoritySpec extends Specification {
    static final Instant NOW = Instant.parse('2030-01-01T12:00:00Z')

    @TempDir
    Path dir

    def "init writes an owner-only OpenSSH Ed25519 CA key and its .pub, and load reads the same key back"() {
        when:
        def ca = CertificateAuthority.init(dir.resolve('ca-dir'))

        then:
        Path key = dir.resolve('ca-dir/ca')
        ca.keyFile() == key
        PosixFilePermissions.toString(Files.getPosixFilePermissions(key)) == 'rw-------'
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve('ca-dir'))) == 'rwx------'
        Files.readString(key).startsWith('-----BEGIN OPENSSH PRIVATE KEY-----')
        Files.readString(dir.resolve('ca-dir/ca.pub')).startsWith(ca.publicKeyLine() + ' gproc-ca')
        OpenSsh.fingerprint(dir.resolve('ca-dir/ca.pub')) == Keys.fingerprint(ca.publicKey())
        CertificateAuthority.load(dir.resolve('ca-dir')).publicKey() == ca.publicKey()
    }

    def "init never replaces an existing CA key, and load of an uninitialised CA says how to make one"() {
        given:
        CertificateAuthority.init(dir)
        byte[] before = Files.readAllBytes(dir.resolve('ca'))

        when:
        CertificateAuthority.init(dir)

        then:
        IOException e = thrown()
        e.message == "CA ${dir}: already initialised (${dir.resolve('ca')} exists); refusing to replace a CA key every certificate depends on"
        Files.readAllBytes(dir.resolve('ca')) == before

        when:
        CertificateAuthority.load(dir.resolve('elsewhere'))

        then:
        IOException e2 = thrown()
        e2.message.endsWith('run: gproc keys ca init')
    }

    def "a user certificate holds exactly what was asked, back-dated by the clock skew allowance"() {
        given:
        def ca = CertificateAuthority.init(dir).withClock(Clock.fixed(NOW, ZoneOffset.UTC))
        def user = Keys.generate().public

        when:
        OpenSshCertificate cert = ca.signUser(user, ['alice@lab', 'alice'], Duration.ofHours(8), 7, 'alice-laptop')

        then:
        cert.type == OpenSshCertificate.Type.USER
        cert.keyType == 'ssh-ed25519-cert-v01@openssh.com'
        cert.certPubKey == user
        KeyUtils.compareKeys(cert.caPubKey, ca.publicKey())
        cert.principals as List == ['alice@lab', 'alice']
        cert.serial == 7
        cert.id == 'alice-laptop'
        cert.validAfter == NOW.minus(CertificateAuthority.CLOCK_SKEW).epochSecond
        cert.validBefore == NOW.plus(Duration.ofHours(8)).epochSecond
        cert.criticalOptions.isEmpty()
        cert.extensions.isEmpty()
        cert.signatureAlgorithm == 'ssh-ed25519'

        and: 'its line and blob decode back to the same certificate'
        Certificates.parse(Certificates.line(cert, 'c'), 'test').message == cert.message
        (Certificates.decodeBlob(Certificates.blob(cert), 'test') as OpenSshCertificate).signature == cert.signature
    }

    def "signing refuses #what, naming the rule"() {
        given:
        def ca = CertificateAuthority.init(dir)

        when:
        ca.signUser(key(), principals, validity, 1, keyId)

        then:
        IOException e = thrown()
        e.message.startsWith('sign-user: ')
        e.message.contains(message)

        where:
        what                      | key                                                    | principals         | validity              | keyId  || message
        'no principals'           | { Keys.generate().public }                             | []                 | Duration.ofHours(1)   | 'id'   || 'at least one principal is required'
        'a principal with spaces' | { Keys.generate().public }                             | ['alice smith']    | Duration.ofHours(1)   | 'id'   || "principal 'alice smith' is not valid"
        'a principal with a NL'   | { Keys.generate().public }                             | ["a\nb"]           | Duration.ofHours(1)   | 'id'   || "principal 'a\\u000ab' is not valid"
        'a duplicate principal'   | { Keys.generate().public }                             | ['alice', 'alice'] | Duration.ofHours(1)   | 'id'   || "principal 'alice' given twice"
        'a zero validity'         | { Keys.generate().public }                             | ['alice']          | Duration.ZERO         | 'id'   || 'validity PT0S must be positive'
        'a negative validity'     | { Keys.generate().public }                             | ['alice']          | Duration.ofHours(-1)  | 'id'   || 'validity PT-1H must be positive'
        'an empty key id'         | { Keys.generate().public }                             | ['alice']          | Duration.ofHours(1)   | ''     || "key id '' must be 1 to 255 printable ASCII"
        'a key id with a tab'     | { Keys.generate().public }                             | ['alice']          | Duration.ofHours(1)   | "a\tb" || 'must be 1 to 255 printable ASCII'
        'an ECDSA key'            | { KeyUtils.generateKeyPair('ecdsa-sha2-nistp256', 256).public } | ['alice'] | Duration.ofHours(1) | 'id'   || 'key is ecdsa-sha2-nistp256; gproc certifies only ssh-ed25519 keys'
    }

    def "host principals are host names or addresses: #principal is refused"() {
        given:
        def ca = CertificateAuthority.init(dir)

        when:
        ca.signHost(Keys.generate().public, [principal], Duration.ofDays(1), 1, 'n17')

        then:
        IOException e = thrown()
        e.message.startsWith("sign-host: principal ")
        e.message.contains('a host name or IP address')

        where:
        principal << ['n17 n18', '*.lab', '', 'n17/x', '-n17']
    }

    def "signing a KEY.pub file writes KEY-cert.pub beside it, keeping the key's comment"() {
        given:
        def ca = CertificateAuthority.init(dir.resolve('ca'))
        Path key = OpenSsh.keygen(dir, 'id_ed25519', 'alice@laptop')

        when:
        Path cert = ca.signUserKeyFile(Path.of("${key}.pub"), ['alice@lab'], Duration.ofHours(1), 3, 'alice')

        then:
        cert == dir.resolve('id_ed25519-cert.pub')
        Files.readString(cert).startsWith('ssh-ed25519-cert-v01@openssh.com AAAA')
        Files.readString(cert).endsWith(' alice@laptop\n')
        Certificates.read(cert).principals as List == ['alice@lab']
        PosixFilePermissions.toString(Files.getPosixFilePermissions(cert)) == 'rw-r--r--'
    }

    def "signing a key file that is not an Ed25519 public key is refused, naming the file"() {
        given:
        def ca = CertificateAuthority.init(dir.resolve('ca'))
        Path pub = prepare(dir)

        when:
        ca.signUserKeyFile(pub, ['alice'], Duration.ofHours(1), 1, 'alice')

        then:
        IOException e = thrown()
        e.message.startsWith("public key ${pub}: ")
        e.message.contains(message)
        !Files.exists(Certificates.certificateFileFor(pub))

        where:
        message                          | prepare
        'no such file'                   | { Path d -> d.resolve('missing.pub') }
        'is a ecdsa-sha2-nistp256 key'   | { Path d -> Path.of("${OpenSsh.keygen(d, 'ec', 'x', 'ecdsa')}.pub") }
        'key is not valid base64'        | { Path d -> Files.writeString(d.resolve('bad.pub'), 'ssh-ed25519 !!!! x\n') }
        'holds no key line'              | { Path d -> Files.writeString(d.resolve('empty.pub'), '# nothing\n') }
    }
}
