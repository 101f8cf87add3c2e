package org.gproc.transport.ninep.server

import org.gproc.transport.ninep.Codec
import org.gproc.transport.ninep.FramePipe
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.Message.*
import org.gproc.transport.ninep.Qid
import org.gproc.transport.ninep.RawPeer
import org.gproc.transport.ninep.Stat
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.util.concurrent.CompletableFuture

import static org.gproc.transport.ninep.Message.*

/** The server core, driven frame by frame through a real in-process channel against a {@link MemoryFileTree}. */
@Timeout(60)
class ServerCoreSpec extends Specification {
    static final int MSIZE = 8192
    static final String PRINCIPAL = 'alice@lab'

    MemoryFileTree tree = new MemoryFileTree()
    NinePServer server
    ServerConnection connection
    RawPeer peer
    PollingConditions conditions = new PollingConditions(timeout: 10)

    def setup() {
        start(new NinePServer(tree, 65536, 4096))
    }

    def cleanup() {
        peer?.close()
    }

    private void start(NinePServer s) {
        peer?.close()
        server = s
        def pipe = FramePipe.pair()
        connection = server.serve(PRINCIPAL, pipe.server())
        peer = new RawPeer(pipe.client())
    }

    private Qid ready() {
        peer.version(MSIZE)
        peer.attach(0)
    }

    private R walk(int fid, int newfid, String... names) {
        peer.rpc(new Twalk(1, fid, newfid, names as List))
    }

    private R open(int fid, int mode) {
        peer.rpc(new Topen(1, fid, mode))
    }

    /** Walks fid 0 to {@code path} as {@code fid} and opens it. */
    private Ropen opened(int fid, String path, int mode) {
        assert peer.rpc(new Twalk(1, 0, fid, path ? path.split('/') as List : [])) instanceof Rwalk
        def r = open(fid, mode)
        assert r instanceof Ropen, r.toString()
        r
    }

    /**
     * Sends a read of the parked file and waits until the tree holds it: frames are handled in order, so once the
     * Tstat sent after it is answered, the read has reached the tree.
     */
    private CompletableFuture<byte[]> park(int tag, int fid) {
        int before = tree.parkedReads.size()
        peer.send(new Tread(tag, fid, 0, 100))
        assert peer.rpc(new Tstat(tag + 1, 0)) instanceof Rstat
        assert tree.parkedReads.size() == before + 1
        tree.parkedReads.toList().last()
    }

    private static String error(R r) {
        assert r instanceof Rerror, "expected an Rerror, got ${r}"
        r.ename()
    }

    def "Tversion settles on the smaller msize and on 9P2000 for #asked"() {
        when:
        def r = peer.rpc(new Tversion(NOTAG, msize, asked))

        then:
        r == new Rversion(NOTAG, expectedMsize, '9P2000')
        connection.msize() == expectedMsize

        where:
        asked      | msize   || expectedMsize
        '9P2000'   | 8192    || 8192
        '9P2000'   | 1 << 24 || 65536
        '9P2000.u' | 4096    || 4096
    }

    def "an unknown version gets Rversion 'unknown' and the connection stays unversioned"() {
        expect:
        peer.rpc(new Tversion(NOTAG, 8192, version)) == new Rversion(NOTAG, 8192, 'unknown')
        error(peer.rpc(new Tattach(1, 0, NOFID, 'u', ''))) == Errors.VERSION_FIRST
        tree.attachedAs.isEmpty()

        where:
        version << ['9P1', 'P92000', '']
    }

    def "a Tversion with an msize too small to carry a message is refused"() {
        expect:
        error(peer.rpc(new Tversion(NOTAG, 100, '9P2000'))).startsWith(Errors.MSIZE_TOO_SMALL)
        connection.msize() == 0
    }

    def "requests before Tversion are refused without reaching the tree"() {
        expect:
        error(peer.rpc(new Tattach(1, 0, NOFID, 'u', ''))) == Errors.VERSION_FIRST
        error(peer.rpc(new Tstat(2, 0))) == Errors.VERSION_FIRST
        tree.treeCalls.get() == 0
    }

