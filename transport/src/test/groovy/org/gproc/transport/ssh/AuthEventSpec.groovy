package org.gproc.transport.ssh

import org.apache.sshd.client.SshClient
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver
import org.apache.sshd.client.keyverifier.ServerKeyVerifier
import org.apache.sshd.common.config.keys.KeyUtils
import org.apache.sshd.common.keyprovider.KeyIdentityProvider
import org.gproc.transport.ninep.Message
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.time.Duration
import java.time.Instant
import java.util.concurrent.CopyOnWriteArrayList

/** Every public-key verdict reaches the AuthListener once, with what an audit log needs. */
@Timeout(300)
class AuthEventSpec extends Specification {

    static final Duration WAIT = Duration.ofSeconds(60)

    @Shared @TempDir Path dir
    @Shared Path aliceKey, bobKey, authorizedKeys, knownHosts
    @Shared EchoNineP echo = new EchoNineP()
    @Shared List<AuthEvent> events = new CopyOnWriteArrayList<>()
    @Shared SshNodeServer server

    PollingConditions eventually = new PollingConditions(timeout: 60, delay: 0.05)

    def setupSpec() {
        aliceKey = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        bobKey = OpenSsh.keygen(dir, 'bob', 'bob@lab')
        authorizedKeys = dir.resolve('authorized_keys')
        Files.copy(Path.of("${aliceKey}.pub"), authorizedKeys)
        server = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate())
                .authorizedKeys(authorizedKeys).handler(echo).authListener({ if (it.method() == AuthEvent.PUBLICKEY) { events << it } } as AuthListener)
                .build().start()
        knownHosts = OpenSsh.knownHostsFor(dir, server.port(), server.hostKey())
    }

    def cleanupSpec() {
        server?.close()
    }

    def setup() {
        events.clear()
        echo.opened.clear()
    }

    OpenSsh.Result tversion(Path key, String user = 'alice', SshNodeServer to = server, Path kh = knownHosts) {
        OpenSsh.run(OpenSsh.sshBase(key, kh, to.port()) + ['-l', user, '-s', '127.0.0.1', 'xcpu@gproc'],
                EchoNineP.bytes(new Message.Tversion(0xFFFF, 8192, '9P2000')))
    }

    def "an accepted login gives one event naming the principal, key, user name and address"() {
        given:
        Instant before = Instant.now()

        when:
        def r = tversion(aliceKey, 'bob')

        then:
        r.exit == 0
        eventually.eventually { assert echo.opened.size() == 1 }
        events.size() == 1
        with(events[0]) {
            accepted()
            principal() == 'alice@lab'
            keyFingerprint() == OpenSsh.fingerprint(aliceKey)
            keyType() == 'ssh-ed25519'
            certSerial() == null
            certKeyId() == null
            sshUser() == 'bob'
            remote().address.hostAddress == '127.0.0.1'
            reason() == null
            !time().isBefore(before.minusSeconds(1))
        }
    }

    def "a key that is not in authorized_keys gives one refused event with the rule and no principal"() {
        when:
        def r = tversion(bobKey)

        then:
        r.exit != 0
        r.err.contains('Permission denied (publickey)')
        eventually.eventually { assert events.size() == 1 }
        with(events[0]) {
            !accepted()
            principal() == null
            reason() == AuthEvent.NOT_AUTHORIZED
            keyFingerprint() == OpenSsh.fingerprint(bobKey)
            sshUser() == 'alice'
        }
        echo.opened.isEmpty()
    }

    def "a client that cannot sign with the listed key is refused with KEY_SIGNATURE"() {
        given: "alice's public key with bob's private key: the probe passes, the signature cannot"
        KeyPair forged = new KeyPair(Keys.loadPrivateKey(aliceKey).public, Keys.loadPrivateKey(bobKey).private)
        SshClient client = testClient()

        when:
        def session = client.connect('mallory', '127.0.0.1', server.port()).verify(WAIT).session
        session.addPublicKeyIdentity(forged)
        session.auth().verify(WAIT)

        then:
        thrown(Exception)
        eventually.eventually { assert events*.reason().contains(AuthEvent.KEY_SIGNATURE) }
        events.every { !it.accepted() }
        events.find { it.reason() == AuthEvent.KEY_SIGNATURE }.keyFingerprint() == OpenSsh.fingerprint(aliceKey)
        echo.opened.isEmpty()

        cleanup:
        client?.stop()
    }

    def "a listener that throws changes no verdict"() {
        given:
        def throwing = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate())
                .authorizedKeys(authorizedKeys).handler(echo)
                .authListener({ throw new IllegalStateException('audit disk full') } as AuthListener)
                .build().start()
        Path kh = OpenSsh.knownHostsFor(dir, throwing.port(), throwing.hostKey())

        expect: "alice still gets in and bob still does not"
        tversion(aliceKey, 'alice', throwing, kh).exit == 0
        tversion(bobKey, 'alice', throwing, kh).exit != 0

        cleanup:
        throwing?.close()
    }

    SshClient testClient() {
        SshClient client = SshClient.setUpDefaultClient()
        // Test-only verifier: accepts exactly the key of the server under test.
        client.serverKeyVerifier = { s, a, k -> KeyUtils.compareKeys(k, server.hostKey()) } as ServerKeyVerifier
        client.keyIdentityProvider = KeyIdentityProvider.EMPTY_KEYS_PROVIDER
        client.hostConfigEntryResolver = HostConfigEntryResolver.EMPTY
        client.start()
        client
    }
}
