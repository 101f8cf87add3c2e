package org.gproc.transport.ninep.server

import com.code_intelligence.jazzer.api.FuzzedDataProvider
import com.code_intelligence.jazzer.junit.FuzzTest
import groovy.transform.CompileStatic
import org.gproc.transport.ninep.Codec
import org.gproc.transport.ninep.FrameChannel
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.Message.*
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.Qid
import org.gproc.transport.ninep.Stat

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.charset.StandardCharsets
import java.util.concurrent.TimeUnit

/**
 * The 9P server core behind the decoder, fed a conversation a hostile client could send: well-formed T-messages with
 * colliding tags and fids, walks with {@code ..}, more than 16 names or bad names, msize extremes, flushes of
 * anything (itself included), replies sent as requests, and raw frames whose size field lies. Frames reach a
 * {@link NinePServer} over a {@link MemoryFileTree} through a synchronous channel, so each frame is handled before
 * the next is sent. The contract:
 * <ul>
 * <li>nothing escapes {@code onFrame}: protocol errors are Rerrors, a frame that cannot be trusted ends the connection;
 * <li>every reply is a well-formed R-message within the negotiated msize, carrying the tag of a T that was sent, and
 * no tag gets more replies than Ts were sent with it;
 * <li>every frame other than a Tread is answered at once (a read may park) or the connection has ended;
 * <li>the fid table never exceeds its limit; after the close every fid is clunked and nothing more is sent.
 * </ul>
 * Written in Groovy (statically compiled) because it drives the Groovy {@link MemoryFileTree}.
 * Regression inputs: {@code src/test/resources/org/gproc/transport/ninep/server/NinePServerFuzzTestInputs/}.
 */
@CompileStatic
class NinePServerFuzzTest {
    static final int MSIZE_CAP = 8192
    static final int MAX_FIDS = 8
    static final List<String> NAMES = ['hello', 'sub', 'a', 'b', '..', '.', 'empty', 'parked', 'badclunk', 'clone',
                                       'readonly', '', 'x/y', 'new', 'sub2']
    static final List<String> VERSIONS = ['9P2000', '9P2000.u', '9P2000.L', '9P', '', 'unknown']
    static final List<Long> OFFSETS = [0L, 1L, 5L, 12L, 100L, 1L << 31, Long.MAX_VALUE, -1L, Long.MIN_VALUE]