    def "Tauth is answered 'authentication not required': SSH already authenticated the peer"() {
        given:
        peer.version()

        expect:
        error(peer.rpc(new Tauth(1, 5, 'alice', ''))) == Errors.NO_AUTH
        error(peer.rpc(new Tattach(1, 0, 5, 'alice', ''))).startsWith(Errors.NO_AUTH)
    }

    def "Tattach hands the transport's principal to the tree, never the uname the client claims"() {
        when:
        def qid = ready()

        then:
        qid.directory
        tree.attachedAs == [PRINCIPAL]
        (peer.rpc(new Tstat(1, 0)) as Rstat).stat().uid() == PRINCIPAL
    }

    def "an attach the tree refuses is an Rerror with the tree's words and no fid"() {
        given:
        peer.version()

        expect:
        error(peer.rpc(new Tattach(1, 0, NOFID, 'u', 'other'))) == "attach: no tree 'other' (this server has only '/')"
        error(peer.rpc(new Tstat(1, 0))) == Errors.UNKNOWN_FID
    }

    def "#rule is checked before any file-tree code runs"() {
        given:
        ready()
        prepare.call(this)
        int before = tree.treeCalls.get()

        when:
        def reply = peer.rpc(request)

        then:
        error(reply).startsWith(rule)
        tree.treeCalls.get() == before

        where:
        rule                           | prepare                                           | request
        Errors.UNKNOWN_FID             | { }                                               | new Tstat(1, 99)
        Errors.UNKNOWN_FID             | { }                                               | new Twalk(1, 99, 100, ['sub'])
        Errors.UNKNOWN_FID             | { }                                               | new Tclunk(1, 99)
        Errors.UNKNOWN_FID             | { }                                               | new Tremove(1, 99)
        Errors.FID_IN_USE              | { }                                               | new Tattach(1, 0, NOFID, 'u', '')
        Errors.FID_IN_USE              | { it.walk(0, 1, 'sub') }                          | new Twalk(1, 0, 1, ['hello'])
        Errors.FID_IN_USE              | { }                                               | new Twalk(1, 0, NOFID, [])
        Errors.CANNOT_CLONE_OPEN_FID   | { it.opened(1, 'sub', OREAD) }                    | new Twalk(1, 1, 2, [])
        Errors.WALK_IN_NON_DIRECTORY   | { it.walk(0, 1, 'hello') }                        | new Twalk(1, 1, 2, ['x'])
        Errors.BAD_NAME                | { }                                               | new Twalk(1, 0, 1, ['.'])
        Errors.BAD_NAME                | { }                                               | new Twalk(1, 0, 1, ['sub/a'])
        Errors.BAD_NAME                | { }                                               | new Twalk(1, 0, 1, ['sub', ''])
        Errors.FILE_ALREADY_OPEN       | { it.opened(1, 'hello', OREAD) }                  | new Topen(1, 1, OREAD)
        Errors.FILE_ALREADY_OPEN       | { it.opened(1, 'sub', OREAD) }                    | new Tcreate(1, 1, 'new', 0644, OWRITE)
        Errors.IS_A_DIRECTORY          | { it.walk(0, 1, 'sub') }                          | new Topen(1, 1, OWRITE)
        Errors.IS_A_DIRECTORY          | { it.walk(0, 1, 'sub') }                          | new Topen(1, 1, OREAD | OTRUNC)
        Errors.BAD_OPEN_MODE           | { it.walk(0, 1, 'hello') }                        | new Topen(1, 1, 0x80)
        Errors.CREATE_IN_NON_DIRECTORY | { it.walk(0, 1, 'hello') }                        | new Tcreate(1, 1, 'x', 0644, OWRITE)
        Errors.BAD_NAME                | { it.walk(0, 1, 'sub') }                          | new Tcreate(1, 1, '..', 0644, OWRITE)
        Errors.IS_A_DIRECTORY          | { it.walk(0, 1, 'sub') }                          | new Tcreate(1, 1, 'd', Stat.DMDIR | 0755, ORDWR)
        Errors.FID_NOT_OPEN            | { it.walk(0, 1, 'hello') }                        | new Tread(1, 1, 0, 10)
        Errors.FID_NOT_OPEN            | { it.walk(0, 1, 'hello') }                        | new Twrite(1, 1, 0, 'x'.bytes)
        Errors.PERMISSION_DENIED       | { it.opened(1, 'hello', OWRITE) }                 | new Tread(1, 1, 0, 10)
        Errors.PERMISSION_DENIED       | { it.opened(1, 'hello', OREAD) }                  | new Twrite(1, 1, 0, 'x'.bytes)
        Errors.PERMISSION_DENIED       | { it.opened(1, 'hello', OEXEC) }                  | new Twrite(1, 1, 0, 'x'.bytes)
        Errors.BAD_OFFSET              | { it.opened(1, 'hello', OREAD) }                  | new Tread(1, 1, -1L, 10)
        Errors.BAD_OFFSET              | { it.opened(1, 'hello', OWRITE) }                 | new Twrite(1, 1, Long.MIN_VALUE, 'x'.bytes)
        Errors.BAD_OFFSET              | { it.opened(1, 'sub', OREAD) }                    | new Tread(1, 1, 5, 1000)
    }

