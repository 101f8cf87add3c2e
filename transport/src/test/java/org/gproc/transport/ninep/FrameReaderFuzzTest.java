package org.gproc.transport.ninep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * FrameReader against an arbitrary byte stream cut into arbitrary chunks, as SSH channel data arrives. The contract:
 * only {@link NinePException} escapes; the frames (and the failure, if any) do not depend on how the stream was cut;
 * every frame is one whole little-endian frame of 7..msize bytes whose size field is its length; the frames are
 * the stream's bytes in order; a failed stream stays failed; {@code endOfStream} fails exactly when a frame is
 * partly buffered.
 */
class FrameReaderFuzzTest {

    @FuzzTest(maxDuration = "3m")
    void reframe(FuzzedDataProvider data) {
        int msize = data.consumeInt(7, 1 << 16);
        int[] cuts = new int[data.consumeInt(0, 16)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(0, 4096);
        }
        byte[] stream = data.consumeRemainingAsBytes();

        Outcome whole = run(msize, stream, new int[0]);
        Outcome chunked = run(msize, stream, cuts);
        assertEquals(whole.failure, chunked.failure, "the failure depends on how the stream was cut");
        assertEquals(whole.frames.size(), chunked.frames.size(), "the frames depend on how the stream was cut");
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < whole.frames.size(); i++) {
            byte[] frame = whole.frames.get(i);
            assertArrayEquals(frame, chunked.frames.get(i));
            assertTrue(frame.length >= 7 && frame.length <= msize, "frame of " + frame.length + " bytes, msize " + msize);
            assertEquals(frame.length, ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).getInt());
            joined.writeBytes(frame);
        }
        byte[] prefix = new byte[joined.size()];
        System.arraycopy(stream, 0, prefix, 0, prefix.length);
        assertArrayEquals(prefix, joined.toByteArray(), "frames are not the stream's bytes in order");
    }

    private record Outcome(List<byte[]> frames, String failure) {}

    private static Outcome run(int msize, byte[] stream, int[] cuts) {
        FrameReader reader = new FrameReader(msize);
        List<byte[]> frames = new ArrayList<>();
        int off = 0;
        try {
            for (int cut : cuts) {
                int n = Math.min(cut, stream.length - off);
                reader.feed(stream, off, n, b -> frames.add(copy(b)));
                off += n;
            }
            reader.feed(stream, off, stream.length - off, b -> frames.add(copy(b)));
        } catch (NinePException e) {
            assertThrows(NinePException.class, () -> reader.feed(new byte[7], 0, 7, b -> frames.add(copy(b))),
                    "a failed stream accepted more bytes");
            return new Outcome(frames, e.getMessage());
        }
        int completed = frames.stream().mapToInt(f -> f.length).sum();
        if (completed == stream.length) {
            assertTrue(reader.atFrameBoundary());
            assertDoesNotFail(reader);
        } else {
            assertThrows(NinePException.class, reader::endOfStream, "a stream ending inside a frame was accepted");
        }
        return new Outcome(frames, null);
    }

    private static void assertDoesNotFail(FrameReader reader) {
        try {
            reader.endOfStream();
        } catch (NinePException e) {
            throw new AssertionError("a stream ending on a frame boundary was refused: " + e.getMessage(), e);
        }
    }

    private static byte[] copy(ByteBuffer frame) {
        assertEquals(ByteOrder.LITTLE_ENDIAN, frame.order());
        byte[] out = new byte[frame.remaining()];
        frame.duplicate().get(out);
        return out;
    }
}