    @FuzzTest(maxDuration = '3m')
    void conversation(FuzzedDataProvider data) {
        def tree = new MemoryFileTree()
        def server = new NinePServer(tree, MSIZE_CAP, MAX_FIDS)
        def channel = new DirectChannel()
        ServerConnection connection = server.serve('alice@lab', channel)
        Map<Integer, Integer> sentTags = [:]
        int frames = 0
        while (data.remainingBytes() > 0 && frames++ < 64 && connection.isOpen()) {
            byte[] frame = nextFrame(data)
            Message sent = decodable(frame)
            Integer tag = headerTag(frame)
            if (tag != null) { // the server answers any frame whose header it can trust, even one it cannot decode
                sentTags.merge(tag, 1, Integer::sum)
            }
            int before = channel.replies.size()
            try {
                channel.listener.onFrame(ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN))
            } catch (Throwable t) {
                throw new AssertionError("onFrame threw for " + (sent ?: 'a raw frame') + ": " + t, t)
            }
            int answered = channel.replies.size() - before
            if (sent instanceof Tread) {
                assert answered <= 1: "${answered} replies to ${sent}"
            } else if (connection.isOpen()) {
                assert answered == 1: "${answered} replies to ${sent ?: 'raw frame ' + frame.encodeHex()}"
            }
            assert connection.fidCount() <= MAX_FIDS
        }
        tree.releaseParked('late'.getBytes(StandardCharsets.UTF_8))
        connection.close()
        connection.whenClosed().get(10, TimeUnit.SECONDS)
        assert connection.fidCount() == 0
        int repliesAtClose = channel.replies.size()
        tree.releaseParked(new byte[1])
        assert channel.replies.size() == repliesAtClose: 'a reply was sent after the close'
        checkReplies(channel.replies, sentTags)
    }

    private static void checkReplies(List<ByteBuffer> replies, Map<Integer, Integer> sentTags) {
        Map<Integer, Integer> got = [:]
        for (ByteBuffer frame : replies) {
            Message m
            try {
                m = Codec.decode(frame.duplicate(), MSIZE_CAP)
            } catch (NinePException e) {
                throw new AssertionError('the server sent a frame it cannot decode itself: ' + e.message, e)
            }
            assert m instanceof R: "the server sent a T-message: ${m}"
            if (m instanceof Rerror) {
                assert ((Rerror) m).ename(): 'an Rerror without text'
            }
            got.merge(m.tag(), 1, Integer::sum)
        }
        got.each { tag, n ->
            assert n <= (sentTags[tag] ?: 0): "tag ${tag}: ${n} replies to ${sentTags[tag] ?: 0} requests"
        }
    }

    /** The tag of a frame whose size field tells its length (else null). */
    private static Integer headerTag(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN)
        frame.length >= 7 && b.getInt(0) == frame.length ? Integer.valueOf(b.getShort(5) & 0xFFFF) : null
    }

    /** The frame as the server will read it, if it decodes (else null). */
    private static Message decodable(byte[] frame) {
        try {
            Codec.decode(ByteBuffer.wrap(frame), 1 << 20)
        } catch (NinePException ignored) {
            null
        }
    }

    private static byte[] nextFrame(FuzzedDataProvider d) {
        int kind = d.consumeInt(0, 15)
        switch (kind) {
            case 13: // a whole raw frame, size field and all, which may lie
                return d.consumeBytes(d.consumeInt(0, 64))
            case 14: // raw body with an honest size field
                return withSize(d.consumeBytes(d.consumeInt(3, 64)))
            case 15: // a walk the encoder would refuse: too many names or names with NUL
                return rawWalk(d)
            default:
                Message m = message(kind, d)
                try {
                    ByteBuffer b = Codec.encode(m)
                    byte[] out = new byte[b.remaining()]
                    b.get(out)
                    return out
                } catch (IllegalArgumentException ignored) { // a field 9P cannot carry: send junk instead
                    return withSize(d.consumeBytes(8))
                }
        }
    }

    private static Message message(int kind, FuzzedDataProvider d) {
        int tag = pickTag(d)
        switch (kind) {
            case 0: return new Tversion(tag, d.pickValue([0, 7, 255, 256, 4096, MSIZE_CAP, -1, d.consumeInt()] as List<Integer>),
                    d.consumeBoolean() ? d.pickValue(VERSIONS) : d.consumeString(12))
            case 1: return new Tattach(tag, fid(d), d.consumeBoolean() ? Message.NOFID : fid(d), d.consumeString(8),
                    d.consumeBoolean() ? '' : d.pickValue(['/', 'other', d.consumeString(8)] as List<String>))
            case 2: return new Twalk(tag, fid(d), fid(d), (0..<d.consumeInt(0, 16)).collect { name(d) })
            case 3: return new Topen(tag, fid(d), d.consumeBoolean() ? d.consumeInt(0, 3) | (d.consumeBoolean() ? Message.OTRUNC : 0) : d.consumeInt(0, 255))
            case 4: return new Tcreate(tag, fid(d), name(d), d.consumeBoolean() ? 0644 : d.consumeInt(), d.consumeInt(0, 255))
            case 5: return new Tread(tag, fid(d), offset(d), d.pickValue([0, 1, 16, 100, 8192, -1, d.consumeInt()] as List<Integer>))
            case 6: return new Twrite(tag, fid(d), offset(d), d.consumeBytes(d.consumeInt(0, 32)))
            case 7: return new Tclunk(tag, fid(d))
            case 8: return new Tremove(tag, fid(d))
            case 9: return new Tstat(tag, fid(d))
            case 10: return new Twstat(tag, fid(d), new Stat(0xFFFF, -1, new Qid(0xFF, -1, -1L),
                    d.consumeBoolean() ? -1 : d.consumeInt(), -1, -1, d.pickValue([-1L, 0L, 3L, 100L] as List<Long>),
                    d.consumeBoolean() ? '' : name(d), '', '', ''))
            case 11: return new Tflush(tag, d.consumeBoolean() ? tag : pickTag(d))
            default: return d.consumeBoolean() ? new Tauth(tag, fid(d), 'u', '') : new Rerror(tag, 'reply as request')
        }
    }

    private static int pickTag(FuzzedDataProvider d) {
        d.pickValue([0, 1, 2, 3, Message.NOTAG] as List<Integer>)
    }

    private static int fid(FuzzedDataProvider d) {
        d.consumeBoolean() ? d.consumeInt(0, 3) : d.pickValue([4, 5, 6, 7, 8, 9, Message.NOFID] as List<Integer>)
    }

    private static String name(FuzzedDataProvider d) {
        d.consumeInt(0, 7) == 0 ? d.consumeString(10) : d.pickValue(NAMES)
    }

    private static long offset(FuzzedDataProvider d) {
        d.consumeBoolean() ? d.pickValue(OFFSETS) : d.consumeLong(0, 64)
    }

    private static byte[] withSize(byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + body.length).order(ByteOrder.LITTLE_ENDIAN)
        b.putInt(4 + body.length).put(body)
        b.array()
    }

    private static byte[] rawWalk(FuzzedDataProvider d) {
        def body = new ByteArrayOutputStream()
        int n = d.consumeInt(0, 40)
        ByteBuffer head = ByteBuffer.allocate(13).order(ByteOrder.LITTLE_ENDIAN)
        head.put((byte) 110).putShort((short) pickTag(d)).putInt(fid(d)).putInt(fid(d)).putShort((short) n)
        body.write(head.array())
        for (int i = 0; i < n; i++) {
            byte[] s = d.consumeBoolean() ? 'sub'.bytes : d.consumeBytes(d.consumeInt(0, 6))
            body.write(s.length & 0xFF)
            body.write(s.length >> 8)
            body.write(s)
        }
        withSize(body.toByteArray())
    }

    /** Delivers on the caller's thread; records every frame the server sends, refusing sends after the close. */
    @CompileStatic
    static final class DirectChannel implements FrameChannel {
        final List<ByteBuffer> replies = Collections.synchronizedList(new ArrayList<ByteBuffer>())
        volatile FrameChannel.Listener listener
        volatile boolean closed

        @Override
        void start(FrameChannel.Listener l) {
            listener = l
        }

        @Override
        void send(ByteBuffer frame) {
            assert !closed: 'the server sent a frame after closing its channel'
            int n = frame.remaining()
            assert n >= 7 && frame.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt() == n: 'reply size field lies'
            replies.add(frame.duplicate())
        }

        @Override
        int maxFrameSize() {
            MSIZE_CAP
        }

        @Override
        void close() {
            closed = true
        }
    }
}