    def "more than 16 walk names is refused with the decoder's words, and the connection carries on"() {
        given:
        ready()
        def names = (1..17).collect { 'x' }
        def body = ByteBuffer.allocate(4 + 4 + 2 + names.size() * 3).order(ByteOrder.LITTLE_ENDIAN)
        body.putInt(0).putInt(1).putShort((short) names.size())
        names.each { body.putShort((short) 1).put('x'.bytes) }
        def frame = ByteBuffer.allocate(7 + body.capacity()).order(ByteOrder.LITTLE_ENDIAN)
        frame.putInt(frame.capacity()).put((byte) 110).putShort((short) 9).put(body.array())

        when:
        peer.sendRaw(frame.array())
        def r = peer.next()

        then:
        r.tag() == 9
        error(r).contains('16')
        peer.rpc(new Tstat(2, 0)) instanceof Rstat
    }

    def "a reply-type message from the client is answered with an Rerror and nothing else changes"() {
        given:
        ready()

        when:
        peer.sendRaw(Codec.encode(new Rclunk(4)).array())

        then:
        error(peer.next()).startsWith(Errors.UNEXPECTED_MESSAGE)
        peer.rpc(new Tstat(2, 0)) instanceof Rstat
    }

    def "a frame larger than the negotiated msize ends the connection: its framing cannot be trusted"() {
        given:
        ready()

        when:
        peer.send(new Twrite(1, 0, 0, new byte[MSIZE]))

        then:
        peer.awaitClose()
        conditions.eventually { assert !connection.open }
    }

    def "a full walk gives one qid per name and creates newfid"() {
        given:
        def root = ready()

        when:
        def r = walk(0, 1, 'sub', 'a') as Rwalk

        then:
        r.qids().size() == 2
        r.qids()[0].directory
        !r.qids()[1].directory
        (peer.rpc(new Tstat(1, 1)) as Rstat).stat().name() == 'a'
        (peer.rpc(new Tstat(1, 0)) as Rstat).stat().qid() == root
    }

    def "a walk that stops part way returns the qids that walked and does not create newfid"() {
        given:
        ready()

        when:
        def r = walk(0, 1, *names) as Rwalk

        then:
        r.qids().size() == walked
        error(peer.rpc(new Tstat(1, 1))) == Errors.UNKNOWN_FID

        where:
        names                   || walked
        ['sub', 'nope']         || 1
        ['sub', 'a', 'deeper']  || 2
        ['hello', 'x']          || 1
    }

