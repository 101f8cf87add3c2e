package org.gproc.transport.ssh

import org.gproc.transport.ninep.Message
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files
import java.nio.file.Path

/** The node server against the real OpenSSH client, with keys made by ssh-keygen. */
@Timeout(300)
class SshNodeServerSpec extends Specification {

    @Shared @TempDir Path dir
    @Shared Path aliceKey, bobKey, hostKeyFile, authorizedKeys, knownHosts
    @Shared EchoNineP echo = new EchoNineP()
    @Shared SshNodeServer server
    @Shared int port

    PollingConditions eventually = new PollingConditions(timeout: 60, delay: 0.05)

    def setupSpec() {
        aliceKey = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        bobKey = OpenSsh.keygen(dir, 'bob', 'bob@lab')
        hostKeyFile = OpenSsh.keygen(dir, 'host_key', 'node')
        authorizedKeys = dir.resolve('authorized_keys')
        Files.copy(Path.of("${aliceKey}.pub"), authorizedKeys)
        server = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(hostKeyFile)
                .authorizedKeys(authorizedKeys).handler(echo).build().start()
        port = server.port()
        knownHosts = OpenSsh.knownHostsFor(dir, port, server.hostKey())
    }

    def cleanupSpec() {
        server?.close()
    }

    def setup() {
        echo.opened.clear()
        echo.closes.clear()
    }

    List<String> ssh(Path key = aliceKey) {
        OpenSsh.sshBase(key, knownHosts, port)
    }

    def "the OpenSSH client gets an Rversion for a Tversion through -s xcpu@gproc"() {
        when:
        def r = OpenSsh.run(ssh() + ['-s', '127.0.0.1', 'xcpu@gproc'],
                EchoNineP.bytes(new Message.Tversion(0xFFFF, 8192, '9P2000')))

        then:
        r.exit == 0
        EchoNineP.decodeAll(r.out) == [new Message.Rversion(0xFFFF, 8192, '9P2000')]
        eventually.eventually { assert echo.closes == ['orderly'] }
        with(only(echo.opened)) {
            principal() == 'alice@lab'
            keyFingerprint() == OpenSsh.fingerprint(aliceKey)
            localPort() == port
            remoteAddress().address.hostAddress == '127.0.0.1'
        }
    }

    def "the server's host key is the one ssh-keygen made, as OpenSSH sees it"() {
        expect:
        server.hostKeyFingerprint() == OpenSsh.fingerprint(hostKeyFile)
    }

    def "many frames in one stream come back in order"() {
        given:
        def out = new ByteArrayOutputStream()
        out << EchoNineP.bytes(new Message.Tversion(0xFFFF, 65536, '9P2000'))
        (1..200).each { out << EchoNineP.bytes(new Message.Twrite(it, 1, it * 100L, new byte[it * 37])) }

        when:
        def r = OpenSsh.run(ssh() + ['-s', '127.0.0.1', 'xcpu@gproc'], out.toByteArray())

        then:
        r.exit == 0
        def replies = EchoNineP.decodeAll(r.out)
        replies.size() == 201
        replies.tail().withIndex().every { m, i -> m == new Message.Rwrite(i + 1, (i + 1) * 37) }
    }

    def "the principal is the key's comment, not the user name the client asks for"() {
        when:
        def r = OpenSsh.run(ssh() + ['-l', 'bob', '-s', '127.0.0.1', 'xcpu@gproc'],
                EchoNineP.bytes(new Message.Tversion(1, 8192, '9P2000')))

        then:
        r.exit == 0
        only(echo.opened).principal() == 'alice@lab'
        only(echo.opened).sshUser() == 'bob'
    }

    def "a key that is not in authorized_keys gets Permission denied (publickey)"() {
        when:
        def r = OpenSsh.run(ssh(bobKey) + ['-s', '127.0.0.1', 'xcpu@gproc'],
                EchoNineP.bytes(new Message.Tversion(1, 8192, '9P2000')))

        then:
        r.exit == 255
        r.err.contains('Permission denied (publickey)')
        r.out.length == 0
        echo.opened.isEmpty()
    }

    def "only public-key authentication is offered: a password attempt is refused"() {
        when:
        def r = OpenSsh.run(ssh() + ['-v', '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive',
                                     '-s', '127.0.0.1', 'xcpu@gproc'])

        then:
        r.exit == 255
        r.err.contains('Authentications that can continue: publickey\n') || r.err.contains('Authentications that can continue: publickey\r')
        r.err.contains('Permission denied (publickey)')
        echo.opened.isEmpty()
    }

