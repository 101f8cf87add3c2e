package org.gproc.transport.ssh

import org.apache.sshd.client.SshClient
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver
import org.apache.sshd.client.keyverifier.ServerKeyVerifier
import org.apache.sshd.client.session.ClientSession
import org.apache.sshd.common.SshConstants
import org.apache.sshd.common.config.keys.KeyUtils
import org.apache.sshd.common.util.buffer.Buffer
import org.apache.sshd.common.config.keys.OpenSshCertificate
import org.apache.sshd.common.keyprovider.KeyIdentityProvider
import org.gproc.transport.cert.Certificates
import org.gproc.transport.ninep.Message
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.time.Duration
import java.util.concurrent.CopyOnWriteArrayList

/**
 * The node accepts OpenSSH user certificates from its trusted CA, made by ssh-keygen and presented by the real
 * OpenSSH client; the identity is a principal of the certificate, never the SSH user name. Every refused case
 * ends in a refused AuthEvent naming the rule.
 */
@Timeout(300)
@Requires(value = { OpenSshPresent.tools() }, reason = 'the OpenSSH ssh and ssh-keygen binaries are not on PATH')
class ServerUserCertificateSpec extends Specification {

    static final Duration WAIT = Duration.ofSeconds(60)

    @Shared @TempDir Path dir
    @Shared Path ca, otherCa, carolKey, authorizedKeys, revoked, knownHosts
    @Shared EchoNineP echo = new EchoNineP()
    @Shared List<AuthEvent> events = new CopyOnWriteArrayList<>()
    @Shared SshNodeServer server
    @Shared int serial = 100

    PollingConditions eventually = new PollingConditions(timeout: 60, delay: 0.05)

