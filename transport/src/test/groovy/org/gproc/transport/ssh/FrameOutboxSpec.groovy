package org.gproc.transport.ssh

import org.apache.sshd.common.io.AbstractIoWriteFuture
import org.apache.sshd.common.io.IoOutputStream
import org.apache.sshd.common.util.buffer.Buffer
import spock.lang.Specification

import java.nio.ByteBuffer

/** How frames are cut and coalesced into writes on SSHD's channel stream (which takes one write at a time). */
class FrameOutboxSpec extends Specification {

    List<byte[]> writes = []

    IoOutputStream stream() {
        [writeBuffer: { Buffer b ->
            writes << b.getCompactData()
            AbstractIoWriteFuture.fulfilled('test', Boolean.TRUE)
        }] as IoOutputStream
    }

    static ByteBuffer frame(int size, int seed) {
        byte[] bytes = new byte[size]
        new Random(seed).nextBytes(bytes)
        ByteBuffer.wrap(bytes)
    }

    static byte[] concat(List<byte[]> parts) {
        def out = new ByteArrayOutputStream()
        parts.each { out.write(it) }
        out.toByteArray()
    }

    def "a frame larger than the peer's packet size goes out in packet-sized writes, in order and intact"() {
        given:
        def outbox = new FrameOutbox(stream(), 32768, { throw new AssertionError(it) }, Long.MAX_VALUE, null)
        ByteBuffer big = frame(100_000, 1)
        ByteBuffer small = frame(10, 2)
        byte[] expected = concat([big.array(), small.array()])

        when:
        outbox.send(big)
        outbox.send(small)

        then: 'each write fits one SSH packet'
        writes*.length == [32768, 32768, 32768, 100_000 - 3 * 32768, 10]
        Arrays.equals(concat(writes), expected)
        outbox.pendingBytes() == 0
    }

    def "frames queued behind a pending write are coalesced up to one packet"() {
        given: 'a stream whose first write stays pending until the test completes it'
        def first = new HeldFuture()
        def stream = [writeBuffer: { Buffer b ->
            writes << b.getCompactData()
            writes.size() == 1 ? first : AbstractIoWriteFuture.fulfilled('test', Boolean.TRUE)
        }] as IoOutputStream
        def outbox = new FrameOutbox(stream, 32768, { throw new AssertionError(it) }, Long.MAX_VALUE, null)
        def frames = (1..10).collect { frame(10_000, it) }

        when:
        frames.each { outbox.send(it) }
        first.setValue(Boolean.TRUE)

        then:
        writes*.length == [10_000, 30_000, 30_000, 30_000]
        Arrays.equals(concat(writes), concat(frames*.array()))
        outbox.pendingBytes() == 0
    }

    static class HeldFuture extends AbstractIoWriteFuture {
        HeldFuture() {
            super('held', null)
        }
    }

    def "a packet size below 1 KiB is taken as 1 KiB, and one above 256 KiB as 256 KiB"() {
        when:
        def tiny = new FrameOutbox(stream(), 10, { throw new AssertionError(it) }, Long.MAX_VALUE, null)
        tiny.send(frame(3000, 3))

        then:
        writes*.length == [1024, 1024, 952]

        when:
        writes.clear()
        def huge = new FrameOutbox(stream(), 1L << 31, { throw new AssertionError(it) }, Long.MAX_VALUE, null)
        huge.send(frame(600_000, 4))

        then:
        writes*.length == [262144, 262144, 600_000 - 2 * 262144]
    }

    def "frames sent inside a batch leave as one write when the batch closes, and nothing is held after it"() {
        given:
        def outbox = new FrameOutbox(stream(), 32768, { throw new AssertionError(it) }, Long.MAX_VALUE, null)
        def frames = (1..5).collect { frame(100, it) }

        when:
        def batch = outbox.hold()
        frames.each { outbox.send(it) }

        then: 'held'
        writes.isEmpty()
        outbox.pendingBytes() == 500

        when:
        batch.close()
        batch.close()
        outbox.send(frame(7, 9))

        then: 'one write for the batch; a second close changes nothing; later frames go at once'
        writes*.length == [500, 7]
        Arrays.equals(writes[0], concat(frames*.array()))
        outbox.pendingBytes() == 0
    }

    def "without a batch each frame is its own write; nested batches release on the outermost close"() {
        given:
        def outbox = new FrameOutbox(stream(), 32768, { throw new AssertionError(it) }, Long.MAX_VALUE, null)

        when:
        outbox.send(frame(10, 1))
        outbox.send(frame(20, 2))

        then:
        writes*.length == [10, 20]

        when:
        writes.clear()
        def outer = outbox.hold()
        def inner = outbox.hold()
        outbox.send(frame(30, 3))
        inner.close()

        then: 'the outer batch still holds'
        writes.isEmpty()

        when:
        outbox.send(frame(40, 4))
        outer.close()

        then:
        writes*.length == [70]
    }

    def "an empty batch writes nothing"() {
        given:
        def outbox = new FrameOutbox(stream(), 32768, { throw new AssertionError(it) }, Long.MAX_VALUE, null)

        when:
        outbox.hold().close()

        then:
        writes.isEmpty()
    }
}
