package org.gproc.transport.ssh

import org.apache.sshd.client.SshClient
import org.apache.sshd.client.auth.keyboard.UserAuthKeyboardInteractiveFactory
import org.apache.sshd.client.auth.password.UserAuthPasswordFactory
import org.apache.sshd.client.channel.AbstractClientChannel
import org.apache.sshd.client.channel.ChannelSession
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver
import org.apache.sshd.client.keyverifier.ServerKeyVerifier
import org.apache.sshd.client.session.ClientSession
import org.apache.sshd.common.SshConstants
import org.apache.sshd.common.config.keys.KeyUtils
import org.apache.sshd.common.keyprovider.KeyIdentityProvider
import org.apache.sshd.common.session.ConnectionService
import org.apache.sshd.common.util.buffer.Buffer
import org.apache.sshd.common.util.net.SshdSocketAddress
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.time.Duration
import java.util.concurrent.BlockingQueue
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * What an SSH client can ask beyond the subsystem, asked at the protocol level with SSHD's client (requests the
 * OpenSSH client only sends with an agent or a display at hand). Every one must be refused.
 */
@Timeout(300)
class ServerRefusalSpec extends Specification {

    static final Duration WAIT = Duration.ofSeconds(60)

    @Shared @TempDir Path dir
    @Shared KeyPair alice
    @Shared EchoNineP echo = new EchoNineP()
    @Shared SshNodeServer server
    @Shared SshClient client

