package org.gproc.transport.ssh

import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePClient
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.server.MemoryFileTree
import org.gproc.transport.ninep.server.NinePServer
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.TimeUnit

/** The real 9P server core behind the SSH subsystem, reached by OpenSSH and by our connector + 9P client. */
@Timeout(300)
class NinePOverSshSpec extends Specification {

    @Shared @TempDir Path dir
    @Shared Path aliceKey, knownHosts
    @Shared MemoryFileTree tree = new MemoryFileTree()
    @Shared NinePServer nine = new NinePServer(tree, 65536, 64)
    @Shared SshNodeServer server
    @Shared SshConnector connector
    @Shared int port

    def setupSpec() {
        aliceKey = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        Path authorizedKeys = dir.resolve('authorized_keys')
        Files.copy(Path.of("${aliceKey}.pub"), authorizedKeys)
        server = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('host_key'))
                .authorizedKeys(authorizedKeys).maxFrameSize(65536)
                .handler { info, channel -> nine.serve(info.principal(), channel) }
                .build().start()
        port = server.port()
        knownHosts = OpenSsh.knownHostsFor(dir, port, server.hostKey())
        connector = SshConnector.builder().identity(aliceKey).knownHosts(knownHosts).build()
    }

    def cleanupSpec() {
        connector?.close()
        server?.close()
        nine?.close()
    }

    def "OpenSSH gets the 9P server's Rversion, with msize capped by the node"() {
        when:
        def r = OpenSsh.run(OpenSsh.sshBase(aliceKey, knownHosts, port) + ['-s', '127.0.0.1', 'xcpu@gproc'],
                EchoNineP.bytes(new Message.Tversion(0xFFFF, 1 << 20, '9P2000')))

        then:
        r.exit == 0
        EchoNineP.decodeAll(r.out) == [new Message.Rversion(0xFFFF, 65536, '9P2000')]
    }

    def "OpenSSH can attach, walk, open and read a file in one pipelined stream"() {
        given:
        def out = new ByteArrayOutputStream()
        [new Message.Tversion(0xFFFF, 8192, '9P2000'),
         new Message.Tattach(1, 0, Message.NOFID, 'whoever', ''),
         new Message.Twalk(2, 0, 1, ['hello']),
         new Message.Topen(3, 1, Message.OREAD),
         new Message.Tread(4, 1, 0, 100)].each { out << EchoNineP.bytes(it) }

        when:
        def r = OpenSsh.run(OpenSsh.sshBase(aliceKey, knownHosts, port) + ['-s', '127.0.0.1', 'xcpu@gproc'], out.toByteArray())
        def replies = EchoNineP.decodeAll(r.out)

        then:
        replies*.class == [Message.Rversion, Message.Rattach, Message.Rwalk, Message.Ropen, Message.Rread]
        new String((replies[4] as Message.Rread).data()) == MemoryFileTree.HELLO
    }

    def "our connector's 9P client reads and writes files; the tree sees the key's principal, not the uname"() {
        when:
        NinePClient client = connector.connectNineP('127.0.0.1', port, 1 << 20, 'bob', '').get(60, TimeUnit.SECONDS)
        def b = client.blocking(Duration.ofSeconds(60))
        def hello = b.open(b.walk('hello'), Message.OREAD)
        byte[] text = b.readAll(hello)
        def dirFid = b.walk('sub')
        def created = b.create(dirFid, 'big', 0644, Message.ORDWR)
        byte[] data = new byte[3 * 1024 * 1024]
        new Random(5).nextBytes(data)
        long written = b.writeAll(created, 0, data)

        then:
        client.msize() == 65536
        new String(text) == MemoryFileTree.HELLO
        written == data.length
        b.stat(created).length() == data.length
        b.read(created, 1_000_000, 100) == Arrays.copyOfRange(data, 1_000_000, 1_000_100)
        tree.attachedAs.last() == 'alice@lab'

        cleanup:
        client?.close()
    }

    def "9P errors cross the SSH channel with the server's text"() {
        given:
        NinePClient client = connector.connectNineP('127.0.0.1', port, 8192, 'alice', '').get(60, TimeUnit.SECONDS)
        def b = client.blocking(Duration.ofSeconds(60))

        when:
        b.walk('no-such-file')

        then:
        NinePException e = thrown()
        e.message.contains('no-such-file')

        cleanup:
        client?.close()
    }

    def "a 9P session to a node that does not authorize us fails naming host and port"() {
        given:
        Path stranger = OpenSsh.keygen(dir, 'stranger', 'stranger@x')
        def c = SshConnector.builder().identity(stranger).knownHosts(knownHosts).build()

        when:
        c.connectNineP('127.0.0.1', port, 8192, 'x', '').get(60, TimeUnit.SECONDS)

        then:
        def e = thrown(java.util.concurrent.ExecutionException)
        e.cause instanceof IOException
        e.cause.message.startsWith("127.0.0.1 port ${port}: the node refused our key")

        cleanup:
        c?.close()
    }
}
