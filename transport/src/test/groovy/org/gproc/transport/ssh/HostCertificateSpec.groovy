package org.gproc.transport.ssh

import org.apache.sshd.common.config.keys.OpenSshCertificate
import org.apache.sshd.common.keyprovider.HostKeyCertificateProvider
import org.apache.sshd.common.signature.BuiltinSignatures
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator
import org.gproc.transport.cert.CertificateAuthority
import org.gproc.transport.cert.CertificateRefusedException.Rule
import org.gproc.transport.cert.Certificates
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.time.Duration
import java.util.concurrent.atomic.AtomicInteger

import static org.gproc.transport.ssh.KnownHosts.Status.*

/**
 * The client against a real node that presents a host certificate (made by our CA or by ssh-keygen -s), judged by
 * known_hosts {@code @cert-authority} and {@code @revoked} lines. Every refusal must come before authentication.
 */
@Timeout(300)
class HostCertificateSpec extends Specification {

    @Shared @TempDir Path dir
    @Shared CertificateAuthority ca
    @Shared Path otherCaKey, aliceKey, hostKeyFile
    @Shared KeyPair hostKey
    @Shared SshNodeServer server
    @Shared EchoNineP echo = new EchoNineP()
    @Shared AtomicInteger authAttempts = new AtomicInteger()
    @Shared volatile OpenSshCertificate presented
    @Shared int port
    @Shared int serials = 100

    def setupSpec() {
        ca = CertificateAuthority.init(dir.resolve('ca'))
        otherCaKey = OpenSsh.keygen(dir, 'other_ca', 'some other CA')
        aliceKey = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        hostKeyFile = OpenSsh.keygen(dir, 'host_key', 'n17 host key')
        hostKey = Keys.loadPrivateKey(hostKeyFile)
        Path authorizedKeys = dir.resolve('authorized_keys')
        Files.copy(Path.of("${aliceKey}.pub"), authorizedKeys)
        server = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(hostKeyFile)
                .authorizedKeys(authorizedKeys).handler(echo).build().start()
        port = server.port()
        // One node presenting a different certificate per feature (SshNodeServer.hostCertificate fixes one per server;
        // ServerHostCertificateSpec covers that path).
        server.sshd().hostKeyCertificateProvider = { ctx -> presented == null ? [] : [presented] } as HostKeyCertificateProvider
        server.sshd().signatureFactories = [BuiltinSignatures.ed25519_cert, BuiltinSignatures.ed25519]
        PublickeyAuthenticator inner = server.sshd().publickeyAuthenticator
        server.sshd().publickeyAuthenticator = { user, key, session ->
            authAttempts.incrementAndGet()
            inner.authenticate(user, key, session)
        } as PublickeyAuthenticator
    }

    def cleanupSpec() {
        server?.close()
    }

    def setup() {
        presented = null
    }

    /** A copy of the host's .pub named {@code name}.pub, so each certificate gets its own -cert.pub file. */
    Path hostPub(String name) {
        Path pub = dir.resolve("${name}.pub")
        Files.copy(Path.of("${hostKeyFile}.pub"), pub, java.nio.file.StandardCopyOption.REPLACE_EXISTING)
        pub
    }

    /** Our CA signs the node's key for {@code principals}. */
    OpenSshCertificate gprocHostCert(String name, List<String> principals, Duration validity = Duration.ofHours(1)) {
        Certificates.read(ca.signHostKeyFile(hostPub(name), principals, validity, serials++, name))
    }

    /** ssh-keygen -s signs the node's key; {@code options} e.g. ['-h', '-n', 'n17', '-V', '+1h']. */
    OpenSshCertificate sshKeygenCert(String name, List<String> options, Path caKey = ca.keyFile()) {
        Path pub = hostPub(name)
        def r = OpenSsh.run(['ssh-keygen', '-q', '-s', caKey.toString(), '-I', name, '-z', "${serials++}".toString()]
                + options + [pub.toString()])
        assert r.exit == 0: "ssh-keygen -s failed: $r"
        Certificates.read(Certificates.certificateFileFor(pub))
    }

    Path knownHosts(String name, String text) {
        Path kh = dir.resolve(name)
        Files.writeString(kh, text)
        kh
    }

    String caLine(String patterns = "[127.0.0.1]:${port}") {
        "@cert-authority ${patterns} ${ca.publicKeyLine()}\n"
    }

