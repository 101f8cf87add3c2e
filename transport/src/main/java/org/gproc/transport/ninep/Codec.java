package org.gproc.transport.ninep;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The 9P2000 wire codec: whole frames ({@code size[4] type[1] tag[2] ...}, little-endian) to and from
 * {@link Message} records, as in Plan 9's {@code convM2S.c}/{@code convS2M.c}.
 *
 * <p>{@link #decode} treats its input as hostile: see the package documentation for the rules it enforces.
 * {@link #encode} trusts its input only as far as the records allow and rejects what cannot be put on the wire
 * with an {@link IllegalArgumentException} (that is a bug in the caller, not a peer's fault).
 * Both are stateless and thread-safe.
 */
public final class Codec {
    private Codec() {}

    /**
     * Encodes one message as a whole frame into a new, exactly sized heap buffer (position 0, limit = size,
     * little-endian) that the caller owns.
     */
    public static ByteBuffer encode(Message m) {
        return Encoder.encode(m);
    }

    /**
     * Decodes one whole frame: {@code frame}'s remaining bytes must be exactly the frame (size[4] included).
     * The buffer's position, limit and byte order are left untouched, and the message keeps no reference to it.
     *
     * @param msize the largest frame acceptable now (the negotiated msize, or the local cap before Tversion)
     * @throws NinePException naming the message, the field and the rule, e.g. "9P frame: Twalk nwname 17 exceeds 16"
     */
    public static Message decode(ByteBuffer frame, int msize) throws NinePException {
        return Decoder.decode(frame, msize);
    }

    /** Bytes one directory entry takes in a directory read, its size[2] included. */
    public static int statSize(Stat stat) {
        return Encoder.statSize(stat);
    }

    /** One directory entry as it appears in a directory read: size[2] then the fields (stat(5)). */
    public static byte[] encodeStat(Stat stat) {
        ByteBuffer b = ByteBuffer.allocate(Encoder.statSize(stat)).order(ByteOrder.LITTLE_ENDIAN);
        return Encoder.stat(b, stat).array();
    }

    /**
     * The entries of a directory read's data: back-to-back stats, each with its size[2] and none split.
     * Checked like a frame (every size and string against what is left).
     */
    public static List<Stat> decodeStats(ByteBuffer data) throws NinePException {
        return Decoder.stats(data);
    }
}
