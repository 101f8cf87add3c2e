package org.gproc.transport.ninep

import org.gproc.transport.ninep.Message.*
import org.gproc.transport.ninep.server.Errors
import org.gproc.transport.ninep.server.MemoryFileTree
import org.gproc.transport.ninep.server.NinePServer
import org.gproc.transport.ninep.server.ServerConnection
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.time.Duration
import java.util.concurrent.CancellationException
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit

import static org.gproc.transport.ninep.Message.*

/** The client against the real server core over an in-process FramePipe (and, for a few wire details, a script). */
@Timeout(120)
class NinePClientSpec extends Specification {
    static final int MSIZE = 65536

    MemoryFileTree tree = new MemoryFileTree()
    NinePServer server = new NinePServer(tree)
    ServerConnection connection
    TapChannel tap
    NinePClient client
    BlockingNinePClient io
    PollingConditions conditions = new PollingConditions(timeout: 20)

    def setup() {
        def pipe = FramePipe.pair()
        connection = server.serve('alice@lab', pipe.server())
        tap = new TapChannel(pipe.client())
        client = NinePClient.connect(tap, MSIZE, 'alice', '').get(10, TimeUnit.SECONDS)
        io = client.blocking(Duration.ofSeconds(20))
    }

    def cleanup() {
        client?.close()
    }

    private static <V> V get(CompletableFuture<V> f) {
        f.get(20, TimeUnit.SECONDS)
    }

