package org.gproc.cli.agent;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * The agent's wire protocol, version 1 (the thin client, src/main/c/gproc-agent-client.c, speaks the same). Every
 * frame is a type byte, a 4-byte big-endian payload length and the payload; text is UTF-8.
 *
 * <pre>
 * client to agent                           agent to client
 *   V "gproc-agent 1"   first frame           O bytes      standard output
 *   A word              one per argv word     R bytes      standard error
 *   E NAME=VALUE        one per env entry     N (empty)    the command reads stdin: start sending it
 *   D directory         working directory     X int32      exit status; the last frame
 *   T flags             bit 0 stdin is a tty, F text       not served here: run the command yourself
 *                       bit 1 stdout is too   Z text       the answer to a Q
 *   G (empty)           run it
 *   I bytes             stdin; empty: EOF
 *   S byte              a signal: 1 HUP, 2 INT, 15 TERM
 *   Q "status"|"stop"   instead of A..G: ask the agent itself
 * </pre>
 */
public final class Wire {
    public static final String VERSION = "gproc-agent 1";
    /** No frame is larger: a client sending one is broken or hostile and is disconnected. */
    static final int MAX_PAYLOAD = 1 << 20;

    static final byte VERSION_FRAME = 'V';
    static final byte ARG = 'A';
    static final byte ENV = 'E';
    static final byte DIR = 'D';
    static final byte TTY = 'T';
    static final byte GO = 'G';
    static final byte STDIN = 'I';
    static final byte SIGNAL = 'S';
    static final byte QUERY = 'Q';
    static final byte STDOUT = 'O';
    static final byte STDERR = 'R';
    static final byte NEED_STDIN = 'N';
    static final byte EXIT = 'X';
    static final byte FALLBACK = 'F';
    static final byte ANSWER = 'Z';

    private Wire() {
    }

    /** One frame as read: its type and payload. */
    record Frame(byte type, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** The next frame, or null at a clean end of stream (between frames). */
    static Frame read(ReadableByteChannel in) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5);
        if (!fill(in, head, true)) {
            return null;
        }
        head.flip();
        byte type = head.get();
        int length = head.getInt();
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IOException("frame '" + (char) type + "' of " + Integer.toUnsignedString(length)
                    + " bytes is larger than " + MAX_PAYLOAD);
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        fill(in, body, false);
        return new Frame(type, body.array());
    }

    private static boolean fill(ReadableByteChannel in, ByteBuffer buffer, boolean endAllowed) throws IOException {
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                if (endAllowed && buffer.position() == 0) {
                    return false;
                }
                throw new EOFException("the connection ended inside a frame");
            }
        }
        return true;
    }

    /** Writes one frame whole; callers sharing a channel hold its lock. */
    static void write(WritableByteChannel out, byte type, byte[] payload, int offset, int length) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(5 + length);
        frame.put(type).putInt(length).put(payload, offset, length).flip();
        while (frame.hasRemaining()) {
            out.write(frame);
        }
    }

    static void write(WritableByteChannel out, byte type, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        write(out, type, b, 0, b.length);
    }

    static void writeInt(WritableByteChannel out, byte type, int value) throws IOException {
        write(out, type, ByteBuffer.allocate(4).putInt(value).array(), 0, 4);
    }
}
