package org.gproc.transport.ninep

import org.gproc.transport.ninep.Message.*
import spock.lang.Specification

import java.nio.ByteBuffer
import java.nio.ByteOrder

class FrameReaderSpec extends Specification {
    static final List<Message> MESSAGES = [new Tversion(0xFFFF, 8192, '9P2000'), new Tclunk(1, 2),
                                           new Twrite(3, 4, 5, 'some bytes to write'.bytes), new Rflush(6),
                                           new Twalk(7, 1, 2, ['a', 'b'])]

    FrameReader reader = new FrameReader(8192)
    List<ByteBuffer> frames = []

    byte[] stream() {
        def out = new ByteArrayOutputStream()
        MESSAGES.each { ByteBuffer f = Codec.encode(it); out.write(f.array(), 0, f.remaining()) }
        out.toByteArray()
    }

    List<Message> decoded() {
        frames.collect { Codec.decode(it, 8192) }
    }

    def "frames arriving in chunks of #chunk bytes come out whole and in order"() {
        given:
        byte[] all = stream()

        when:
        for (int i = 0; i < all.length; i += chunk) {
            reader.feed(all, i, Math.min(chunk, all.length - i)) { frames << it }
        }

        then:
        decoded() == MESSAGES
        reader.atFrameBoundary()

        when:
        reader.endOfStream()

        then:
        notThrown(NinePException)

        where:
        chunk << [1, 2, 3, 4, 5, 7, 11, 64, 1000]
    }

    def "several frames merged into one chunk come out separately"() {
        when:
        reader.feed(ByteBuffer.wrap(stream())) { frames << it }

        then:
        decoded() == MESSAGES
    }

    def "each frame is a fresh buffer the receiver owns, holding exactly one frame"() {
        given:
        byte[] all = stream()

        when: 'the caller reuses its chunk array after each call, as an SSH layer does'
        byte[] chunk = new byte[10]
        for (int i = 0; i < all.length; i += 10) {
            int n = Math.min(10, all.length - i)
            System.arraycopy(all, i, chunk, 0, n)
            reader.feed(chunk, 0, n) { frames << it }
            Arrays.fill(chunk, (byte) 0x55)
        }

        then:
        decoded() == MESSAGES
        frames.every { it.position() == 0 && it.remaining() == it.capacity() }
    }

    def "a size of #size is rejected from the size bytes alone, before any body arrives"() {
        given:
        byte[] header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(size).array()

        when:
        reader.feed(header, 0, 4) { frames << it }

        then:
        NinePException e = thrown()
        e.message == error
        frames.isEmpty()

        where:
        size        || error
        0           || '9P frame: size 0 is below the 7-byte minimum (size[4] type[1] tag[2])'
        6           || '9P frame: size 6 is below the 7-byte minimum (size[4] type[1] tag[2])'
        8193        || '9P frame: size 8193 exceeds msize 8192'
        0x7FFFFFFF  || '9P frame: size 2147483647 exceeds msize 8192'
        -1          || '9P frame: size 4294967295 exceeds msize 8192'
    }

    def "after a bad size the stream stays failed"() {
        when:
        reader.feed([-1, -1, -1, 0x7F] as byte[], 0, 4) { frames << it }

        then:
        thrown(NinePException)

        when:
        reader.feed(stream(), 0, 20) { frames << it }

        then:
        NinePException e = thrown()
        e.message == '9P frame: size 2147483647 exceeds msize 8192 (stream already failed)'
        frames.isEmpty()
    }

    def "frames before a bad size are still delivered"() {
        given:
        byte[] good = stream()
        byte[] all = Arrays.copyOf(good, good.length + 4)
        all[good.length] = 3

        when:
        reader.feed(all, 0, all.length) { frames << it }

        then:
        NinePException e = thrown()
        e.message == '9P frame: size 3 is below the 7-byte minimum (size[4] type[1] tag[2])'
        decoded() == MESSAGES
    }

    def "msize can be narrowed after negotiation and applies to the next frame"() {
        given:
        ByteBuffer big = Codec.encode(new Rread(1, new byte[1000]))

        when: 'under the first msize a 1011-byte frame is fine'
        reader.feed(big.duplicate()) { frames << it }

        then:
        frames.size() == 1

        when: 'after Rversion settles on 1000, it is not'
        reader.msize(1000)
        reader.feed(big.duplicate()) { frames << it }

        then:
        NinePException e = thrown()
        e.message == '9P frame: size 1011 exceeds msize 1000'
        reader.msize() == 1000
    }

    def "an msize that cannot hold a header is refused"() {
        when:
        new FrameReader(6)

        then:
        IllegalArgumentException e = thrown()
        e.message == 'msize 6 cannot hold the 7-byte 9P header'
    }

    def "a stream that ends inside a frame is reported at end of stream"() {
        given:
        byte[] all = stream()

        when:
        reader.feed(all, 0, cut) { frames << it }
        reader.endOfStream()

        then:
        NinePException e = thrown()
        e.message == error
        !reader.atFrameBoundary()

        where:
        cut || error
        2   || "9P stream: ended inside a frame's size[4] (2 of 4 bytes)"
        10  || '9P stream: ended inside a frame (10 of 19 bytes received)'
        21  || "9P stream: ended inside a frame's size[4] (2 of 4 bytes)"
    }

    def "a frame whose size is exactly msize is accepted"() {
        given:
        FrameReader small = new FrameReader(16)
        ByteBuffer f = Codec.encode(new Rread(1, 'hello'.bytes))

        when:
        small.feed(f) { frames << it }

        then:
        f.capacity() == 16
        frames.size() == 1
    }
}