    SshConnector connector(Path knownHosts, HostKeyPolicy policy = HostKeyPolicy.STRICT) {
        SshConnector.builder().identity(aliceKey).knownHosts(knownHosts).hostKeyPolicy(policy).build()
    }

    void opens(Path knownHosts, String host = '127.0.0.1', HostKeyPolicy policy = HostKeyPolicy.STRICT) {
        try (SshConnector c = connector(knownHosts, policy)) {
            c.open(host, port).close()
        }
    }

    HostKeyException refused(Path knownHosts, String host = '127.0.0.1', HostKeyPolicy policy = HostKeyPolicy.STRICT) {
        int before = authAttempts.get()
        try (SshConnector c = connector(knownHosts, policy)) {
            c.open(host, port).close()
        } catch (HostKeyException e) {
            assert authAttempts.get() == before: 'the client authenticated to a node it had not verified'
            return e
        }
        throw new AssertionError("connecting to $host port $port was not refused")
    }

    def "a node presenting a host certificate #how for the name we connect to is accepted"() {
        given:
        presented = how == 'from our CA' ? gprocHostCert('ok-gproc', ['n17', '127.0.0.1'])
                : sshKeygenCert('ok-keygen', ['-h', '-n', '127.0.0.1,n17', '-V', '-5m:+1h'])

        expect: 'the principal is matched against the host name alone, the [host]:port pattern against the line'
        opens(knownHosts("kh-ok-${how.size()}", caLine()))

        where:
        how << ['from our CA', 'made by ssh-keygen -s -h']
    }

    def "a @cert-authority line with wildcard patterns covers the host too"() {
        given:
        presented = gprocHostCert('ok-wild', ['127.0.0.1'])

        expect:
        opens(knownHosts('kh-wild', "other ${Keys.publicKeyLine(Keys.generate().public)}\n" + caLine('*')))
    }

    def "a host certificate is refused before authentication when #why"() {
        given:
        presented = cert()
        Path kh = knownHosts("kh-bad-${rule}", caLine())
        OpenSshCertificate shown = presented

        when:
        HostKeyException e = refused(kh)

        then:
        e.status() == CERTIFICATE_REFUSED
        e.certificateRule().get() == rule
        e.host() == '127.0.0.1'
        e.message.startsWith("127.0.0.1 port ${port}: host certificate refused (${rule})")
        e.message.contains("'${shown.id}' (serial ${shown.serial})")
        e.message.contains("line 1 trusts CA ${Keys.fingerprint(ca.publicKey())}")
        e.entry().lineNumber() == 1

        where:
        why                                   | rule                  | cert
        'its principals name another host'    | Rule.PRINCIPALS       | { gprocHostCert('bad-principal', ['n17', 'n17.site-b.example']) }
        'it expired'                          | Rule.EXPIRED          | { sshKeygenCert('bad-expired', ['-h', '-n', '127.0.0.1', '-V', '20200101:20200102']) }
        'it is not valid yet'                 | Rule.NOT_YET_VALID    | { sshKeygenCert('bad-future', ['-h', '-n', '127.0.0.1', '-V', '+1d:+2d']) }
        'another CA signed it'                | Rule.UNTRUSTED_CA     | { sshKeygenCert('bad-ca', ['-h', '-n', '127.0.0.1', '-V', '+1h'], otherCaKey) }
    }

    def "a user certificate is never taken for a host certificate (SSHD servers do not even offer one; a hostile node may)"() {
        given:
        OpenSshCertificate user = sshKeygenCert('bad-user', ['-n', '127.0.0.1', '-V', '+1h'])
        KnownHosts kh = KnownHosts.parse(dir.resolve('kh-user'), [caLine().strip()])

        when:
        def v = kh.check('127.0.0.1', port, user)

        then:
        v.status() == CERTIFICATE_REFUSED
        v.refusal().rule() == Rule.CERTIFICATE_TYPE
        v.refusal().message.contains("'bad-user'")
        v.refusal().message.contains('is a user certificate, not a host certificate')

        and: 'the same certificate signed as a host certificate passes the same check'
        kh.check('127.0.0.1', port, sshKeygenCert('good-host', ['-h', '-n', '127.0.0.1', '-V', '+1h'])).status() == TRUSTED
    }

    def "the principal must be the name we connect to, not the address it resolves to"() {
        given:
        presented = gprocHostCert('by-address', ['127.0.0.1'])
        Path kh = knownHosts('kh-name', caLine("[localhost]:${port},[127.0.0.1]:${port}"))

        expect:
        opens(kh, '127.0.0.1')
        with(refused(kh, 'localhost')) {
            certificateRule().get() == Rule.PRINCIPALS
            message.contains("not valid for host 'localhost'")
        }
    }

