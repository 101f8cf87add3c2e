package org.gproc.transport.ninep

import groovy.transform.EqualsAndHashCode
import groovy.transform.ToString
import org.gproc.transport.ninep.Message.*
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.ByteBuffer
import java.util.concurrent.BlockingQueue
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

@Timeout(30)
class FramePipeSpec extends Specification {
    FramePipe pipe = FramePipe.pair()
    Recorder atClient = new Recorder()
    Recorder atServer = new Recorder()

    def cleanup() {
        pipe.client().close()
    }

    def "frames sent on one end reach the other end's listener in order, both ways at once"() {
        given:
        pipe.client().start(atClient)
        pipe.server().start(atServer)

        when:
        Thread other = Thread.start { (0..<500).each { pipe.server().send(Codec.encode(new Rclunk(it))) } }
        (0..<500).each { pipe.client().send(Codec.encode(new Tclunk(it, it))) }
        other.join()

        then:
        (0..<500).collect { atServer.next() } == (0..<500).collect { new Tclunk(it, it) }
        (0..<500).collect { atClient.next() } == (0..<500).collect { new Rclunk(it) }
    }

    def "frames sent before the listener starts are held and then delivered"() {
        given:
        pipe.client().start(atClient)
        pipe.client().send(Codec.encode(new Tversion(Message.NOTAG, 8192, '9P2000')))

        when:
        pipe.server().start(atServer)

        then:
        atServer.next() == new Tversion(Message.NOTAG, 8192, '9P2000')
    }

    def "delivery happens on the executor, not on the sender's thread, one frame at a time"() {
        given: 'a listener that notes its thread and how many calls overlap'
        AtomicInteger inside = new AtomicInteger()
        AtomicInteger mostInside = new AtomicInteger()
        Set<Thread> threads = Collections.synchronizedSet(new HashSet<Thread>())
        CountDownLatch all = new CountDownLatch(400)
        pipe.server().start(new FrameChannel.Listener() {
            void onFrame(ByteBuffer frame) {
                mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max)
                threads << Thread.currentThread()
                Thread.yield()
                inside.decrementAndGet()
                all.countDown()
            }
            void onClose(Throwable cause) {}
        })

        when: 'four threads send at once'
        (1..4).collect { t -> Thread.start { 100.times { pipe.client().send(Codec.encode(new Tstat(t, it))) } } }*.join()

        then:
        all.await(20, TimeUnit.SECONDS)
        mostInside.get() == 1
        !threads.contains(Thread.currentThread())
        threads.every { it.name.startsWith('frame-pipe-') }
    }

    def "closing one end closes both, after the frames already sent"() {
        given:
        pipe.client().start(atClient)
        pipe.server().start(atServer)
        pipe.client().send(Codec.encode(new Tclunk(1, 1)))
        pipe.client().send(Codec.encode(new Tclunk(2, 2)))

        when:
        pipe.client().close()
        pipe.client().close()
        pipe.server().send(Codec.encode(new Rclunk(1)))
        pipe.client().send(Codec.encode(new Tclunk(3, 3)))

        then: 'the server sees the two frames, then one orderly close'
        atServer.next() == new Tclunk(1, 1)
        atServer.next() == new Tclunk(2, 2)
        atServer.next() == new Closed(null)

        and: 'the client sees one orderly close and nothing sent after it'
        atClient.next() == new Closed(null)
        atClient.nothingMore()
        atServer.nothingMore()
    }

    def "the far end closing is seen by the near end"() {
        given:
        pipe.client().start(atClient)
        pipe.server().start(atServer)

        when:
        pipe.server().close()

        then:
        atClient.next() == new Closed(null)
        atServer.next() == new Closed(null)
    }

    def "a listener that throws closes both ends and the peer is told why"() {
        given:
        pipe.client().start(atClient)
        List<Throwable> serverClose = Collections.synchronizedList([])
        CountDownLatch closed = new CountDownLatch(1)
        pipe.server().start(new FrameChannel.Listener() {
            void onFrame(ByteBuffer frame) { throw new IllegalStateException('server core bug') }
            void onClose(Throwable cause) { serverClose << cause; closed.countDown() }
        })

        when:
        pipe.client().send(Codec.encode(new Tclunk(1, 1)))
        pipe.client().send(Codec.encode(new Tclunk(2, 2)))

        then:
        Closed c = atClient.next() as Closed
        c.cause instanceof IOException
        c.cause.message == "frame pipe: the server end's listener failed: java.lang.IllegalStateException: server core bug"

        and: 'the failing listener gets its own exception as the close cause, once'
        closed.await(20, TimeUnit.SECONDS)
        serverClose.size() == 1
        serverClose[0].message == 'server core bug'
    }

    def "a buffer that is not one whole frame is refused at send"() {
        when:
        pipe.client().send(ByteBuffer.wrap(bytes as byte[]))

        then:
        IllegalArgumentException e = thrown()
        e.message == error

        where:
        bytes                            || error
        [7, 0, 0]                        || 'frame pipe client: frame of 3 bytes has size[4] -1; send one whole frame per call'
        [8, 0, 0, 0, 0x78, 1, 0]         || 'frame pipe client: frame of 7 bytes has size[4] 8; send one whole frame per call'
        [5, 0, 0, 0, 0x78]               || 'frame pipe client: frame of 5 bytes has size[4] 5; send one whole frame per call'
    }

    def "start may be called only once"() {
        given:
        pipe.server().start(atServer)

        when:
        pipe.server().start(atServer)

        then:
        IllegalStateException e = thrown()
        e.message == 'frame pipe server: start() called twice'
    }

    def "a pair can deliver on an executor of the caller's choosing"() {
        given:
        def executor = Executors.newSingleThreadExecutor { r -> new Thread(r, 'my-executor') }
        FramePipe mine = FramePipe.pair(executor)
        String thread = null
        CountDownLatch got = new CountDownLatch(1)
        mine.server().start(new FrameChannel.Listener() {
            void onFrame(ByteBuffer frame) { thread = Thread.currentThread().name; got.countDown() }
            void onClose(Throwable cause) {}
        })

        when:
        mine.client().send(Codec.encode(new Tstat(1, 1)))

        then:
        got.await(20, TimeUnit.SECONDS)
        thread == 'my-executor'

        cleanup:
        mine.client().close()
        executor.shutdown()
    }

    /** What a listener saw, decoded during the call (the buffer is only valid then). */
    static class Recorder implements FrameChannel.Listener {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>()

        void onFrame(ByteBuffer frame) { events.add(Codec.decode(frame, 1 << 20)) }

        void onClose(Throwable cause) { events.add(new Closed(cause)) }

        Object next() {
            Object e = events.poll(20, TimeUnit.SECONDS)
            assert e != null: 'nothing arrived within 20 s'
            e
        }

        /** A short negative check that nothing follows the close: it can pass wrongly under load, never fail wrongly. */
        boolean nothingMore() {
            events.poll(100, TimeUnit.MILLISECONDS) == null
        }
    }

    @EqualsAndHashCode
    @ToString
    static class Closed {
        final Throwable cause

        Closed(Throwable cause) { this.cause = cause }
    }
}
