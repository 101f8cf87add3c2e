package org.gproc.transport.ninep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The 9P decoder against arbitrary bytes, as a hostile peer would send them. The contract: only
 * {@link NinePException} escapes, the input buffer is left as found, and whatever is accepted re-encodes to
 * exactly the bytes it came from (so the decoder accepts nothing the encoder could not have written).
 * Regression inputs: {@code src/test/resources/org/gproc/transport/ninep/NinePDecoderFuzzTestInputs/<method>/}.
 */
class NinePDecoderFuzzTest {
    private static final int MSIZE = 1 << 20;

    @FuzzTest(maxDuration = "3m")
    void decodeFrame(byte[] frame) {
        ByteBuffer in = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        Message m;
        try {
            m = Codec.decode(in, MSIZE);
        } catch (NinePException refused) {
            assertNotNull(refused.getMessage());
            assertUntouched(in, frame.length);
            return;
        }
        assertUntouched(in, frame.length);
        ByteBuffer again = Codec.encode(m);
        byte[] bytes = new byte[again.remaining()];
        again.get(bytes);
        assertArrayEquals(frame, bytes, () -> "decode accepted a frame the encoder writes differently: " + m);
        assertNotNull(m.toString());
    }

    @FuzzTest(maxDuration = "3m")
    void decodeDirectoryRead(byte[] data) {
        List<Stat> stats;
        try {
            stats = Codec.decodeStats(ByteBuffer.wrap(data));
        } catch (NinePException refused) {
            assertNotNull(refused.getMessage());
            return;
        }
        ByteBuffer out = ByteBuffer.allocate(data.length);
        for (Stat s : stats) {
            out.put(Codec.encodeStat(s));
            assertNotNull(s.toString());
        }
        assertEquals(data.length, out.position(), "decoded stats do not account for every byte");
        assertArrayEquals(data, out.array());
    }

    private static void assertUntouched(ByteBuffer in, int length) {
        assertEquals(0, in.position(), "decode moved the caller's position");
        assertEquals(length, in.limit(), "decode moved the caller's limit");
        assertEquals(ByteOrder.BIG_ENDIAN, in.order(), "decode changed the caller's byte order");
    }
}