    def "a @cert-authority line for another port does not cover the node (its certificate's key is then unknown)"() {
        given:
        presented = gprocHostCert('other-port', ['127.0.0.1'])

        expect:
        refused(knownHosts('kh-port', caLine("[127.0.0.1]:${port + 1}"))).status() == UNKNOWN
    }

    def "with ACCEPT_NEW a refused certificate adds nothing to known_hosts"() {
        given:
        presented = gprocHostCert('accept-new-bad', ['n17'])
        Path kh = knownHosts('kh-accept-new', caLine())

        when:
        HostKeyException e = refused(kh, '127.0.0.1', HostKeyPolicy.ACCEPT_NEW)

        then:
        e.status() == CERTIFICATE_REFUSED
        Files.readString(kh) == caLine()
    }

    def "a node that presents a plain key where a CA vouches for the host is refused, even with ACCEPT_NEW"() {
        given: 'the certificate stripped, as a man in the middle holding only some key would'
        Path kh = knownHosts('kh-uncertified', caLine())

        when:
        HostKeyException e = refused(kh, '127.0.0.1', HostKeyPolicy.ACCEPT_NEW)

        then:
        e.status() == UNCERTIFIED
        e.message.contains('is not certified')
        e.message.contains("${kh} line 1")
        Files.readString(kh) == caLine()
    }

    def "@revoked refuses #what even though the CA vouches for the certificate, with ACCEPT_NEW too"() {
        given:
        presented = gprocHostCert("revoked-${what.size()}", ['127.0.0.1'])
        Path kh = knownHosts("kh-revoked-${what.size()}", caLine() + "@revoked * ${revokedLine()}\n")
        String before = Files.readString(kh)

        when:
        HostKeyException e = refused(kh, '127.0.0.1', HostKeyPolicy.ACCEPT_NEW)

        then:
        e.status() == REVOKED
        e.entry().lineNumber() == 2
        e.message.contains('is revoked by')
        e.message.contains(says.call())
        Files.readString(kh) == before

        where: 'the message says which key the line revokes: the node\'s own, or the CA that signed its certificate'
        what                  | revokedLine                               | says
        'the node key'        | { Keys.publicKeyLine(hostKey.public) }    | { "host key ${Keys.fingerprint(hostKey.public)}" }
        'the signing CA'      | { ca.publicKeyLine() }                    | { "the CA ${Keys.fingerprint(ca.publicKey())} that signed the node's host certificate is revoked" }
    }

    def "a valid certificate from a trusted CA is still refused when its key is @revoked for that host only"() {
        given:
        presented = gprocHostCert('revoked-host', ['127.0.0.1'])
        Path kh = knownHosts('kh-revoked-host', caLine('*')
                + "@revoked [127.0.0.1]:${port} ${Keys.publicKeyLine(hostKey.public)}\n")

        expect:
        refused(kh).status() == REVOKED
        opens(knownHosts('kh-revoked-elsewhere', caLine('*')
                + "@revoked [10.9.9.9]:${port} ${Keys.publicKeyLine(hostKey.public)}\n"))
    }

    def "without a @cert-authority line, a certificate's own key is checked as OpenSSH does, and ACCEPT_NEW adds the plain key"() {
        given:
        presented = gprocHostCert('no-ca-line', ['n17'])
        Path pinned = knownHosts('kh-pinned', KnownHosts.line('127.0.0.1', port, hostKey.public) + '\n')
        Path empty = knownHosts('kh-empty', '')

        expect:
        opens(pinned)
        refused(empty).status() == UNKNOWN

        when:
        opens(empty, '127.0.0.1', HostKeyPolicy.ACCEPT_NEW)

        then: 'the line written holds the plain key, which OpenSSH reads back'
        Files.readAllLines(empty) == [KnownHosts.line('127.0.0.1', port, hostKey.public)]
        KnownHosts.load(empty).check('127.0.0.1', port, hostKey.public).status() == TRUSTED
    }

    def "a node with a plain key pinned in known_hosts is unaffected by @cert-authority lines for other hosts"() {
        given:
        Path kh = knownHosts('kh-mixed', caLine('*.site-b.example')
                + KnownHosts.line('127.0.0.1', port, hostKey.public) + '\n')

        expect:
        opens(kh)
    }
}
