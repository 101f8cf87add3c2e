package org.gproc.transport.ssh

import org.gproc.transport.ninep.Message
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.ExecutionException

/**
 * Jumps on loopback: our connector reaches nodes through one or two of our servers started as gateways, each hop's
 * host key checked under its own name and the user authenticated at every hop with the same key.
 */
@Timeout(300)
class GatewaySpec extends Specification {

    @Shared @TempDir Path dir
    @Shared Path aliceKey, malloryKey, authorizedKeys, revoked, knownHosts
    @Shared EchoNineP echo = new EchoNineP()
    @Shared SshNodeServer nodeA, nodeB, gateway, outer, plain
    @Shared List<JumpEvent> jumps = new CopyOnWriteArrayList<>()
    @Shared SshConnector connector

    PollingConditions eventually = new PollingConditions(timeout: 60, delay: 0.05)

    def setupSpec() {
        aliceKey = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        malloryKey = OpenSsh.keygen(dir, 'mallory', 'mallory@lab')
        authorizedKeys = dir.resolve('authorized_keys')
        Files.writeString(authorizedKeys, Files.readString(Path.of("${aliceKey}.pub")) + Files.readString(Path.of("${malloryKey}.pub")))
        revoked = dir.resolve('revoked')
        Files.writeString(revoked, '')
        nodeA = server('node')
        nodeB = server('node2')
        def targets = GatewayTargets.of('sitenodes', [new GatewayTargets.Node('b1', '127.0.0.1', nodeA.port()),
                                                     new GatewayTargets.Node('b2', 'localhost', nodeB.port())])
        gateway = server('gateway') { it.gateway(targets, { JumpEvent e -> jumps << e } as JumpListener).revoked(revoked) }
        outer = server('outer') {
            it.gateway(GatewayTargets.of('inner', [new GatewayTargets.Node('gwb', '127.0.0.1', gateway.port())]), null)
        }
        plain = server('plain')
        knownHosts = dir.resolve('known_hosts')
        Files.write(knownHosts, [nodeA, nodeB, gateway, outer, plain].collect { KnownHosts.line('127.0.0.1', it.port(), it.hostKey()) }
                + [KnownHosts.line('localhost', nodeB.port(), nodeB.hostKey())])
        connector = SshConnector.builder().identity(aliceKey).knownHosts(knownHosts).build()
    }

    SshNodeServer server(String name, Closure more = {}) {
        def b = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(dir.resolve("${name}_host_key"))
                .authorizedKeys(authorizedKeys).handler(echo)
        more(b)
        b.build().start()
    }

    def cleanupSpec() {
        connector?.close()
        [nodeA, nodeB, gateway, outer, plain]*.close()
    }

    def setup() {
        jumps.clear()
    }

    static JumpHost hop(SshNodeServer s) {
        new JumpHost('127.0.0.1', s.port())
    }

    static Message version(SshFrameChannel ch) {
        def c = new Collector()
        ch.start(c)
        SshConnectorSpec.roundTrip(ch, c, new Message.Tversion(1, 8192, '9P2000'))
    }

    static Throwable failure(java.util.concurrent.CompletableFuture f) {
        try {
            f.get()
            return null
        } catch (ExecutionException e) {
            return e.cause
        }
    }

    def "a node behind a gateway answers 9P, and the gateway audits who went where"() {
        when:
        SshFrameChannel ch = connector.connect([hop(gateway)], '127.0.0.1', nodeA.port()).get()

        then:
        version(ch) == new Message.Rversion(1, 8192, '9P2000')
        ch.hostKeyFingerprint() == nodeA.hostKeyFingerprint()
        jumps.size() == 1
        with(jumps[0]) {
            accepted()
            principal() == 'alice@lab'
            node() == 'b1'
            address() == "127.0.0.1:${nodeA.port()}".toString()
        }

        cleanup:
        ch?.close()
    }

    def "a target outside the gateway's list is refused, named, and audited"() {
        when:
        def e = failure(connector.connect([hop(gateway)], '127.0.0.1', plain.port()))

        then:
        e instanceof IOException
        e.message.contains("127.0.0.1 port ${plain.port()}")
        e.message.contains('would not forward to it')
        e.message.contains('administratively prohibited')
        jumps.size() == 1
        !jumps[0].accepted()
        jumps[0].principal() == 'alice@lab'
        jumps[0].node() == null
    }

    def "a name the list writes is forwarded to the address it resolves to; a name it does not write is not looked up"() {
        when:
        SshFrameChannel ch = connector.connect([hop(gateway)], 'localhost', nodeB.port()).get()

        then:
        version(ch) instanceof Message.Rversion
        jumps[0].node() == 'b2'
        jumps[0].address().endsWith(":${nodeB.port()}")

        when:
        def e = failure(connector.connect([hop(gateway)], 'localhost', nodeA.port()))

        then:
        e.message.contains('administratively prohibited')

        cleanup:
        ch?.close()
    }