    def "a walk whose first name fails is an Rerror with the tree's words"() {
        given:
        ready()

        expect:
        error(walk(0, 1, 'nope', 'a')) == "'nope': file does not exist"
        error(peer.rpc(new Tstat(1, 1))) == Errors.UNKNOWN_FID
    }

    def "'..' at the root stays at the root; below it, it goes up"() {
        given:
        def root = ready()
        def sub = (walk(0, 1, 'sub') as Rwalk).qids()[0]

        expect:
        (walk(0, 2, '..', '..') as Rwalk).qids() == [root, root]
        (walk(0, 3, 'sub', '..', 'sub') as Rwalk).qids() == [sub, root, sub]
        (walk(3, 4, '..', '..', '..') as Rwalk).qids() == [root, root, root]
    }

    def "a walk of no names clones the fid, and newfid == fid moves it"() {
        given:
        def root = ready()

        when:
        def clone = walk(0, 1) as Rwalk
        def moved = walk(1, 1, 'sub') as Rwalk

        then:
        clone.qids().isEmpty()
        (peer.rpc(new Tstat(1, 1)) as Rstat).stat().name() == 'sub'
        moved.qids().size() == 1
        (peer.rpc(new Tstat(1, 0)) as Rstat).stat().qid() == root
    }

    def "open reports the qid the file landed on and an iounit of msize minus 24"() {
        given:
        ready()
        def a = (walk(0, 5, 'sub', 'a') as Rwalk).qids()[1]

        when:
        def r = opened(1, 'clone', ORDWR)

        then: 'clone lands on sub/a'
        r.qid() == a
        r.iounit() == MSIZE - 24
        (peer.rpc(new Tread(1, 1, 0, 100)) as Rread).data() == 'a\n'.bytes
    }

    def "a read's count is clamped to msize minus 24"() {
        given:
        tree.file('big', new byte[20000])
        ready()
        opened(1, 'big', OREAD)

        expect:
        (peer.rpc(new Tread(1, 1, 0, 1_000_000)) as Rread).data().length == MSIZE - 24
        (peer.rpc(new Tread(1, 1, 0, -1)) as Rread).data().length == MSIZE - 24
    }

    def "written bytes read back, and reading past the end gives no bytes"() {
        given:
        ready()
        opened(1, 'hello', ORDWR)

        expect:
        peer.rpc(new Twrite(1, 1, 6, 'there'.bytes)) == new Rwrite(1, 5)
        (peer.rpc(new Tread(1, 1, 0, 100)) as Rread).data() == 'hello there\n'.bytes
        (peer.rpc(new Tread(1, 1, 100, 100)) as Rread).data().length == 0
    }

    def "create makes the file, opens it, and points the fid at it"() {
        given:
        ready()
        walk(0, 1, 'empty')

        when:
        def r = peer.rpc(new Tcreate(1, 1, 'made', 0644, OWRITE)) as Rcreate
        peer.rpc(new Twrite(1, 1, 0, 'new'.bytes))

        then:
        !r.qid().directory
        tree.content('empty/made') == 'new'.bytes
        error(peer.rpc(new Tcreate(1, 1, 'again', 0644, OWRITE))) == Errors.FILE_ALREADY_OPEN
    }

    def "a directory read packs whole entries from list() and continues at offset plus count"() {
        given:
        ready()
        opened(1, '', OREAD)
        def stats = tree.root.children.values().collect { new MemoryFileTree.Entry(it, PRINCIPAL).stat() }
        int twoEntries = Codec.statSize(stats[0]) + Codec.statSize(stats[1]) + 1

        when:
        List<String> names = []
        long offset = 0
        byte[] data
        int reads = 0
        while ((data = (peer.rpc(new Tread(1, 1, offset, twoEntries)) as Rread).data()).length > 0) {
            names += Codec.decodeStats(ByteBuffer.wrap(data))*.name()
            offset += data.length
            reads++
        }

        then:
        names == stats*.name()
        reads > 1
        and: 'restarting at 0 lists again'
        Codec.decodeStats(ByteBuffer.wrap((peer.rpc(new Tread(1, 1, 0, MSIZE)) as Rread).data()))*.name() == names
    }