    def "the OpenSSH client is refused #what"() {
        when:
        def r = OpenSsh.run(ssh() + args, new byte[0])

        then:
        r.exit != 0
        expected.any { r.err.contains(it) }
        echo.opened.isEmpty()

        where:
        what                      | args                                                                 | expected
        'an exec'                 | ['127.0.0.1', 'true']                                                | ['exec request failed']
        'a shell with a pty'      | ['-tt', '127.0.0.1']                                                 | ['PTY allocation request failed', 'shell request failed']
        'a shell without a pty'   | ['-T', '127.0.0.1']                                                  | ['shell request failed']
        'the sftp subsystem'      | ['-s', '127.0.0.1', 'sftp']                                          | ['subsystem request failed']
        'an unknown subsystem'    | ['-s', '127.0.0.1', 'xcpu@gprocX']                                   | ['subsystem request failed']
        '-W stdio forwarding'     | ['-W', '127.0.0.1:9', '127.0.0.1']                                   | ['stdio forwarding failed', 'open failed']
        '-R remote forwarding'    | ['-N', '-o', 'ExitOnForwardFailure=yes', '-R', '0:127.0.0.1:9', '127.0.0.1'] | ['remote port forwarding failed']
    }

    def "the OpenSSH client is refused -L local forwarding when it tries to use it"() {
        given:
        int local = freePort()
        def p = new ProcessBuilder(ssh() + ['-N', '-L', "127.0.0.1:${local}:127.0.0.1:${port}".toString(), '127.0.0.1'])
                .redirectErrorStream(true).start()
        def log = new StringBuffer()
        Thread.start { p.inputStream.eachLine { log << it << '\n' } }

        when: 'something connects to the forwarded port'
        Socket s = connectWithin(60, local)
        s.soTimeout = 60_000
        int first = s.inputStream.read()

        then: 'the forward is closed without a byte and ssh reports the refusal'
        first == -1
        eventually.eventually { assert log.toString().contains('open failed') }
        echo.opened.isEmpty()

        cleanup:
        s?.close()
        p?.destroy()
        p?.waitFor()
    }

    def "a frame whose size breaks the rules closes the channel with the reason: #why"() {
        when:
        def r = OpenSsh.run(ssh() + ['-s', '127.0.0.1', 'xcpu@gproc'], frame)

        then:
        r.out.length == 0
        eventually.eventually {
            def failures = echo.closes.findAll { it instanceof Exception }
            assert failures.size() == 1
            assert (failures[0] as Exception).message.contains(why)
        }

        where:
        why       | frame
        'msize'   | ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1).array()
        'size 3'  | ByteBuffer.allocate(7).order(ByteOrder.LITTLE_ENDIAN).putInt(3).array()
    }

    def "authorized_keys is re-read when it changes"() {
        given:
        def tversion = EchoNineP.bytes(new Message.Tversion(1, 8192, '9P2000'))

        when: 'bob is added'
        Files.writeString(authorizedKeys, Files.readString(Path.of("${bobKey}.pub")), java.nio.file.StandardOpenOption.APPEND)
        def bobIn = OpenSsh.run(ssh(bobKey) + ['-s', '127.0.0.1', 'xcpu@gproc'], tversion)

        then:
        bobIn.exit == 0
        echo.opened*.principal() == ['bob@lab']

        when: 'bob is removed again'
        Files.copy(Path.of("${aliceKey}.pub"), authorizedKeys, java.nio.file.StandardCopyOption.REPLACE_EXISTING)
        def bobOut = OpenSsh.run(ssh(bobKey) + ['-s', '127.0.0.1', 'xcpu@gproc'], tversion)

        then:
        bobOut.exit == 255
        bobOut.err.contains('Permission denied (publickey)')
    }

    def "a client that expects another host key refuses to talk to the server"() {
        given:
        Path otherKnownHosts = dir.resolve('other_known_hosts')
        Files.writeString(otherKnownHosts, KnownHosts.line('127.0.0.1', port, Keys.generate().public) + '\n')

        when:
        def r = OpenSsh.run(OpenSsh.sshBase(aliceKey, otherKnownHosts, port) + ['-s', '127.0.0.1', 'xcpu@gproc'])

        then:
        r.exit == 255
        r.err.contains('REMOTE HOST IDENTIFICATION HAS CHANGED') || r.err.contains('Host key verification failed')
        echo.opened.isEmpty()
    }

    static <T> T only(List<T> list) {
        assert list.size() == 1
        list[0]
    }

    static Socket connectWithin(int seconds, int port) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L
        while (true) {
            try {
                return new Socket('127.0.0.1', port)
            } catch (ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e
                }
                Thread.sleep(50) // polling for the ssh client to open its listener; no event to wait on
            }
        }
    }

    static int freePort() {
        new ServerSocket(0, 1, InetAddress.getByName('127.0.0.1')).withCloseable { it.localPort }
    }
}
