package org.gproc.transport.ninep;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked little-endian reader over one 9P frame (or one block of directory data).
 *
 * <p>It never throws halfway through a field (hugelgupf/p9 {@code buffer.go}): a read that does not fit records the
 * first failure and answers zero, "" or an empty array from then on, so the decoder finishes its straight-line field
 * list and the frame fails once, in {@link #check()}. Nothing is allocated at a peer-declared size before that size
 * has been checked against what is left.
 */
final class WireReader {
    private static final byte[] EMPTY = new byte[0];
    static final Qid NO_QID = new Qid(0, 0, 0);

    private final ByteBuffer buf;
    private final int end;
    private final String context;
    private int pos;
    private String what = "";
    private String failure;

    /** Reads {@code buf}'s remaining bytes; {@code context} starts every error, e.g. "9P frame". */
    WireReader(ByteBuffer buf, String context) {
        this.buf = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.pos = buf.position();
        this.end = buf.limit();
        this.context = context;
    }

    /** Names the structure being read (e.g. "Twalk") for error messages. */
    void describing(String what) {
        this.what = what;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    boolean failed() {
        return failure != null;
    }

    /** Records a broken rule; only the first one is kept and reported. */
    void fail(String rule) {
        if (failure == null) {
            failure = context + ": " + (what.isEmpty() ? "" : what + " ") + rule;
            pos = end;
        }
    }

    /** Throws the recorded failure, if any. */
    void check() throws NinePException {
        if (failure != null) {
            throw new NinePException(failure);
        }
    }

    /** Fails if bytes are left over after the last field. */
    void expectEnd() {
        if (!failed() && pos != end) {
            fail("has " + (end - pos) + " trailing bytes after its last field");
        }
    }

    private boolean need(int n, String field) {
        if (failure != null) {
            return false;
        }
        if (end - pos < n) {
            fail(field + "[" + n + "] runs past the end (" + (end - pos) + " bytes left)");
            return false;
        }
        return true;
    }

    int u8(String field) {
        if (!need(1, field)) {
            return 0;
        }
        return buf.get(pos++) & 0xFF;
    }

    int u16(String field) {
        if (!need(2, field)) {
            return 0;
        }
        int v = buf.getShort(pos) & 0xFFFF;
        pos += 2;
        return v;
    }

    /** An unsigned 32-bit field in an int's bits (use Integer.toUnsignedLong to compare). */
    int u32(String field) {
        if (!need(4, field)) {
            return 0;
        }
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    long u64(String field) {
        if (!need(8, field)) {
            return 0;
        }
        long v = buf.getLong(pos);
        pos += 8;
        return v;
    }

    Qid qid(String field) {
        if (!need(13, field)) {
            return NO_QID;
        }
        Qid q = new Qid(buf.get(pos) & 0xFF, buf.getInt(pos + 1), buf.getLong(pos + 5));
        pos += 13;
        return q;
    }

    /** {@code count} bytes, where count is an unsigned 32-bit value read from the wire. */
    byte[] bytes(int count, String field) {
        if (failure != null) {
            return EMPTY;
        }
        long n = Integer.toUnsignedLong(count);
        if (n > end - pos) {
            fail(field + " " + n + " runs past the end (" + (end - pos) + " bytes left)");
            return EMPTY;
        }
        byte[] out = new byte[(int) n];
        buf.get(pos, out);
        pos += out.length;
        return out;
    }

    /** A string s[2]: UTF-8 without NUL (intro(5): NUL is illegal in all 9P strings). */
    String string(String field) {
        int len = u16(field + " length");
        if (failure != null) {
            return "";
        }
        if (len > end - pos) {
            fail(field + " (length " + len + ") runs past the end (" + (end - pos) + " bytes left)");
            return "";
        }
        int start = pos;
        pos += len;
        boolean ascii = true;
        for (int i = start; i < start + len; i++) {
            byte b = buf.get(i);
            if (b == 0) {
                fail(field + " contains NUL at byte " + (i - start) + ", which 9P forbids in strings");
                return "";
            }
            if (b < 0) {
                ascii = false;
            }
        }
        if (ascii) {
            byte[] raw = new byte[len];
            buf.get(start, raw);
            return new String(raw, StandardCharsets.ISO_8859_1);
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(buf.slice(start, len));
            return chars.toString();
        } catch (CharacterCodingException e) {
            fail(field + " is not valid UTF-8");
            return "";
        }
    }
}