    def "a directory read that skips ahead or goes back, or cannot hold one entry, is refused"() {
        given:
        ready()
        opened(1, '', OREAD)
        def first = (peer.rpc(new Tread(1, 1, 0, 100)) as Rread).data()

        expect:
        first.length > 0
        error(peer.rpc(new Tread(1, 1, first.length, 10))).startsWith(Errors.SHORT_COUNT)
        error(peer.rpc(new Tread(1, 1, first.length + 1, 100))).startsWith(Errors.BAD_OFFSET)
        error(peer.rpc(new Tread(1, 1, first.length - 1, 100))).startsWith(Errors.BAD_OFFSET)
        (peer.rpc(new Tread(1, 1, first.length, 100)) as Rread).data().length > 0
    }

    def "a parked read is answered when the tree completes it, and holds no thread meanwhile"() {
        given:
        ready()
        opened(1, 'parked', OREAD)

        when: 'the Tstat sent after the read is answered while the read waits'
        park(5, 1)

        then:
        connection.pendingCount() == 1

        when:
        tree.releaseParked('late'.bytes)

        then:
        peer.next() == new Rread(5, 'late'.bytes)
        connection.pendingCount() == 0
    }

    def "flushing a parked read gives Rflush, cancels the tree's future, and no Rread ever follows"() {
        given:
        ready()
        opened(1, 'parked', OREAD)
        def parked = park(5, 1)

        when:
        def r = peer.rpc(new Tflush(7, 5))

        then:
        r == new Rflush(7)
        parked.cancelled
        tree.releaseParked('late'.bytes) == 0
        peer.rpc(new Tstat(8, 0)) instanceof Rstat // the next reply is this one: no stray Rread
    }

    def "flushing an unknown tag is fine: Rflush, never Rerror"() {
        given:
        ready()

        expect:
        peer.rpc(new Tflush(6, 1234)) == new Rflush(6)
    }

    def "flushing a request that was already answered gives Rflush after that answer"() {
        given:
        ready()
        opened(1, 'hello', OREAD)

        when:
        peer.send(new Tread(5, 1, 0, 5))
        peer.send(new Tflush(6, 5))

        then:
        peer.next() == new Rread(5, 'hello'.bytes)
        peer.next() == new Rflush(6)
    }

    def "a flush racing the tree's answer never lets an Rread follow the Rflush"() {
        given:
        ready()
        opened(1, 'parked', OREAD)

        expect:
        for (int i = 0; i < 200; i++) {
            park(10, 1)
            def racer = Thread.start { tree.releaseParked('x'.bytes) }
            peer.send(new Tflush(12, 10))
            def first = peer.next()
            if (first instanceof Rread) {
                assert first.tag() == 10
                assert peer.next() == new Rflush(12)
            } else {
                assert first == new Rflush(12)
            }
            racer.join()
            assert peer.rpc(new Tstat(13, 0)) instanceof Rstat: "round ${i}: a stray reply after the Rflush"
            tree.parkedReads.clear()
        }
        connection.pendingCount() == 0
    }

    def "a tag still in flight cannot be reused"() {
        given:
        ready()
        opened(1, 'parked', OREAD)
        park(5, 1)

        expect:
        error(peer.rpc(new Tstat(5, 0))).startsWith(Errors.DUPLICATE_TAG)
    }

    def "a Tversion mid-connection aborts outstanding requests and clunks every fid"() {
        given:
        ready()
        opened(1, 'parked', OREAD)
        opened(2, 'hello', OREAD)
        def parked = park(5, 1)

        when:
        def r = peer.version(MSIZE)

        then: 'the Rversion is the next reply: the parked read got none'
        r == new Rversion(NOTAG, MSIZE, '9P2000')
        parked.cancelled
        tree.clunks.get() == 2
        connection.fidCount() == 0
        error(peer.rpc(new Tstat(1, 0))) == Errors.UNKNOWN_FID
        peer.attach(0).directory
    }

