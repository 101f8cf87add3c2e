package org.gproc.transport.ssh

import org.apache.sshd.common.io.nio2.Nio2Session
import org.gproc.transport.ninep.Codec
import org.gproc.transport.ninep.Message
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.net.StandardSocketOptions
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit

/** Our client connector against our node server, both with keys made by ssh-keygen. */
@Timeout(300)
class SshConnectorSpec extends Specification {

    @Shared @TempDir Path dir
    @Shared Path aliceKey, bobKey, carolKey, knownHosts
    @Shared EchoNineP echo = new EchoNineP()
    @Shared SshNodeServer server
    @Shared SshConnector connector
    @Shared int port

    PollingConditions eventually = new PollingConditions(timeout: 60, delay: 0.05)

    def setupSpec() {
        aliceKey = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        bobKey = OpenSsh.keygen(dir, 'bob', 'bob@lab')
        carolKey = OpenSsh.keygen(dir, 'carol', 'carol@lab')
        Path authorizedKeys = dir.resolve('authorized_keys')
        Files.writeString(authorizedKeys, Files.readString(Path.of("${aliceKey}.pub")) + Files.readString(Path.of("${carolKey}.pub")))
        server = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('host_key'))
                .authorizedKeys(authorizedKeys).handler(echo).build().start()
        port = server.port()
        knownHosts = OpenSsh.knownHostsFor(dir, port, server.hostKey())
        connector = SshConnector.builder().identity(aliceKey).knownHosts(knownHosts).build()
    }

    def cleanupSpec() {
        connector?.close()
        server?.close()
    }

    def setup() {
        echo.opened.clear()
        echo.closes.clear()
    }

    /**
     * Whether the node handed a channel authenticated with {@code key} to the handler. Refusal features connect with
     * a key no successful feature uses, because handlers of earlier features' connections may still be starting.
     */
    ConnectionInfo servedInfo(SshFrameChannel ch) {
        int clientPort = (ch.session().ioSession.localAddress as InetSocketAddress).port
        echo.opened.find { it.remoteAddress().port == clientPort }
    }

    boolean servedWith(Path key) {
        String fp = OpenSsh.fingerprint(key)
        echo.opened.any { it.keyFingerprint() == fp }
    }

    SshConnector connectorWith(Map opts) {
        // containsKey, not ?: - groovy-nio makes a Path that does not exist (yet) false
        def b = SshConnector.builder().identity(opts.containsKey('identity') ? opts.identity : aliceKey)
                .knownHosts(opts.containsKey('knownHosts') ? opts.knownHosts : knownHosts)
        if (opts.policy) b.hostKeyPolicy(opts.policy)
        if (opts.connectTimeout) b.connectTimeout(opts.connectTimeout)
        if (opts.authTimeout) b.authTimeout(opts.authTimeout)
        if (opts.maxHandshakes) b.maxHandshakes(opts.maxHandshakes)
        b.build()
    }

    static Message roundTrip(SshFrameChannel ch, Collector c, Message m) {
        ch.send(Codec.encode(m))
        c.next()
    }

    def "a Tversion through the connector comes back as an Rversion, served to the key's principal"() {
        given:
        def c = new Collector()

        when:
        SshFrameChannel ch = connector.open('127.0.0.1', port)
        ch.start(c)
        def reply = roundTrip(ch, c, new Message.Tversion(0xFFFF, 65536, '9P2000'))

        then:
        reply == new Message.Rversion(0xFFFF, 65536, '9P2000')
        ch.hostKeyFingerprint() == server.hostKeyFingerprint()
        ch.host() == '127.0.0.1' && ch.port() == port
        servedInfo(ch).principal() == 'alice@lab'
        servedInfo(ch).keyFingerprint() == OpenSsh.fingerprint(aliceKey)

        when: 'the client closes'
        ch.close()

        then: 'both listeners hear an orderly close'
        c.awaitClose() == 'orderly'
        eventually.eventually { assert echo.closes == ['orderly'] }
        !ch.isOpen()
    }

    def "host keys held in memory: the line looked up for the host and port dialled vouches, no file is read"() {
        given: 'a lookup that knows the server at its port only, and a connector built on it'
        String line = KnownHosts.line('127.0.0.1', port, server.hostKey())
        Path label = Path.of('/n/ctl')
        List<List> asked = Collections.synchronizedList([])
        def lookup = { String host, int p ->
            asked << [host, p]
            KnownHosts.parse(label, p == port ? [line] : [])
        } as KnownHosts.Lookup
        def memory = SshConnector.builder().identity(aliceKey).knownHosts(label, lookup).build()

        when:
        SshFrameChannel ch = memory.open('127.0.0.1', port)

        then:
        ch.hostKeyFingerprint() == server.hostKeyFingerprint()
        asked == [['127.0.0.1', port]]

        when: 'the lookup holds another key for the place'
        def other = Keys.generate().public
        def wrong = SshConnector.builder().identity(aliceKey).knownHosts(label, { String h, int p ->
            KnownHosts.parse(label, [KnownHosts.line(h, p, other)])
        } as KnownHosts.Lookup).build()
        wrong.open('127.0.0.1', port)

        then: 'refused, naming where the expected key came from'
        HostKeyException e = thrown()
        e.status() == KnownHosts.Status.MISMATCH
        e.message.contains("/n/ctl line 1 expects ${Keys.fingerprint(other)}")

        cleanup:
        ch?.close()
        memory?.close()
        wrong?.close()
    }

    def "host keys held in memory cannot be combined with accept-new: there is no file to add to"() {
        when:
        SshConnector.builder().identity(aliceKey).knownHosts(Path.of('/n/ctl'), { h, p -> null } as KnownHosts.Lookup)
                .hostKeyPolicy(HostKeyPolicy.ACCEPT_NEW).build()

        then:
        IllegalStateException e = thrown()
        e.message.contains('host keys held in memory are checked strictly')
    }

    def "when the node closes the channel the client's listener gets the last frames, then an orderly close"() {
        given:
        def c = new Collector()
        SshFrameChannel ch = connector.open('127.0.0.1', port)
        ch.start(c)
        roundTrip(ch, c, new Message.Tversion(1, 8192, '9P2000'))

        when:
        def serverEnd = echo.channels.last()
        serverEnd.send(Codec.encode(new Message.Rerror(7, 'node going away')))
        serverEnd.close()

        then:
        c.next() == new Message.Rerror(7, 'node going away')
        c.awaitClose() == 'orderly'
    }

    def "pipelined writes all come back, in order"() {
        given:
        def c = new Collector()
        SshFrameChannel ch = connector.open('127.0.0.1', port)
        ch.start(c)
        roundTrip(ch, c, new Message.Tversion(1, EchoNineP.MSIZE, '9P2000'))
        byte[] chunk = new byte[60_000]
        long before = echo.bytesWritten

        when:
        (1..300).each { ch.send(Codec.encode(new Message.Twrite(it, 1, it * 60_000L, chunk))) }

        then:
        (1..300).every { c.next() == new Message.Rwrite(it, 60_000) }
        echo.bytesWritten - before == 300L * 60_000

        cleanup:
        ch?.close()
    }

    def "one connector opens many connections in parallel"() {
        given:
        int n = 60

        when:
        List<CompletableFuture<SshFrameChannel>> futures = (1..n).collect { connector.connect('127.0.0.1', port) }
        List<SshFrameChannel> channels = futures*.get(120, TimeUnit.SECONDS)
        List<Collector> collectors = channels.collect { ch -> new Collector().tap { ch.start(it) } }
        channels.eachWithIndex { ch, i -> ch.send(Codec.encode(new Message.Tversion(i, 8192, '9P2000'))) }

        then:
        collectors.withIndex().every { c, i -> c.next() == new Message.Rversion(i, 8192, '9P2000') }
        channels.every { servedInfo(it) != null }

        cleanup:
        channels*.close()
    }

    def "with four handshakes at a time, sixty connections wait their turn and all open"() {
        given:
        def paced = connectorWith(maxHandshakes: 4)

        when:
        def channels = (1..60).collect { paced.connect('127.0.0.1', port) }*.get(120, TimeUnit.SECONDS)

        then:
        channels.size() == 60
        channels.every { servedInfo(it) != null }
        paced.handshakes().inFlight() == 0
        paced.handshakes().waiting() == 0

        cleanup:
        channels*.close()
        paced?.close()
    }

    def "a handshake that waits for its turn gets its whole time once it starts; the others wait meanwhile"() {
        given: 'a peer that accepts TCP but never speaks SSH, and one handshake at a time'
        def silent = new ServerSocket(0, 50, InetAddress.getByName('127.0.0.1'))
        def accepted = Collections.synchronizedList([])
        Thread.start { try { while (true) { accepted << silent.accept() } } catch (IOException ignored) {} }
        def c = connectorWith(connectTimeout: Duration.ofSeconds(1), authTimeout: Duration.ofSeconds(1),
                maxHandshakes: 1)

        when:
        def attempts = (1..3).collect { c.connect('127.0.0.1', silent.localPort) }
        new PollingConditions(timeout: 30).eventually { assert accepted.size() == 1 }

        then: 'one TCP connection; the other two wait'
        c.handshakes().inFlight() == 1
        c.handshakes().waiting() == 2

        when:
        def failures = attempts.collect { a ->
            try { a.get(120, TimeUnit.SECONDS); null } catch (ExecutionException e) { e.cause.message }
        }

        then: 'each one connected in its turn and timed out in the handshake, not in the queue'
        accepted.size() == 3
        failures.every { it.startsWith("127.0.0.1 port ${silent.localPort}: ") && !it.contains('handshake slot') }
        c.handshakes().inFlight() == 0

        cleanup:
        c?.close()
        silent.close()
        accepted*.close()
    }

    def "a connector needs at least one handshake slot"() {
        when:
        SshConnector.builder().maxHandshakes(0)

        then:
        IllegalArgumentException e = thrown()
        e.message == 'maxHandshakes must be at least 1, not 0'
    }

    def "TCP_NODELAY is set on both ends"() {
        given:
        SshFrameChannel ch = connector.open('127.0.0.1', port)

        int clientPort = (ch.session().ioSession.localAddress as InetSocketAddress).port
        def serverSide = server.sshd().activeSessions.find { (it.ioSession.remoteAddress as InetSocketAddress).port == clientPort }

        expect:
        (ch.session().ioSession as Nio2Session).socket.getOption(StandardSocketOptions.TCP_NODELAY)
        (serverSide.ioSession as Nio2Session).socket.getOption(StandardSocketOptions.TCP_NODELAY)

        cleanup:
        ch?.close()
    }

    def "the connector uses only the key it was given: no agent, no ~/.ssh, no ssh_config, no passwords"() {
        expect:
        def client = connector.sshClient()
        client.keyIdentityProvider.loadKeys(null).collect { Keys.fingerprint(it.public) } == [OpenSsh.fingerprint(aliceKey)]
        client.hostConfigEntryResolver == org.apache.sshd.client.config.hosts.HostConfigEntryResolver.EMPTY
        client.agentFactory == null
        client.passwordIdentityProvider.loadPasswords(null).toList().isEmpty()
        client.userAuthFactories*.name == ['publickey']
        connector.identityFingerprint() == OpenSsh.fingerprint(aliceKey)
    }

    def "a node whose host key is not in known_hosts is refused, naming host, port and fingerprint"() {
        given:
        Path empty = dir.resolve('empty_known_hosts')
        def strict = connectorWith(knownHosts: empty, identity: carolKey)

        when:
        strict.open('127.0.0.1', port)

        then:
        HostKeyException e = thrown()
        e.status() == KnownHosts.Status.UNKNOWN
        e.host() == '127.0.0.1' && e.port() == port
        e.presentedFingerprint() == server.hostKeyFingerprint()
        e.message.startsWith("127.0.0.1 port ${port}: host key ${server.hostKeyFingerprint()} (ssh-ed25519) is not in known_hosts ${empty}")
        e.message.contains('--accept-new')
        e.message.contains('gproc keys scan')
        !(e.message =~ /[A-Z][a-z]+[A-Z][A-Za-z]*\.[A-Z_]+/)   // no Java type or constant
        !Files.exists(empty)
        !servedWith(carolKey)

        cleanup:
        strict?.close()
    }

    def "a node presenting another key than known_hosts lists is refused, naming the line, even with ACCEPT_NEW"() {
        given:
        Path wrong = dir.resolve("wrong_known_hosts_${policy}")
        def otherKey = Keys.generate().public
        String line = KnownHosts.line('127.0.0.1', port, otherKey)
        Files.writeString(wrong, "# cluster nodes\n${line}\n")
        def c = connectorWith(knownHosts: wrong, policy: policy, identity: carolKey)

        when:
        c.open('127.0.0.1', port)

        then:
        HostKeyException e = thrown()
        e.status() == KnownHosts.Status.MISMATCH
        e.message.contains("127.0.0.1 port ${port}: HOST KEY MISMATCH: the node presented ${server.hostKeyFingerprint()}")
        e.message.contains("${wrong} line 2 expects ${Keys.fingerprint(otherKey)}: '${line}'")
        e.message.contains("delete ${wrong}:2 and connect again with --accept-new")
        e.entry().lineNumber() == 2
        Files.readString(wrong) == "# cluster nodes\n${line}\n"
        !servedWith(carolKey)

        cleanup:
        c?.close()

        where:
        policy << [HostKeyPolicy.STRICT, HostKeyPolicy.ACCEPT_NEW]
    }

    def "with ACCEPT_NEW a node with no entry is trusted and appended, and OpenSSH then finds it"() {
        given:
        Path file = dir.resolve('accept_known_hosts')
        def c = connectorWith(knownHosts: file, policy: HostKeyPolicy.ACCEPT_NEW)

        when:
        SshFrameChannel ch = c.open('127.0.0.1', port)

        then:
        ch.hostKeyFingerprint() == server.hostKeyFingerprint()
        Files.readAllLines(file) == [KnownHosts.line('127.0.0.1', port, server.hostKey())]
        OpenSsh.run(['ssh-keygen', '-F', "[127.0.0.1]:${port}".toString(), '-f', file.toString()]).exit == 0

        when: 'a strict connector now trusts the added key'
        def strict = connectorWith(knownHosts: file)
        def again = strict.open('127.0.0.1', port)

        then:
        again.isOpen()
        Files.readAllLines(file).size() == 1

        cleanup:
        ch?.close()
        c?.close()
        strict?.close()
    }

    def "ACCEPT_NEW with many parallel first connections adds exactly one line"() {
        given:
        Path file = dir.resolve('parallel_known_hosts')
        def c = connectorWith(knownHosts: file, policy: HostKeyPolicy.ACCEPT_NEW)

        when:
        def channels = (1..20).collect { c.connect('127.0.0.1', port) }*.get(120, TimeUnit.SECONDS)

        then:
        Files.readAllLines(file) == [KnownHosts.line('127.0.0.1', port, server.hostKey())]

        cleanup:
        channels*.close()
        c?.close()
    }

    def "a hashed known_hosts entry (ssh-keygen -H) is honoured"() {
        given:
        Path file = dir.resolve('hashed_known_hosts')
        Files.writeString(file, KnownHosts.line('127.0.0.1', port, server.hostKey()) + '\n')
        assert OpenSsh.run(['ssh-keygen', '-H', '-f', file.toString()]).exit == 0
        def c = connectorWith(knownHosts: file)

        expect:
        c.open('127.0.0.1', port).isOpen()

        cleanup:
        c?.close()
    }

    def "a key the node does not authorize is refused, naming our fingerprint"() {
        given:
        def c = connectorWith(identity: bobKey)

        when:
        c.open('127.0.0.1', port)

        then:
        IOException e = thrown()
        e.message == "127.0.0.1 port ${port}: the node refused our key ${OpenSsh.fingerprint(bobKey)} (not in its authorized_keys, or an option there forbids this login)"
        !servedWith(bobKey)

        cleanup:
        c?.close()
    }

    def "nothing listening: the failure names host and port"() {
        given:
        int closedPort = SshNodeServerSpec.freePort()

        when:
        connector.open('127.0.0.1', closedPort)

        then:
        IOException e = thrown()
        e.message.startsWith("127.0.0.1 port ${closedPort}: cannot connect")
    }

    def "a peer that accepts TCP but never speaks SSH fails within the deadline"() {
        given:
        def silent = new ServerSocket(0, 50, InetAddress.getByName('127.0.0.1'))
        def accepted = []
        Thread.start { try { while (true) { accepted << silent.accept() } } catch (IOException ignored) {} }
        def c = connectorWith(connectTimeout: Duration.ofSeconds(2), authTimeout: Duration.ofSeconds(2))

        when:
        long t0 = System.nanoTime()
        c.open('127.0.0.1', silent.localPort)

        then:
        IOException e = thrown()
        e.message.startsWith("127.0.0.1 port ${silent.localPort}: ")
        (System.nanoTime() - t0) < TimeUnit.SECONDS.toNanos(60)

        cleanup:
        c?.close()
        silent.close()
        accepted*.close()
    }

    def "a connector needs an identity and a known_hosts file"() {
        when:
        SshConnector.builder().build()

        then:
        IllegalStateException e = thrown()
        e.message == 'SshConnector.builder(): missing identity(...), knownHosts(...)'
    }

    def "a passphrase-protected identity is refused when the connector is built"() {
        given:
        Path locked = OpenSsh.keygen(dir, 'locked', 'x', 'ed25519', 'pass phrase')

        when:
        SshConnector.builder().identity(locked).knownHosts(knownHosts).build()

        then:
        IOException e = thrown()
        e.message.contains("private key ${locked}: is passphrase-protected")
    }
}