    def setupSpec() {
        Path aliceKey = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        alice = Keys.loadPrivateKey(aliceKey)
        Path authorizedKeys = dir.resolve('authorized_keys')
        Files.copy(Path.of("${aliceKey}.pub"), authorizedKeys)
        server = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate())
                .authorizedKeys(authorizedKeys).handler(echo).build().start()
        client = SshClient.setUpDefaultClient()
        // Test-only verifier: accepts exactly the key of the server under test.
        client.serverKeyVerifier = { s, a, k -> KeyUtils.compareKeys(k, server.hostKey()) } as ServerKeyVerifier
        client.keyIdentityProvider = KeyIdentityProvider.EMPTY_KEYS_PROVIDER
        client.hostConfigEntryResolver = HostConfigEntryResolver.EMPTY
        client.start()
    }

    def cleanupSpec() {
        client?.stop()
        server?.close()
    }

    def setup() {
        echo.opened.clear()
    }

    ClientSession login() {
        ClientSession s = client.connect('alice', '127.0.0.1', server.port()).verify(WAIT).session
        s.addPublicKeyIdentity(alice)
        s.auth().verify(WAIT)
        s
    }

    ProbeChannel probe(ClientSession s) {
        def ch = new ProbeChannel()
        s.getService(ConnectionService).registerChannel(ch)
        ch.open().verify(WAIT)
        ch
    }

    def "channel request '#type' is refused"() {
        given:
        def s = login()
        def ch = probe(s)

        expect:
        ch.request(type, payload) == false
        echo.opened.isEmpty()

        cleanup:
        s?.close(true)

        where:
        type                          | payload
        'pty-req'                     | { Buffer b -> b.putString('xterm'); 4.times { b.putUInt(80) }; b.putBytes(new byte[] {0}) }
        'shell'                       | null
        'exec'                        | { Buffer b -> b.putString('id') }
        'env'                         | { Buffer b -> b.putString('LD_PRELOAD'); b.putString('/tmp/x.so') }
        'x11-req'                     | { Buffer b -> b.putBoolean(false); b.putString('MIT-MAGIC-COOKIE-1'); b.putString('00' * 16); b.putUInt(0) }
        'auth-agent-req@openssh.com'  | null
        'auth-agent-req'              | null
        'signal'                      | { Buffer b -> b.putString('KILL') }
        'break'                       | { Buffer b -> b.putUInt(100) }
        'window-change'               | { Buffer b -> 4.times { b.putUInt(80) } }
        'subsystem'                   | { Buffer b -> b.putString('sftp') }
        'subsystem'                   | { Buffer b -> b.putString('XCPU@GPROC') }
        'xon-xoff'                    | { Buffer b -> b.putBoolean(true) }
        'keepalive@openssh.com'       | null
    }

    def "after refused requests the channel still gets xcpu@gproc, and only once"() {
        given:
        def s = login()
        def ch = probe(s)

        expect:
        ch.request('env', { Buffer b -> b.putString('LANG'); b.putString('C') }) == false
        ch.request('pty-req', { Buffer b -> b.putString('xterm'); 4.times { b.putUInt(80) }; b.putBytes(new byte[] {0}) }) == false
        ch.request('subsystem', { Buffer b -> b.putString('xcpu@gproc') }) == true
        ch.request('subsystem', { Buffer b -> b.putString('xcpu@gproc') }) == false
        ch.request('exec', { Buffer b -> b.putString('id') }) == false
        new PollingConditions(timeout: 60).eventually { assert echo.opened*.principal() == ['alice@lab'] }

        cleanup:
        s?.close(true)
    }

    def "channel type '#type' cannot be opened"() {
        given:
        def s = login()
        def ch = new RawChannel(type)
        s.getService(ConnectionService).registerChannel(ch)

        when:
        def f = ch.open()
        f.await(WAIT)

        then:
        f.done
        !f.opened
        echo.opened.isEmpty()

        cleanup:
        s?.close(true)

        where:
        type << ['direct-tcpip', 'direct-streamlocal@openssh.com', 'forwarded-tcpip', 'x11', 'auth-agent@openssh.com',
                 'tun@openssh.com', 'sftp']
    }

    def "a direct-tcpip channel with a real target is refused"() {
        given:
        def s = login()

        when:
        def ch = s.createDirectTcpipChannel(new SshdSocketAddress('127.0.0.1', 0),
                new SshdSocketAddress('127.0.0.1', server.port()))
        def f = ch.open()
        f.await(WAIT)

        then:
        !f.opened

        cleanup:
        s?.close(true)
    }

    def "global request '#type' is refused"() {
        given:
        def s = login()

        Buffer packet = s.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST, 64)
        packet.putString(type)
        packet.putBoolean(true)

        expect:
        s.request(type, payload(packet), WAIT) == null

        cleanup:
        s?.close(true)

        where:
        type                                   | payload
        'tcpip-forward'                        | { Buffer b -> b.putString('127.0.0.1'); b.putUInt(0); b }
        'cancel-tcpip-forward'                 | { Buffer b -> b.putString('127.0.0.1'); b.putUInt(1); b }
        'streamlocal-forward@openssh.com'      | { Buffer b -> b.putString('/tmp/gproc-test.sock'); b }
        'cancel-streamlocal-forward@openssh.com' | { Buffer b -> b.putString('/tmp/gproc-test.sock'); b }
        'hostkeys-prove-00@openssh.com'        | { Buffer b -> b }
    }

    def "password and keyboard-interactive authentication are refused"() {
        given:
        SshClient c = SshClient.setUpDefaultClient()
        c.serverKeyVerifier = { sess, addr, k -> KeyUtils.compareKeys(k, server.hostKey()) } as ServerKeyVerifier
        c.keyIdentityProvider = KeyIdentityProvider.EMPTY_KEYS_PROVIDER
        c.hostConfigEntryResolver = HostConfigEntryResolver.EMPTY
        c.userAuthFactories = [UserAuthPasswordFactory.INSTANCE, UserAuthKeyboardInteractiveFactory.INSTANCE]
        c.start()
        def s = c.connect('alice', '127.0.0.1', server.port()).verify(WAIT).session
        s.addPasswordIdentity('alice')

        when:
        s.auth().verify(WAIT)

        then:
        thrown(IOException)
        !s.authenticated
        echo.opened.isEmpty()

        cleanup:
        s?.close(true)
        c?.stop()
    }

    def "a key offered but not signed with does not authenticate"() {
        given: 'a client that holds only the public half of alice key, with a forged key pair'
        def s = client.connect('mallory', '127.0.0.1', server.port()).verify(WAIT).session
        s.addPublicKeyIdentity(new KeyPair(alice.public, Keys.generate().private))

        when:
        s.auth().verify(WAIT)

        then:
        thrown(IOException)
        !s.authenticated

        cleanup:
        s?.close(true)
    }

    /** A session channel that lets the spec send raw channel requests and see each reply. */
    static class ProbeChannel extends ChannelSession {
        final BlockingQueue<Boolean> replies = new LinkedBlockingQueue<>()

        @Override
        void handleSuccess() { replies.add(true) }

        @Override
        void handleFailure() { replies.add(false) }

        Boolean request(String type, Closure payload) {
            Buffer b = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 64)
            b.putUInt(recipient)
            b.putString(type)
            b.putBoolean(true)
            payload?.call(b)
            writePacket(b)
            Boolean reply = replies.poll(60, TimeUnit.SECONDS)
            assert reply != null: "no reply to channel request '$type'"
            reply
        }
    }

    /** A client channel of any type, to try opening channel types the server must not know. */
    static class RawChannel extends AbstractClientChannel {
        RawChannel(String type) { super(type) }

        @Override
        protected void doOpen() {}

        @Override
        protected void doWriteData(byte[] data, int off, long len) {}

        @Override
        protected void doWriteExtendedData(byte[] data, int off, long len) {}
    }
}
