package org.gproc.transport.ssh

import org.gproc.transport.ninep.NinePClient
import org.gproc.transport.ninep.server.MemoryFileTree
import org.gproc.transport.ninep.server.NinePServer
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger

/**
 * Pre-authentication protection: at most maxUnauthenticated connections per port wait for authentication; the rest
 * are dropped at accept, before a byte is sent. An authenticated client keeps working through a flood of 500 silent
 * or garbage-sending connections. Loopback only.
 */
@Timeout(600)
class PreAuthFloodSpec extends Specification {

    static final int CAP = 32

    @Shared @TempDir Path dir
    @Shared Path aliceKey, authorizedKeys
    @Shared MemoryFileTree tree = new MemoryFileTree()
    @Shared NinePServer nine = new NinePServer(tree, 65536, 64)

    PollingConditions eventually = new PollingConditions(timeout: 120, delay: 0.1)

    def setupSpec() {
        aliceKey = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        authorizedKeys = dir.resolve('authorized_keys')
        Files.copy(Path.of("${aliceKey}.pub"), authorizedKeys)
    }

    def cleanupSpec() {
        nine?.close()
    }

    SshNodeServer serve(Duration authTimeout = Duration.ofSeconds(120)) {
        SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate()).authorizedKeys(authorizedKeys)
                .maxUnauthenticated(CAP).authTimeout(authTimeout).maxFrameSize(65536)
                .handler { info, channel -> nine.serve(info.principal(), channel) }.build().start()
    }

    SshConnector connector(SshNodeServer server) {
        SshConnector.builder().identity(aliceKey).knownHosts(OpenSsh.knownHostsFor(dir, server.port(), server.hostKey()))
                .build()
    }

    /** The first bytes the server sends to a raw socket (its banner), or '' when it closes without a word. */
    static String greeting(Socket s) {
        s.soTimeout = 60_000
        byte[] buf = new byte[64]
        int n = s.inputStream.read(buf)
        n < 0 ? '' : new String(buf, 0, n, StandardCharsets.US_ASCII)
    }

    def "an authenticated client keeps working while 500 silent and garbage connections hammer the port"() {
        given:
        SshNodeServer server = serve()
        SshConnector c = connector(server)
        NinePClient client = c.connectNineP('127.0.0.1', server.port(), 65536, 'alice', '').get(60, TimeUnit.SECONDS)
        def b = client.blocking(Duration.ofSeconds(60))
        def hello = b.walk('hello')
        List<Socket> flood = Collections.synchronizedList([])
        def stop = new AtomicBoolean()
        int maxSeen = 0
        Thread watcher = Thread.start {
            while (!stop.get()) {
                maxSeen = Math.max(maxSeen, server.unauthenticatedCount())
                Thread.sleep(5)
            }
        }
        def roundTrips = new AtomicInteger()

        when: 'the flood opens, some sockets sending garbage, while the client makes stat round trips'
        Thread flooder = Thread.start {
            def rnd = new Random(7)
            500.times { i ->
                Socket s = new Socket()
                try {
                    s.connect(new InetSocketAddress('127.0.0.1', server.port()), 30_000)
                    flood << s
                    if (i % 5 == 0) {
                        byte[] junk = new byte[256]
                        rnd.nextBytes(junk)
                        s.outputStream.write(i % 10 == 0 ? 'GET / HTTP/1.0\r\n\r\n'.bytes : junk)
                    }
                } catch (IOException dropped) {
                    s.close() // the server dropped it at once: what the cap is for
                }
            }
        }
        while (flooder.alive || roundTrips.get() < 200) {
            assert b.stat(hello).name() == 'hello'
            roundTrips.incrementAndGet()
        }

        then: 'every request succeeded, and the server never held more than the cap unauthenticated'
        roundTrips.get() >= 200
        server.unauthenticatedCount() <= CAP
        maxSeen <= CAP
        server.droppedUnauthenticated() > 0
        b.stat(hello).name() == 'hello'

        cleanup:
        stop.set(true)
        watcher?.join(10_000)
        flood.each { it.close() }
        client?.close()
        c?.close()
        server?.close()
    }

    def "within the cap a connection gets the SSH banner; beyond it the server closes without a word"() {
        given:
        SshNodeServer server = serve()
        List<Socket> silent = (1..CAP).collect { new Socket('127.0.0.1', server.port()) }

        expect: 'every one of the first CAP connections is greeted'
        silent.every { greeting(it).startsWith('SSH-2.0-gprocd') }
        eventually.eventually { assert server.unauthenticatedCount() == CAP }

        when: 'one more'
        Socket extra = new Socket('127.0.0.1', server.port())

        then: 'dropped at accept: end of stream (or a reset), never the banner'
        dropped(extra)
        server.droppedUnauthenticated() == 1

        when: 'the silent ones go away, their slots are free again'
        silent.each { it.close() }

        then:
        eventually.eventually { assert server.unauthenticatedCount() == 0 }
        greeting(new Socket('127.0.0.1', server.port())).startsWith('SSH-2.0-gprocd')

        cleanup:
        silent.each { it.close() }
        extra?.close()
        server?.close()
    }

    def "authenticated connections do not count against the cap"() {
        given:
        SshNodeServer server = serve()
        SshConnector c = connector(server)

        when: 'more authenticated connections than the cap'
        def channels = (1..CAP + 8).collect { c.open('127.0.0.1', server.port()) }

        then:
        eventually.eventually { assert server.unauthenticatedCount() == 0 }
        server.droppedUnauthenticated() == 0
        channels.every { it.isOpen() }

        cleanup:
        channels?.each { it.close() }
        c?.close()
        server?.close()
    }

    def "the auth timeout frees the slots of silent connections"() {
        given:
        SshNodeServer server = serve(Duration.ofSeconds(2))
        List<Socket> silent = (1..CAP).collect { new Socket('127.0.0.1', server.port()) }

        expect:
        eventually.eventually { assert server.unauthenticatedCount() == CAP }

        and: 'the server closes them after the auth timeout, and the slots are free'
        eventually.eventually { assert server.unauthenticatedCount() == 0 }
        silent.every { it.soTimeout = 60_000; drain(it) }

        cleanup:
        silent.each { it.close() }
        server?.close()
    }

    def "maxUnauthenticated must be at least 1"() {
        when:
        SshNodeServer.builder().maxUnauthenticated(0)

        then:
        IllegalArgumentException e = thrown()
        e.message.contains('maxUnauthenticated')
    }

    static boolean dropped(Socket s) {
        try {
            return greeting(s) == ''
        } catch (SocketException reset) {
            return true
        }
    }

    /** Reads to end of stream (the server closed); true when it did. */
    static boolean drain(Socket s) {
        try {
            byte[] buf = new byte[4096]
            while (s.inputStream.read(buf) >= 0) {
            }
            return true
        } catch (SocketException reset) {
            return true
        }
    }
}
