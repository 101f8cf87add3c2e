package org.gproc.transport.ssh

import org.gproc.transport.ninep.Codec
import org.gproc.transport.ninep.FrameChannel
import org.gproc.transport.ninep.Message
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.ByteBuffer
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

/** Listening on many addresses, flow control, and the builder's fail-fast checks. */
@Timeout(300)
class SshNodeServerSetupSpec extends Specification {

    @Shared @TempDir Path dir
    @Shared Path aliceKey, authorizedKeys, hostKey

    PollingConditions eventually = new PollingConditions(timeout: 60, delay: 0.05)

    def setupSpec() {
        aliceKey = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        authorizedKeys = dir.resolve('authorized_keys')
        Files.copy(Path.of("${aliceKey}.pub"), authorizedKeys)
        hostKey = dir.resolve('host_key')
    }

    SshNodeServer.Builder builder(SubsystemHandler handler) {
        SshNodeServer.builder().hostKey(hostKey).authorizedKeys(authorizedKeys).handler(handler)
    }

    def "one server listens on many ports and tells the handler which port each connection came in on"() {
        given:
        def echo = new EchoNineP()
        def b = builder(echo)
        20.times { b.listen('127.0.0.1', 0) }
        def server = b.build().start()
        List<Integer> ports = server.boundAddresses()*.port
        Path kh = dir.resolve('wildcard_known_hosts')
        Files.writeString(kh, "[127.0.0.1]:* ${Keys.publicKeyLine(server.hostKey())}\n")
        def connector = SshConnector.builder().identity(aliceKey).knownHosts(kh).build()

        when:
        def channels = ports.collect { connector.connect('127.0.0.1', it) }*.get(120, TimeUnit.SECONDS)
        channels.each { it.start(new Collector()) }

        then:
        ports.size() == 20
        ports.unique(false).size() == 20
        server.port() == ports[0] || ports.contains(server.port())
        eventually.eventually { assert echo.opened.size() == 20 }
        echo.opened*.localPort() as Set == ports as Set
        channels.every { ch -> echo.opened.find { it.remoteAddress().port == (ch.session().ioSession.localAddress as InetSocketAddress).port }.localPort() == ch.port() }

        cleanup:
        connector?.close()
        server?.close()
    }

    def "a port already in use stops start(), naming the address, and frees the ports already bound"() {
        given:
        def busy = new ServerSocket(0, 50, InetAddress.getByName('127.0.0.1'))
        int free = SshNodeServerSpec.freePort()
        def server = builder(new EchoNineP()).listen('127.0.0.1', free).listen('127.0.0.1', busy.localPort).build()

        when:
        server.start()

        then:
        IOException e = thrown()
        e.message.startsWith("cannot listen on /127.0.0.1:${busy.localPort}: ")
        new ServerSocket(free, 50, InetAddress.getByName('127.0.0.1')).withCloseable { it.localPort == free }

        cleanup:
        busy.close()
        server?.close()
    }

    def "listenPorts adds a consecutive range, and refuses one that does not fit"() {
        when:
        SshNodeServer.builder().listenPorts('127.0.0.1', 65530, 10)

        then:
        IllegalArgumentException e = thrown()
        e.message == 'listenPorts: 10 ports from 65530 do not fit in 1..65535'
    }

    def "the builder names everything that is missing"() {
        when:
        SshNodeServer.builder().build()

        then:
        IllegalStateException e = thrown()
        e.message == 'SshNodeServer.builder(): missing listen(...), hostKey(...), authorizedKeys(...) or trustedUserCa(...), handler(...)'
    }

    def "a window smaller than two frames is refused, because a whole frame could never arrive"() {
        when:
        builder(new EchoNineP()).listen('127.0.0.1', 0).maxFrameSize(1 << 20).windowSize(1 << 20).build()

        then:
        IllegalStateException e = thrown()
        e.message.contains('windowSize 1048576 must be at least twice maxFrameSize 1048576')
    }

    def "a missing authorized_keys file stops start() instead of locking everyone out silently"() {
        given:
        def server = SshNodeServer.builder().hostKey(hostKey).authorizedKeys(dir.resolve('typo'))
                .handler(new EchoNineP()).listen('127.0.0.1', 0).build()

        when:
        server.start()

        then:
        IOException e = thrown()
        e.message == "authorized_keys ${dir.resolve('typo')}: no such file"

        cleanup:
        server?.close()
    }

    def "a listener that stops taking frames stops the client: the SSH window bounds what the node buffers"() {
        given:
        def gate = new CountDownLatch(1)
        def processed = new AtomicInteger()
        SubsystemHandler slow = { ConnectionInfo info, FrameChannel serverEnd ->
            serverEnd.start(new FrameChannel.Listener() {
                void onFrame(ByteBuffer frame) { gate.await(120, TimeUnit.SECONDS); processed.incrementAndGet() }
                void onClose(Throwable cause) {}
            })
        } as SubsystemHandler
        long window = 256 * 1024
        def server = builder(slow).listen('127.0.0.1', 0).maxFrameSize(64 * 1024).windowSize(window).build().start()
        def kh = OpenSsh.knownHostsFor(dir, server.port(), server.hostKey())
        def connector = SshConnector.builder().identity(aliceKey).knownHosts(kh).build()
        def ch = connector.open('127.0.0.1', server.port())
        ch.start(new Collector())
        byte[] chunk = new byte[32 * 1024]
        int frames = 200
        long total = 0

        when: 'the client sends far more than the window while the listener is stuck on its first frame'
        frames.times {
            def f = Codec.encode(new Message.Twrite(it, 1, 0, chunk))
            total += f.remaining()
            ch.send(f)
        }

        then: 'most of it stays queued at the client'
        eventually.eventually {
            assert ch.pendingOutboundBytes() >= total - window - 64 * 1024
        }
        processed.get() == 0

        when: 'the listener catches up'
        gate.countDown()

        then: 'every frame arrives and the client queue drains'
        eventually.eventually {
            assert processed.get() == frames
            assert ch.pendingOutboundBytes() == 0
        }

        cleanup:
        gate.countDown()
        connector?.close()
        server?.close()
    }
}
