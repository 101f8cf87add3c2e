package org.gproc.transport.ninep;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * Re-frames a 9P byte stream that arrives in arbitrary chunks (an SSH channel's data) into whole frames.
 *
 * <p>The 4 size bytes are checked (below 7, above msize) before any body is buffered, so a peer cannot make us
 * allocate more than msize. Each emitted frame is a fresh little-endian heap buffer holding exactly one frame
 * (size[4] included), owned by the receiver: it may be queued and decoded on another thread.
 * After a bad size the stream is out of step for good, so every later {@link #feed} fails too.
 *
 * <p>Not thread-safe: one reader per stream, fed by one thread at a time.
 */
public final class FrameReader {
    private final byte[] header = new byte[4];
    private int headerFill;
    private byte[] frame;
    private int frameFill;
    private int msize;
    private String failure;

    /** @param msize the largest acceptable frame until {@link #msize(int)} narrows it after Tversion/Rversion */
    public FrameReader(int msize) {
        msize(msize);
    }

    public int msize() {
        return msize;
    }

    /** Changes the largest acceptable frame; applies from the next frame header on. */
    public void msize(int msize) {
        if (msize < Decoder.HEADER) {
            throw new IllegalArgumentException("msize " + msize + " cannot hold the 7-byte 9P header");
        }
        this.msize = msize;
    }

    /** Consumes all of {@code buf[off, off+len)}, handing each completed frame to {@code sink} in order. */
    public void feed(byte[] buf, int off, int len, Consumer<ByteBuffer> sink) throws NinePException {
        feed(ByteBuffer.wrap(buf, off, len), sink);
    }

    /** Consumes all of {@code chunk}'s remaining bytes, handing each completed frame to {@code sink} in order. */
    public void feed(ByteBuffer chunk, Consumer<ByteBuffer> sink) throws NinePException {
        if (failure != null) {
            throw new NinePException(failure + " (stream already failed)");
        }
        while (chunk.hasRemaining()) {
            if (frame == null) {
                int n = Math.min(4 - headerFill, chunk.remaining());
                chunk.get(header, headerFill, n);
                headerFill += n;
                if (headerFill < 4) {
                    return;
                }
                startFrame();
            }
            int n = Math.min(frame.length - frameFill, chunk.remaining());
            chunk.get(frame, frameFill, n);
            frameFill += n;
            if (frameFill == frame.length) {
                ByteBuffer done = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
                frame = null;
                headerFill = 0;
                sink.accept(done);
            }
        }
    }

    private void startFrame() throws NinePException {
        long size = (header[0] & 0xFFL) | (header[1] & 0xFFL) << 8 | (header[2] & 0xFFL) << 16
                | (header[3] & 0xFFL) << 24;
        String problem = Decoder.sizeProblem(size, msize);
        if (problem != null) {
            failure = problem;
            throw new NinePException(problem);
        }
        frame = new byte[(int) size];
        System.arraycopy(header, 0, frame, 0, 4);
        frameFill = 4;
    }

    /** True when no partial frame is buffered (a clean place for the stream to end). */
    public boolean atFrameBoundary() {
        return frame == null && headerFill == 0;
    }

    /** Call when the stream ends: fails if it ended inside a frame. */
    public void endOfStream() throws NinePException {
        if (frame != null) {
            throw new NinePException("9P stream: ended inside a frame (" + frameFill + " of " + frame.length
                    + " bytes received)");
        }
        if (headerFill != 0) {
            throw new NinePException("9P stream: ended inside a frame's size[4] (" + headerFill + " of 4 bytes)");
        }
    }
}