    /**
     * A second client whose server is a script: the feature receives each request and writes each reply itself.
     * {@code clientSide} may wrap the client's end of the pipe (e.g. to watch what it handles).
     */
    private static Tuple2<RawPeer, NinePClient> scripted(Closure<FrameChannel> clientSide = { it }) {
        def pipe = FramePipe.pair()
        def script = new RawPeer(pipe.server())
        def connecting = NinePClient.connect(clientSide(pipe.client()), 8192, 'u', '')
        script.acceptConnect()
        new Tuple2<>(script, get(connecting))
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(20, TimeUnit.SECONDS)
        } catch (ExecutionException e) {
            return e.cause
        }
        throw new AssertionError("expected ${f} to fail")
    }

    def "connect negotiates the msize and attaches the root"() {
        expect:
        client.msize() == MSIZE
        client.maxIo() == MSIZE - 24
        client.root().directory
        tap.sent[0] == new Tversion(NOTAG, MSIZE, '9P2000')
        tap.sent[1] instanceof Tattach
        tree.attachedAs == ['alice@lab']
    }

    def "connect fails, and closes the channel, when the server refuses the attach"() {
        given:
        def pipe = FramePipe.pair()
        def refused = server.serve('alice@lab', pipe.server())

        when:
        def e = failure(NinePClient.connect(pipe.client(), MSIZE, 'alice', 'elsewhere'))

        then:
        e instanceof NinePException
        e.message == "attach: no tree 'elsewhere' (this server has only '/')"
        conditions.eventually { assert !refused.open }
    }

    def "connect fails when the server does not speak 9P2000"() {
        given:
        def pipe = FramePipe.pair()
        def script = new RawPeer(pipe.server())

        when:
        def connecting = NinePClient.connect(pipe.client(), MSIZE, 'alice', '')
        def v = script.receive() as Tversion
        script.reply(new Rversion(v.tag(), MSIZE, 'unknown'))

        then:
        failure(connecting).message == "version: server speaks 'unknown', not 9P2000"
        script.awaitClose()
    }

    def "walk, open, read and stat work through the client"() {
        when:
        def fid = get(client.walk('sub/a'))
        get(client.open(fid, OREAD))

        then:
        fid.open
        fid.iounit() == MSIZE - 24
        get(client.read(fid, 0, 100)) == 'a\n'.bytes
        get(client.stat(fid)).name() == 'a'
        get(client.stat(fid)).qid() == fid.qid()
    }

    def "a server error completes the future with a NinePException carrying the server's words"() {
        when:
        def fid = get(client.walk('readonly'))
        def e = failure(client.open(fid, OWRITE))

        then:
        e instanceof NinePException
        e.message == "'readonly': permission denied"
        !fid.open
    }

    def "a walk that fails at its first name reports the server's words; part way, the name that did not walk"() {
        expect:
        failure(client.walk('nope/a')).message == "'nope': file does not exist"
        failure(client.walk('sub/nope/deeper')).message.startsWith("walk 'sub/nope/deeper': 'nope' does not exist")
        connection.fidCount() == 1
    }

    def "a walk of more than 16 names takes several Twalks; if it fails, the half-walked fid is clunked"() {
        given:
        def names = (1..20).collect { "d$it".toString() }
        names.inject('') { String path, String n -> tree.dir(path + n); path + n + '/' }

        when:
        def deep = get(client.walk(client.root(), names))

        then:
        get(client.stat(deep)).name() == 'd20'
        tap.sentOf(Twalk).size() == 2

        when:
        def bad = names.take(18) + ['missing', 'd20']
        def e = failure(client.walk(client.root(), bad))

        then:
        e.message.contains("'missing'")
        conditions.eventually { assert connection.fidCount() == 2 } // the root and deep
    }

    def "100 concurrent reads are multiplexed on one connection"() {
        given:
        def parked = get(client.walk('parked'))
        get(client.open(parked, OREAD))

        when:
        def reads = (1..100).collect { client.read(parked, 0, 10) }

        then: 'all 100 wait in the server at once'
        conditions.eventually { assert connection.pendingCount() == 100 }
        tap.sentOf(Tread)*.tag().unique().size() == 100

        when:
        tree.releaseParked('data'.bytes)

        then:
        reads.every { get(it) == 'data'.bytes }
    }

    def "many concurrent reads of a plain file each get their own bytes"() {
        given:
        def bytes = (0..<4096).collect { (byte) it } as byte[]
        tree.file('numbers', bytes)
        def fid = get(client.open(get(client.walk('numbers')), OREAD))

        when:
        def reads = (0..<256).collect { int i -> client.read(fid, i * 16, 16) }

        then:
        reads.withIndex().every { f, int i -> get(f) == Arrays.copyOfRange(bytes, i * 16, i * 16 + 16) }
    }

    def "fid numbers are reused once the server has confirmed the clunk"() {
        when:
        def first = get(client.walk('hello'))
        get(client.clunk(first))
        def second = get(client.walk('sub'))

        then:
        second.number() == first.number()
        get(client.stat(second)).name() == 'sub'
    }

    def "a clunked fid cannot be used again"() {
        given:
        def fid = get(client.walk('hello'))
        get(client.clunk(fid))

        expect:
        failure(client.stat(fid)) instanceof IllegalStateException
        failure(client.clunk(fid)) instanceof IllegalStateException
    }

    def "cancelling a parked read sends a Tflush; the server drops the read and the client carries on"() {
        given:
        def parked = get(client.open(get(client.walk('parked')), OREAD))
        def read = client.read(parked, 0, 10)
        conditions.eventually { assert tree.parkedReads.size() == 1 }
        def inTree = tree.parkedReads.peek()

        when:
        read.cancel(true)

        then:
        conditions.eventually {
            assert inTree.cancelled
            assert tap.received.any { it instanceof Rflush }
        }
        def readTag = tap.sentOf(Tread).last().tag()
        tap.sentOf(Tflush)*.oldtag() == [readTag]
        connection.pendingCount() == 0
        get(client.stat(client.root())).directory
    }

    def "a flushed tag is not reused before the Rflush arrives"() {
        given: 'a scripted server'
        TapChannel clientSide = null
        def (script, c) = scripted { clientSide = new TapChannel(it) }

        when:
        def stat = c.stat(c.root())
        def tstat = script.receive() as Tstat
        stat.cancel(true)
        def flush = script.receive() as Tflush

        then:
        flush.oldtag() == tstat.tag()

        when: 'requests made before the Rflush get other tags'
        def others = (1..3).collect { c.stat(c.root()) }
        def tags = (1..3).collect { script.receive().tag() }

        then:
        !tags.contains(tstat.tag())
        !tags.contains(flush.tag())

        when: 'after the Rflush the tag comes back into use'
        script.reply(new Rflush(flush.tag()))
        // replies are handled on the channel's receiving thread: ask for new tags only once the Rflush has been
        conditions.eventually { assert clientSide.handled.any { it instanceof Rflush } }
        def later = (1..2).collect { c.stat(c.root()) }
        def laterTags = (1..2).collect { script.receive().tag() }

        then:
        laterTags.toSet() == [tstat.tag(), flush.tag()].toSet()

        cleanup:
        c?.close()
    }

    def "65,535 requests are in flight at once, each under its own tag; the next waits for a tag to come back"() {
        given: 'a scripted server that answers nothing until told'
        def (script, c) = scripted()

        when:
        def stats = (0..NOTAG).collect { c.stat(c.root()) }
        def tags = (1..NOTAG).collect { script.receive().tag() }

        then: 'every tag but NOTAG (0 to 65,534), once each, and the 65,536th request is not sent'
        tags.toSet() == (0..<NOTAG).toSet()
        !tags.contains(NOTAG)
        !script.hasFrame(200)

        when: 'one reply frees a tag'
        script.reply(new Rerror(tags[0], 'busy'))

        then: 'the waiting request goes out under it'
        script.receive().tag() == tags[0]
        failure(stats[0]).message.contains('busy')

        cleanup:
        c?.close()
    }

    def "a reply under a tag the client never used aborts the connection, naming the tag"() {
        given:
        def (script, c) = scripted()
        def stat = c.stat(c.root())
        script.receive()

        when:
        script.reply(new Rclunk(40000))

        then:
        failure(stat).message.contains('to tag 40000, which has no request in flight')
        script.awaitClose()
    }

    def "a reply that beats the Rflush is honoured: a walk the caller cancelled has its new fid clunked"() {
        given:
        def (script, c) = scripted()

        when:
        def walk = c.walk('x')
        def twalk = script.receive() as Twalk
        walk.cancel(true)
        def flush = script.receive() as Tflush
        script.reply(new Rwalk(twalk.tag(), [new Qid(0, 0, 7)]))
        script.reply(new Rflush(flush.tag()))

        then:
        walk.cancelled
        (script.receive() as Tclunk).fid() == twalk.newfid()

        cleanup:
        c?.close()
    }

    def "writeAll of 8 MiB arrives byte-exact with many Twrites in flight"() {
        given:
        def data = new byte[8 << 20]
        new Random(42).nextBytes(data)
        def fid = get(client.create(get(client.walk('empty')), 'blob', 0644, ORDWR))

        when:
        long n = get(client.writeAll(fid, 0, data))

        then:
        n == data.length
        Arrays.equals(tree.content('empty/blob'), data)
        tap.maxWritesOut > 1
        tap.sentOf(Twrite).size() == Math.ceil(data.length / fid.iounit())

        and: 'readAll brings it back, also pipelined'
        Arrays.equals(get(client.readAll(fid)), data)
        tap.maxReadsOut > 1
    }

    def "writeAll to a fid opened for reading fails with the server's words"() {
        given:
        def fid = get(client.open(get(client.walk('hello')), OREAD))

        expect:
        failure(client.writeAll(fid, 0, new byte[200_000])).message.startsWith(Errors.PERMISSION_DENIED)
        tree.content('hello') == MemoryFileTree.HELLO.bytes
    }

    def "readAll of a small file, a directory and an empty file"() {
        expect:
        get(client.readAll(get(client.open(get(client.walk('hello')), OREAD)))) == MemoryFileTree.HELLO.bytes
        get(client.readAll(get(client.open(get(client.walk('badclunk')), OREAD)))).length == 0
        get(client.readDir(get(client.open(get(client.walk('sub')), OREAD))))*.name() == ['a', 'b']
    }

    def "readAll of a fid that is not open fails at once"() {
        expect:
        failure(client.readAll(get(client.walk('hello')))) instanceof IllegalStateException
    }

    def "more requests than there are tags wait for a free tag instead of failing"() {
        given:
        def parked = get(client.open(get(client.walk('parked')), OREAD))
        int total = 65535 + 100

        when:
        def reads = (1..total).collect { client.read(parked, 0, 1) }
        conditions.eventually { assert connection.pendingCount() == 65535 }

        then:
        conditions.eventually {
            int released = tree.releaseParked('z'.bytes) // the reads that waited for a tag park in their turn
            int notDone = reads.count { !it.done }
            assert notDone == 0: "released ${released}, server pending ${connection.pendingCount()}, " +
                    "tree parked ${tree.parkedReads.size()}"
        }
        reads.count { it.join() != 'z'.bytes } == 0
    }

    def "losing the connection fails every outstanding request, and every later one, with an IOException"() {
        given:
        def parked = get(client.open(get(client.walk('parked')), OREAD))
        def reads = (1..5).collect { client.read(parked, 0, 10) }
        conditions.eventually { assert connection.pendingCount() == 5 }

        when:
        connection.close()

        then:
        reads.every {
            def e = failure(it)
            e instanceof IOException && !(e instanceof NinePException) && e.message == '9P connection closed by the server'
        }
        failure(client.stat(client.root())).message == '9P connection closed by the server'
        !client.open
    }

    def "the blocking layer walks, creates, writes, reads, stats and clunks"() {
        when:
        def dir = io.walk('empty')
        def f = io.create(dir, 'notes', 0644, ORDWR)
        io.write(f, 0, 'one '.bytes)
        long n = io.writeAll(f, 4, new ByteArrayInputStream(('two ' * 50_000).bytes))
        def back = io.readAll(f)
        def st = io.stat(f)
        io.clunk(f)

        then:
        n == 200_000
        back.length == 200_004
        new String(back, 0, 8) == 'one two '
        st.length() == 200_004
        io.read(io.open(io.walk('hello'), OREAD), 0, 5) == 'hello'.bytes
    }

    def "a blocking call that gets no reply in time is cancelled, which flushes it"() {
        given:
        def quick = client.blocking(Duration.ofMillis(300))
        def parked = io.open(io.walk('parked'), OREAD)

        when:
        quick.read(parked, 0, 10)

        then:
        InterruptedIOException e = thrown()
        e.message == "9P read: no reply within PT0.3S"
        conditions.eventually {
            assert tap.sentOf(Tflush).size() == 1
            assert connection.pendingCount() == 0
        }
    }

    def "blocking calls rethrow server errors as NinePException"() {
        when:
        io.walk('missing')

        then:
        NinePException e = thrown()
        e.message == "'missing': file does not exist"
    }
}