    def setupSpec() {
        ca = OpenSsh.keygen(dir, 'ca', 'cluster-ca')
        otherCa = OpenSsh.keygen(dir, 'other_ca', 'someone-else')
        carolKey = OpenSsh.keygen(dir, 'carol', 'carol@lab')
        authorizedKeys = dir.resolve('authorized_keys')
        Files.copy(Path.of("${carolKey}.pub"), authorizedKeys)
        revoked = dir.resolve('revoked')
        Files.writeString(revoked, '# nothing revoked yet\n')
        server = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate())
                .authorizedKeys(authorizedKeys).trustedUserCa(Path.of("${ca}.pub")).revoked(revoked)
                .handler(echo).authListener({ if (it.method() == AuthEvent.PUBLICKEY) { events << it } } as AuthListener).build().start()
        knownHosts = OpenSsh.knownHostsFor(dir, server.port(), server.hostKey())
    }

    def cleanupSpec() {
        server?.close()
    }

    def setup() {
        events.clear()
        echo.opened.clear()
        Files.writeString(revoked, '# nothing revoked yet\n')
    }

    /** A fresh key and its certificate (KEY-cert.pub) signed by ssh-keygen -s with {@code args}. */
    Path certified(String keyId, List<String> args, Path by = ca) {
        Path d = Files.createDirectories(dir.resolve("k${serial}"))
        Path key = OpenSsh.keygen(d, 'id', keyId)
        def r = OpenSsh.run(['ssh-keygen', '-q', '-s', by.toString(), '-I', keyId, '-z', "${serial++}".toString()]
                + args + ["${key}.pub".toString()])
        assert r.exit == 0: "ssh-keygen -s failed: $r"
        key
    }

    static Path certOf(Path key) {
        Path.of("${key}-cert.pub")
    }

    OpenSsh.Result login(Path key, String user, SshNodeServer to = server, Path kh = knownHosts) {
        OpenSsh.run(OpenSsh.sshBase(key, kh, to.port()) + ['-o', "CertificateFile=${certOf(key)}".toString(),
                '-l', user, '-s', '127.0.0.1', 'xcpu@gproc'],
                EchoNineP.bytes(new Message.Tversion(0xFFFF, 8192, '9P2000')))
    }

    def "user bob presenting alice's certificate acts as alice"() {
        given:
        Path alice = certified('alice-laptop', ['-n', 'alice', '-V', '-5m:+1h'])
        OpenSshCertificate cert = Certificates.read(certOf(alice))

        when:
        def r = login(alice, 'bob')

        then:
        r.exit == 0
        EchoNineP.decodeAll(r.out)*.class == [Message.Rversion]
        eventually.eventually { assert echo.opened.size() == 1 }
        with(echo.opened[0]) {
            principal() == 'alice'
            sshUser() == 'bob'
            keyType() == 'ssh-ed25519-cert-v01@openssh.com'
            keyFingerprint() == OpenSsh.fingerprint(Path.of("${alice}.pub"))
            certificate().get().serial() == cert.serial
            certificate().get().keyId() == 'alice-laptop'
            certificate().get().caFingerprint() == OpenSsh.fingerprint(Path.of("${ca}.pub"))
            validBefore().get() == Certificates.validBefore(cert).get()
        }
        with(events.find { it.accepted() }) {
            principal() == 'alice'
            certSerial() == cert.serial
            certKeyId() == 'alice-laptop'
            keyType() == 'ssh-ed25519-cert-v01@openssh.com'
            sshUser() == 'bob'
        }
        events.count { it.accepted() } == 1
    }

    def "with several principals the requested user name picks one the certificate holds, else the first: #user acts as #principal"() {
        given:
        Path key = certified('ops', ['-n', 'alice,admin', '-V', '-5m:+1h'])

        when:
        def r = login(key, user)

        then:
        r.exit == 0
        eventually.eventually { assert echo.opened*.principal() == [principal] }

        where:
        user    | principal
        'admin' | 'admin'
        'alice' | 'alice'
        'root'  | 'alice'
    }

    def "a certificate is refused (#rule) when #what, and nothing is opened"() {
        given:
        Path key = certified("case-$rule", args, signer == 'other' ? otherCa : ca)

        when:
        def r = login(key, 'alice')

        then:
        r.exit != 0
        r.err.contains('Permission denied (publickey)')
        eventually.eventually { assert events.any { it.certSerial() != null } }
        with(events.find { it.certSerial() != null }) {
            !accepted()
            principal() == null
            reason() == rule
            keyType() == 'ssh-ed25519-cert-v01@openssh.com'
            certKeyId() == "case-$rule"
        }
        events.every { !it.accepted() }
        echo.opened.isEmpty()

        where:
        what                                           | args                                                     | signer | rule
        'it expired'                                   | ['-n', 'alice', '-V', '20200101:20200102']               | 'ca'    | 'EXPIRED'
        'it is not valid yet'                          | ['-n', 'alice', '-V', '+1d:+2d']                         | 'ca'    | 'NOT_YET_VALID'
        'it carries force-command'                     | ['-n', 'alice', '-O', 'force-command=/bin/sh']           | 'ca'    | 'CRITICAL_OPTION'
        'it carries verify-required'                   | ['-n', 'alice', '-O', 'verify-required']                 | 'ca'    | 'CRITICAL_OPTION'
        'it carries source-address'                    | ['-n', 'alice', '-O', 'source-address=127.0.0.1/32']     | 'ca'    | 'CRITICAL_OPTION'
        'another CA signed it'                         | ['-n', 'alice', '-V', '-5m:+1h']                         | 'other' | 'UNTRUSTED_CA'
        'it names no principal (OpenSSH: anyone)'      | ['-V', '-5m:+1h']                                        | 'ca'    | 'PRINCIPALS'
    }

    def "a certificate is refused (#rule) when #what, presented at the protocol level (OpenSSH's client would not send it)"() {
        given:
        Path key = certified("sshd-$rule", args)
        byte[] blob = Certificates.blob(Certificates.read(certOf(key)))
        if (tamper) {
            blob[blob.length - 1] ^= 0x01 // one bit of the CA's Ed25519 signature
        }
        OpenSshCertificate presented = (OpenSshCertificate) Certificates.decodeBlob(blob, 'presented certificate')
        SshClient client = testClient()

        when: "a raw publickey request (SSHD's client, too, refuses to send a host certificate as a user's)"
        def session = client.connect('alice', '127.0.0.1', server.port()).verify(WAIT).session
        session.waitFor([ClientSession.ClientSessionEvent.WAIT_AUTH], WAIT)
        Buffer request = session.createBuffer(SshConstants.SSH_MSG_USERAUTH_REQUEST)
        request.putString('alice')
        request.putString('ssh-connection')
        request.putString('publickey')
        request.putBoolean(false)
        request.putString(presented.keyType)
        request.putPublicKey(presented)
        session.writePacket(request)

        then:
        eventually.eventually { assert events*.reason() == [rule] }
        events[0].certKeyId() == "sshd-$rule"
        echo.opened.isEmpty()

        cleanup:
        client?.stop()

        where:
        what                                      | args                                    | tamper | rule
        'its CA signature was tampered with'      | ['-n', 'alice', '-V', '-5m:+1h']        | true   | 'SIGNATURE'
        'it is a host certificate'                | ['-h', '-n', 'alice', '-V', '-5m:+1h']  | false  | 'CERTIFICATE_TYPE'
    }

    def "the untampered twin logs in through SSHD's client too"() {
        given:
        Path alice = certified('untampered', ['-n', 'alice', '-V', '-5m:+1h'])
        KeyPair pair = new KeyPair(Certificates.read(certOf(alice)), Keys.loadPrivateKey(alice).private)
        SshClient client = testClient()

        when:
        def session = client.connect('mallory', '127.0.0.1', server.port()).verify(WAIT).session
        session.addPublicKeyIdentity(pair)
        session.auth().verify(WAIT)

        then:
        session.authenticated
        events*.principal() == ['alice']

        cleanup:
        session?.close(true)
        client?.stop()
    }

    def "our SshConnector logs in with a certificate and the node sees its principal"() {
        given:
        Path alice = certified('connector', ['-n', 'alice', '-V', '-5m:+1h'])

        when:
        SshConnector c = SshConnector.builder().identity(alice).certificate(certOf(alice)).knownHosts(knownHosts)
                .username('bob').build()
        c.open('127.0.0.1', server.port()).close()

        then:
        eventually.eventually { assert echo.opened*.principal() == ['alice'] }
        echo.opened[0].certificate().get().keyId() == 'connector'

        cleanup:
        c?.close()
    }

    def "a revoked serial is refused though the CA is trusted, and accepted again once the file no longer lists it"() {
        given:
        Path alice = certified('revoke-me', ['-n', 'alice', '-V', '-5m:+1h'])
        long certSerial = Certificates.read(certOf(alice)).serial

        expect: 'accepted before'
        login(alice, 'alice').exit == 0

        when: 'the serial is revoked (the file is re-read on change, no restart)'
        events.clear()
        Files.writeString(revoked, "serial: ${certSerial}\n")
        def r = login(alice, 'alice')

        then:
        r.exit != 0
        events.find { it.certSerial() != null }.reason() == 'REVOKED'

        when: 'the revocation is withdrawn'
        events.clear()
        Files.writeString(revoked, "# serial ${certSerial} reinstated\n\n")

        then:
        login(alice, 'alice').exit == 0
        events.find { it.accepted() }.principal() == 'alice'
    }

    def "a certificate whose key is revoked is refused (REVOKED)"() {
        given:
        Path alice = certified('key-revoked', ['-n', 'alice', '-V', '-5m:+1h'])
        Files.writeString(revoked, Files.readString(Path.of("${alice}.pub")))

        when:
        def r = login(alice, 'alice')

        then:
        r.exit != 0
        events.find { it.certSerial() != null }.reason() == 'REVOKED'
    }

    def "a plain key in authorized_keys logs in, and is refused once the revocation file lists it"() {
        expect:
        OpenSsh.run(OpenSsh.sshBase(carolKey, knownHosts, server.port()) + ['-s', '127.0.0.1', 'xcpu@gproc'],
                EchoNineP.bytes(new Message.Tversion(0xFFFF, 8192, '9P2000'))).exit == 0
        events*.principal() == ['carol@lab']

        when:
        events.clear()
        Files.writeString(revoked, "hash: ${OpenSsh.fingerprint(carolKey)}\n")
        def r = OpenSsh.run(OpenSsh.sshBase(carolKey, knownHosts, server.port()) + ['-s', '127.0.0.1', 'xcpu@gproc'],
                EchoNineP.bytes(new Message.Tversion(0xFFFF, 8192, '9P2000')))

        then:
        r.exit != 0
        events*.reason() == [AuthEvent.REVOKED]
    }

    def "a revocation file that becomes unreadable refuses everyone until fixed"() {
        given:
        Path alice = certified('broken-list', ['-n', 'alice', '-V', '-5m:+1h'])
        Files.writeString(revoked, "serial: banana\n")

        expect:
        login(alice, 'alice').exit != 0
        events.find { it.certSerial() != null }.reason() == 'REVOKED'
    }

    def "a server that trusts no user CA refuses certificates (UNTRUSTED_CA) and its authorized_keys still works"() {
        given:
        def plain = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate())
                .authorizedKeys(authorizedKeys).handler(echo).authListener({ if (it.method() == AuthEvent.PUBLICKEY) { events << it } } as AuthListener)
                .build().start()
        Path kh = OpenSsh.knownHostsFor(dir, plain.port(), plain.hostKey())
        Path alice = certified('no-ca', ['-n', 'alice', '-V', '-5m:+1h'])

        when:
        def r = login(alice, 'alice', plain, kh)

        then:
        r.exit != 0
        events.find { it.certSerial() != null }.reason() == 'UNTRUSTED_CA'
        OpenSsh.run(OpenSsh.sshBase(carolKey, kh, plain.port()) + ['-s', '127.0.0.1', 'xcpu@gproc'],
                EchoNineP.bytes(new Message.Tversion(0xFFFF, 8192, '9P2000'))).exit == 0

        cleanup:
        plain?.close()
    }

    def "a certificate-only server (no authorized_keys) accepts certificates and refuses plain keys"() {
        given:
        def certOnly = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate())
                .trustedUserCa(Path.of("${ca}.pub")).handler(echo).authListener({ if (it.method() == AuthEvent.PUBLICKEY) { events << it } } as AuthListener)
                .build().start()
        Path kh = OpenSsh.knownHostsFor(dir, certOnly.port(), certOnly.hostKey())
        Path alice = certified('cert-only', ['-n', 'alice', '-V', '-5m:+1h'])

        expect:
        login(alice, 'bob', certOnly, kh).exit == 0
        events.find { it.accepted() }.principal() == 'alice'

        when:
        events.clear()
        def r = OpenSsh.run(OpenSsh.sshBase(carolKey, kh, certOnly.port()) + ['-s', '127.0.0.1', 'xcpu@gproc'])

        then:
        r.exit != 0
        events*.reason() == [AuthEvent.NOT_AUTHORIZED]

        cleanup:
        certOnly?.close()
    }

    def "start fails naming the file when the trusted CA file is #what"() {
        given:
        Path file = dir.resolve("ca-$what".replace(' ', '-'))
        if (content != null) {
            Files.writeString(file, content)
        }

        when:
        SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate()).trustedUserCa(file)
                .handler(echo).build().start()

        then:
        IOException e = thrown()
        e.message.contains(file.toString())

        where:
        what        | content
        'missing'   | null
        'empty'     | '# no keys\n'
        'garbage'   | 'ssh-ed25519 not-base64!\n'
        'an RSA key'| 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 x\n'
    }

    def "start fails naming the file when the revocation file is #what"() {
        given:
        Path file = dir.resolve("revoked-$what".replace(' ', '-'))
        if (content != null) {
            Files.writeString(file, content)
        }

        when:
        SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate()).trustedUserCa(Path.of("${ca}.pub"))
                .revoked(file).handler(echo).build().start()

        then:
        IOException e = thrown()
        e.message.contains(file.toString())

        where:
        what          | content
        'missing'     | null
        'unparseable' | 'serial: twelve\n'
    }

    def "a server needs authorized_keys or a trusted user CA"() {
        when:
        SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate()).handler(echo).build()

        then:
        IllegalStateException e = thrown()
        e.message.contains('authorizedKeys(...) or trustedUserCa(...)')
    }

    SshClient testClient() {
        SshClient client = SshClient.setUpDefaultClient()
        // Test-only verifier: accepts exactly the key of the server under test.
        client.serverKeyVerifier = { s, a, k -> KeyUtils.compareKeys(k, server.hostKey()) } as ServerKeyVerifier
        client.keyIdentityProvider = KeyIdentityProvider.EMPTY_KEYS_PROVIDER
        client.hostConfigEntryResolver = HostConfigEntryResolver.EMPTY
        CryptoPolicy.apply(client, org.apache.sshd.client.ClientBuilder.DH2KEX)
        client.start()
        client
    }
}