    def "clunk ends the open file and frees the fid number"() {
        given:
        ready()
        opened(1, 'hello', OREAD)

        expect:
        peer.rpc(new Tclunk(1, 1)) == new Rclunk(1)
        tree.clunks.get() == 1
        error(peer.rpc(new Tstat(1, 1))) == Errors.UNKNOWN_FID
        walk(0, 1, 'sub') instanceof Rwalk
    }

    def "a clunk the tree fails is reported, and the fid is gone anyway"() {
        given:
        ready()
        opened(1, 'badclunk', OREAD)

        expect:
        error(peer.rpc(new Tclunk(1, 1))) == 'badclunk: hash mismatch'
        error(peer.rpc(new Tstat(1, 1))) == Errors.UNKNOWN_FID
    }

    def "ORCLOSE removes the file when the fid is clunked"() {
        given:
        ready()
        opened(1, 'sub/b', OREAD | ORCLOSE)

        when:
        peer.rpc(new Tclunk(1, 1))

        then:
        !tree.root.children.sub.children.containsKey('b')
    }

    def "remove deletes the file and clunks the fid; a refused remove still clunks it"() {
        given:
        ready()
        walk(0, 1, 'sub', 'a')
        walk(0, 2, 'sub')

        expect:
        peer.rpc(new Tremove(1, 1)) == new Rremove(1)
        !tree.root.children.sub.children.containsKey('a')
        error(peer.rpc(new Tremove(1, 2))) == "'sub': directory not empty"
        error(peer.rpc(new Tstat(1, 2))) == Errors.UNKNOWN_FID
    }

    def "wstat renames; a wstat on an unknown fid is refused"() {
        given:
        ready()
        walk(0, 1, 'sub', 'a')

        expect:
        peer.rpc(new Twstat(1, 1, new Stat(0xFFFF, -1, new Qid(0xFF, -1, -1L), -1, -1, -1, -1L, 'z', '', '', '')))
                == new Rwstat(1)
        tree.root.children.sub.children.keySet() == ['b', 'z'] as Set
        error(peer.rpc(new Twstat(1, 9, Stat.dontTouch()))) == Errors.UNKNOWN_FID
    }

    def "a reply too large for msize becomes an Rerror saying so"() {
        given: 'a name that fits a Twalk at msize 256 but not the Rstat carrying it'
        tree.file('n' * 200, new byte[0])
        peer.version(256)
        peer.attach(0)
        assert walk(0, 1, 'n' * 200) instanceof Rwalk

        expect:
        error(peer.rpc(new Tstat(1, 1))).contains('exceeds msize 256')
    }

    def "a connection holds at most its fid limit, with an error that says so"() {
        given:
        start(new NinePServer(tree, 65536, 3))
        ready()
        walk(0, 1)
        walk(0, 2)

        when:
        def refused = walk(0, 3)
        peer.rpc(new Tclunk(1, 1))

        then:
        error(refused).startsWith(Errors.TOO_MANY_FIDS)
        refused.ename().contains('3')
        walk(0, 3) instanceof Rwalk
    }

    def "closing the channel cancels parked reads and clunks every fid"() {
        given:
        ready()
        opened(1, 'parked', OREAD)
        opened(2, 'hello', OREAD)
        walk(0, 3, 'sub')
        def parked = park(5, 1)

        when:
        peer.close()

        then:
        conditions.eventually {
            assert !connection.open
            assert connection.whenClosed().done
            assert parked.cancelled
            assert tree.clunks.get() == 2
            assert connection.fidCount() == 0
            assert server.connections().isEmpty()
        }
    }

    def "the server side closing ends the connection for the peer too"() {
        given:
        ready()

        when:
        server.close()

        then:
        peer.awaitClose()
        server.connections().isEmpty()
    }
}