    def "a server that is no gateway refuses every direct-tcpip channel"() {
        when:
        def e = failure(connector.connect([hop(plain)], '127.0.0.1', nodeA.port()))

        then:
        e.message.contains("gateway 127.0.0.1 port ${plain.port()} would not forward to it")
        echo.opened.every { it.localPort() != nodeA.port() || it.remoteAddress().port != plain.port() }
    }

    def "nodes behind one gateway share one connection to it, closed when the last of them closes"() {
        when:
        SshFrameChannel a = connector.connect([hop(gateway)], '127.0.0.1', nodeA.port()).get()
        SshFrameChannel b = connector.connect([hop(gateway)], 'localhost', nodeB.port()).get()

        then:
        connector.gatewayConnections() == 1
        gateway.connectionCount() == 1

        when:
        a.close()

        then: 'the other node still works through it'
        version(b) instanceof Message.Rversion
        connector.gatewayConnections() == 1

        when:
        b.close()

        then:
        eventually.eventually {
            assert connector.gatewayConnections() == 0
            assert gateway.connectionCount() == 0
        }
    }

    def "two gateways in a row reach the node, each hop checked and authenticated"() {
        when:
        SshFrameChannel ch = connector.connect([hop(outer), hop(gateway)], '127.0.0.1', nodeA.port()).get()

        then:
        version(ch) instanceof Message.Rversion
        jumps.size() == 1 && jumps[0].node() == 'b1'
        connector.gatewayConnections() == 2

        cleanup:
        ch?.close()
    }

    def "a failed connection through two gateways leaves the other users of the first one alone"() {
        given: 'known_hosts without nodeB, so the two-hop connection to it fails at its host key'
        Path partial = dir.resolve('known_hosts_partial')
        Files.write(partial, [outer, gateway, nodeA].collect { KnownHosts.line('127.0.0.1', it.port(), it.hostKey()) })
        def strict = SshConnector.builder().identity(aliceKey).knownHosts(partial).build()
        SshFrameChannel near = strict.connect([hop(outer)], '127.0.0.1', gateway.port()).get()

        when:
        def e = failure(strict.connect([hop(outer), hop(gateway)], 'localhost', nodeB.port()))

        then:
        e instanceof HostKeyException
        version(near) instanceof Message.Rversion
        eventually.eventually { assert strict.gatewayConnections() == 1 }

        when:
        near.close()

        then:
        eventually.eventually {
            assert strict.gatewayConnections() == 0
            assert outer.connectionCount() == 0
        }

        cleanup:
        strict?.close()
    }

    def "a node behind the gateway with the wrong host key is refused under its own name"() {
        given: 'known_hosts pins another key for the node'
        Path wrong = dir.resolve('known_hosts_wrong')
        Files.write(wrong, [KnownHosts.line('127.0.0.1', gateway.port(), gateway.hostKey()),
                            KnownHosts.line('127.0.0.1', nodeA.port(), plain.hostKey())])
        def strict = SshConnector.builder().identity(aliceKey).knownHosts(wrong).build()

        when:
        def e = failure(strict.connect([hop(gateway)], '127.0.0.1', nodeA.port()))

        then:
        e instanceof HostKeyException
        e.message.startsWith("127.0.0.1 port ${nodeA.port()} (through 127.0.0.1 port ${gateway.port()}): HOST KEY MISMATCH")

        cleanup:
        strict?.close()
    }

    def "a gateway with the wrong host key stops the connection before anything is forwarded"() {
        given:
        Path wrong = dir.resolve('known_hosts_wrong_gw')
        Files.write(wrong, [KnownHosts.line('127.0.0.1', gateway.port(), plain.hostKey()),
                            KnownHosts.line('127.0.0.1', nodeA.port(), nodeA.hostKey())])
        def strict = SshConnector.builder().identity(aliceKey).knownHosts(wrong).build()

        when:
        def e = failure(strict.connect([hop(gateway)], '127.0.0.1', nodeA.port()))

        then:
        e.message.contains("through gateway 127.0.0.1 port ${gateway.port()}: HOST KEY MISMATCH")
        jumps.isEmpty()

        cleanup:
        strict?.close()
    }

    def "a key revoked after its login can no longer jump, and the refusal is audited"() {
        given:
        def mallory = SshConnector.builder().identity(malloryKey).knownHosts(knownHosts).build()
        SshFrameChannel first = mallory.connect([hop(gateway)], '127.0.0.1', nodeA.port()).get()

        when:
        Files.writeString(revoked, Files.readString(Path.of("${malloryKey}.pub")))
        def e = failure(mallory.connect([hop(gateway)], 'localhost', nodeB.port()))

        then: 'the second jump reuses the authenticated gateway connection and is refused on it'
        e.message.contains('administratively prohibited')
        jumps.size() == 2
        jumps[0].accepted()
        !jumps[1].accepted() && jumps[1].principal() == 'mallory@lab'
        jumps[1].refusal().startsWith('principal mallory@lab is no longer authorized')

        cleanup:
        Files.writeString(revoked, '')
        first?.close()
        mallory?.close()
    }
}
