package org.gproc.transport.ninep.server

import org.gproc.transport.ninep.FramePipe
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.Message.*
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.Qid
import org.gproc.transport.ninep.RawPeer
import org.gproc.transport.ninep.Stat
import spock.lang.Specification
import spock.lang.Timeout

import java.util.concurrent.CompletableFuture
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * Trees that answer later (a relay's proxied files): the core replies when the tree's future completes, holds the
 * requests pipelined behind a change to the same fid until then, and lets every other request through.
 */
@Timeout(60)
class AnswerLaterSpec extends Specification {
    /** Walks from the root are held here until the spec completes them. */
    LinkedBlockingQueue<CompletableFuture<FileEntry.Walked>> heldWalks = new LinkedBlockingQueue<>()
    List<String> written = [].asSynchronized()
    RawPeer peer

    def setup() {
        def pipe = FramePipe.pair()
        new NinePServer({ p, u, a -> new Dir() } as FileTree).serve('alice@lab', pipe.server())
        peer = new RawPeer(pipe.client())
        peer.version(8192)
        peer.attach(0)
    }

    def cleanup() {
        peer?.close()
    }

    CompletableFuture<FileEntry.Walked> held() {
        def w = heldWalks.poll(10, TimeUnit.SECONDS)
        assert w != null: 'the walk never reached the tree'
        w
    }

    def "a walk answered later holds back the open and write pipelined on its new fid, not requests on others"() {
        when: 'walk, open, write go out back to back; a stat of the root follows'
        peer.send(new Twalk(1, 0, 1, ['file']))
        peer.send(new Topen(2, 1, Message.ORDWR))
        peer.send(new Twrite(3, 1, 0, 'hello'.bytes))
        peer.send(new Tstat(4, 0))
        def walk = held()

        then: 'the stat is answered while the walk waits'
        peer.next() instanceof Rstat

        when:
        walk.complete(new FileEntry.Walked([File.QID], new File(written)))

        then: 'then the walk, the open and the write, in order'
        peer.next().with { it instanceof Rwalk && it.tag() == 1 }
        peer.next().with { it instanceof Ropen && it.tag() == 2 }
        peer.next().with { it instanceof Rwrite && it.tag() == 3 && it.count() == 5 }
        written == ['hello']
    }

    def "when the walk answered later fails, the requests queued behind it on its new fid find no fid"() {
        when:
        peer.send(new Twalk(1, 0, 1, ['file']))
        peer.send(new Topen(2, 1, Message.ORDWR))
        peer.send(new Twrite(3, 1, 0, 'hello'.bytes))
        held().completeExceptionally(new NinePException("'file' is on a server that cannot be reached"))

        then:
        peer.next().with { it instanceof Rerror && it.tag() == 1 && it.ename().contains('cannot be reached') }
        peer.next().with { it instanceof Rerror && it.tag() == 2 && it.ename() == Errors.UNKNOWN_FID }
        peer.next().with { it instanceof Rerror && it.tag() == 3 && it.ename() == Errors.UNKNOWN_FID }
        written.isEmpty()
    }

    def "a request flushed while it waits behind a walk is never run and gets no reply"() {
        when:
        peer.send(new Twalk(1, 0, 1, ['file']))
        peer.send(new Topen(2, 1, Message.ORDWR))
        peer.send(new Tflush(5, 2))
        def walk = held()

        then:
        peer.next().with { it instanceof Rflush && it.tag() == 5 }

        when:
        walk.complete(new FileEntry.Walked([File.QID], new File(written)))
        peer.send(new Twrite(3, 1, 0, 'x'.bytes))

        then: 'the walk is answered; the open never ran, so the fid is not open'
        peer.next().with { it instanceof Rwalk && it.tag() == 1 }
        peer.next().with { it instanceof Rerror && it.tag() == 3 && it.ename() == Errors.FID_NOT_OPEN }
    }

    /** The root: its walks are answered by the spec. */
    class Dir implements FileEntry {
        Qid qid() { new Qid(Qid.QTDIR, 0, 1) }
        Stat stat() { new Stat(0, 0, qid(), Stat.DMDIR | 0555, 0, 0, 0, '/', 'u', 'g', 'm') }
        FileEntry walk(String name) { throw new NinePException('not used') }
        FileEntry parent() { this }
        List<Stat> list() { [] }
        OpenFile open(int mode) { throw new NinePException('not used') }
        OpenFile create(String name, int perm, int mode) { throw new NinePException('no') }
        void remove() { throw new NinePException('no') }

        @Override
        CompletableFuture<FileEntry.Walked> walkAsync(List<String> names) {
            def f = new CompletableFuture<FileEntry.Walked>()
            heldWalks.add(f)
            f
        }
    }

    /** A file that records what is written to it. */
    static class File implements FileEntry {
        static final Qid QID = new Qid(Qid.QTFILE, 0, 2)
        final List<String> written

        File(List<String> written) { this.written = written }

        Qid qid() { QID }
        Stat stat() { new Stat(0, 0, QID, 0666, 0, 0, 0, 'file', 'u', 'g', 'm') }
        FileEntry walk(String name) { throw new NinePException('not a directory') }
        FileEntry parent() { this }
        List<Stat> list() { [] }
        OpenFile create(String name, int perm, int mode) { throw new NinePException('no') }
        void remove() { throw new NinePException('no') }

        OpenFile open(int mode) {
            def self = this
            new OpenFile() {
                FileEntry entry() { self }
                CompletableFuture<byte[]> read(long offset, int count) { CompletableFuture.completedFuture(new byte[0]) }
                CompletableFuture<Integer> write(long offset, byte[] data) {
                    written << new String(data)
                    CompletableFuture.completedFuture(data.length)
                }
                void clunk() { }
            }
        }
    }
}
