package org.gproc.transport.ninep

import org.gproc.transport.ninep.Message.*
import org.gproc.transport.ninep.server.MemoryFileTree
import org.gproc.transport.ninep.server.NinePServer
import org.gproc.transport.ninep.server.ServerConnection
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit

import static org.gproc.transport.ninep.Message.*

/** Pipelined requests: sent back to back, against a scripted server and against the real server core. */
@Timeout(120)
class PipelineSpec extends Specification {
    MemoryFileTree tree = new MemoryFileTree()
    ServerConnection connection
    NinePClient client
    PollingConditions conditions = new PollingConditions(timeout: 20)

    def setup() {
        def pipe = FramePipe.pair()
        connection = new NinePServer(tree).serve('alice@lab', pipe.server())
        client = NinePClient.connect(pipe.client(), 65536, 'alice', '').get(10, TimeUnit.SECONDS)
    }

    def cleanup() {
        client?.close()
    }

    private static <V> V get(CompletableFuture<V> f) {
        f.get(20, TimeUnit.SECONDS)
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(20, TimeUnit.SECONDS)
        } catch (ExecutionException e) {
            return e.cause
        }
        throw new AssertionError("expected ${f} to fail")
    }

    def "walk, open, read and clunk all go out before the first reply comes back"() {
        given: 'a scripted server'
        def pipe = FramePipe.pair()
        def script = new RawPeer(pipe.server())
        def connecting = NinePClient.connect(pipe.client(), 8192, 'u', '')
        script.acceptConnect()
        def c = get(connecting)

        when:
        def p = c.pipeline()
        def fid = p.walk('sub/a')
        def opened = p.open(fid, OREAD)
        def read = p.read(fid, 0, 100)
        def clunked = p.clunk(fid)
        p.send()
        def walk = script.receive() as Twalk
        def open = script.receive() as Topen
        def tread = script.receive() as Tread
        def tclunk = script.receive() as Tclunk

        then: 'every request names the fid the walk creates'
        walk.names() == ['sub', 'a']
        [open.fid(), tread.fid(), tclunk.fid()] == [walk.newfid()] * 3

        when:
        def qid = new Qid(0, 0, 7)
        script.reply(new Rwalk(walk.tag(), [new Qid(Qid.QTDIR, 0, 2), qid]))
        script.reply(new Ropen(open.tag(), qid, 0))
        script.reply(new Rread(tread.tag(), 'a\n'.bytes))
        script.reply(new Rclunk(tclunk.tag()))

        then:
        get(opened).is(fid)
        fid.qid() == qid
        get(read) == 'a\n'.bytes
        get(clunked) == null

        cleanup:
        c?.close()
    }

    def "against the real server a pipelined read of a file gives its bytes and leaves no fid behind"() {
        when:
        def p = client.pipeline()
        def fid = p.walk('sub/a')
        p.open(fid, OREAD)
        def read = p.read(fid, 0, 100)
        def clunked = p.clunk(fid)
        p.send()

        then:
        get(read) == 'a\n'.bytes
        get(clunked) == null
        conditions.eventually { assert connection.fidCount() == 1 } // the root
    }

    def "requests behind a walk that fails report the walk's error, and the fid number is reused afterwards"() {
        when:
        def p = client.pipeline()
        def fid = p.walk('sub/nope')
        def opened = p.open(fid, OREAD)
        def read = p.read(fid, 0, 100)
        def clunked = p.clunk(fid)
        p.send()

        then:
        failure(read).message.startsWith("walk 'sub/nope': 'nope' does not exist")
        failure(opened).message == failure(read).message
        failure(clunked).message == failure(read).message
        fid.clunked

        when: 'the number went back to the pool exactly once'
        def a = get(client.walk('sub/a'))
        def b = get(client.walk('sub/b'))

        then:
        a.number() != b.number()
        get(client.open(a, OREAD)).with { get(client.read(it, 0, 10)) } == 'a\n'.bytes
        get(client.open(b, OREAD)).with { get(client.read(it, 0, 10)) } == 'b\n'.bytes
    }

    def "an open that fails is reported, and its walked fid is clunked even without a pipelined clunk"() {
        when:
        def p = client.pipeline()
        def fid = p.walk('readonly')
        def opened = p.open(fid, OWRITE)
        def wrote = p.write(fid, 0, 'x'.bytes)
        p.send()

        then:
        failure(opened).message == "'readonly': permission denied"
        failure(wrote).message == "'readonly': permission denied"
        conditions.eventually {
            assert fid.clunked
            assert connection.fidCount() == 1
        }
    }

    def "a pipelined read that parks can be cancelled, which flushes it"() {
        when:
        def p = client.pipeline()
        def fid = p.walk('parked')
        p.open(fid, OREAD)
        def read = p.read(fid, 0, 10)
        p.send()
        conditions.eventually { assert tree.parkedReads.size() == 1 }
        read.cancel(true)

        then:
        conditions.eventually {
            assert tree.parkedReads.peek().cancelled
            assert connection.pendingCount() == 0
        }
        get(client.clunk(fid)) == null
    }

    def "a request that cannot be encoded sends nothing from its pipeline"() {
        when:
        def p = client.pipeline()
        def fid = p.walk('sub/a')
        def opened = p.open(fid, OREAD)
        def bad = p.walk(client.root(), ['bad\u0000name'])
        p.send()

        then:
        failure(opened) instanceof IllegalArgumentException
        fid.clunked
        bad.clunked
        connection.fidCount() == 1
        get(client.stat(client.root())).directory
    }

    def "a pipeline is sent once and takes no more than 16 names per walk"() {
        given:
        def p = client.pipeline()
        p.walk('sub/a')
        p.send()

        when:
        p.send()

        then:
        thrown(IllegalStateException)

        when:
        client.pipeline().walk(client.root(), (1..17).collect { "d$it".toString() })

        then:
        thrown(IllegalArgumentException)
    }
}
