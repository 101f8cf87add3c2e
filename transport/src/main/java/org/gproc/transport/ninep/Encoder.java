package org.gproc.transport.ninep;

import org.gproc.transport.ninep.Message.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Message → frame. Sizes are computed first so each frame is written once into an exactly sized buffer.
 * A message that cannot be put on the wire (a tag beyond 16 bits, a string longer than 65535 bytes or holding NUL
 * or an unpaired surrogate, more than 16 walk elements) is a caller bug: {@link IllegalArgumentException}.
 */
final class Encoder {
    static final int STAT_FIXED = 49; // size[2] type[2] dev[4] qid[13] mode[4] atime[4] mtime[4] length[8] 4×s[2]

    private Encoder() {}

    static ByteBuffer encode(Message m) {
        int type = m.type();
        String name = Decoder.name(type);
        u16(name, "tag", m.tag());
        switch (type) {
            case 118: {
                Twrite w = (Twrite) m;
                ByteBuffer b = frame(m, 16L + w.data().length);
                return done(b.putInt(w.fid()).putLong(w.offset()).putInt(w.data().length).put(w.data()));
            }
            case 117: {
                Rread rr = (Rread) m;
                return done(frame(m, 4L + rr.data().length).putInt(rr.data().length).put(rr.data()));
            }
            case 116: {
                Tread t = (Tread) m;
                return done(frame(m, 16).putInt(t.fid()).putLong(t.offset()).putInt(t.count()));
            }
            case 119: return done(frame(m, 4).putInt(((Rwrite) m).count()));
            case 100: {
                Tversion v = (Tversion) m;
                ByteBuffer b = frame(m, 4L + str(name, "version", v.version())).putInt(v.msize());
                return done(put(b, v.version()));
            }
            case 101: {
                Rversion v = (Rversion) m;
                ByteBuffer b = frame(m, 4L + str(name, "version", v.version())).putInt(v.msize());
                return done(put(b, v.version()));
            }
            case 102: {
                Tauth a = (Tauth) m;
                long len = 4L + str(name, "uname", a.uname()) + str(name, "aname", a.aname());
                return done(put(put(frame(m, len).putInt(a.afid()), a.uname()), a.aname()));
            }
            case 103: return done(qid(frame(m, 13), ((Rauth) m).aqid()));
            case 104: {
                Tattach a = (Tattach) m;
                long len = 8L + str(name, "uname", a.uname()) + str(name, "aname", a.aname());
                return done(put(put(frame(m, len).putInt(a.fid()).putInt(a.afid()), a.uname()), a.aname()));
            }
            case 105: return done(qid(frame(m, 13), ((Rattach) m).qid()));
            case 107: {
                Rerror e = (Rerror) m;
                return done(put(frame(m, str(name, "ename", e.ename())), e.ename()));
            }
            case 108: {
                Tflush f = (Tflush) m;
                return done(frame(m, 2).putShort((short) u16(name, "oldtag", f.oldtag())));
            }
            case 110: return twalk((Twalk) m);
            case 111: return rwalk((Rwalk) m);
            case 112: {
                Topen o = (Topen) m;
                return done(frame(m, 5).putInt(o.fid()).put((byte) u8(name, "mode", o.mode())));
            }
            case 113: {
                Ropen o = (Ropen) m;
                return done(qid(frame(m, 17), o.qid()).putInt(o.iounit()));
            }
            case 114: {
                Tcreate c = (Tcreate) m;
                int mode = u8(name, "mode", c.mode());
                ByteBuffer b = frame(m, 9L + str(name, "name", c.name())).putInt(c.fid());
                return done(put(b, c.name()).putInt(c.perm()).put((byte) mode));
            }
            case 115: {
                Rcreate c = (Rcreate) m;
                return done(qid(frame(m, 17), c.qid()).putInt(c.iounit()));
            }
            case 120: return done(frame(m, 4).putInt(((Tclunk) m).fid()));
            case 122: return done(frame(m, 4).putInt(((Tremove) m).fid()));
            case 124: return done(frame(m, 4).putInt(((Tstat) m).fid()));
            case 125: {
                Stat s = ((Rstat) m).stat();
                int n = statSize(s);
                return done(stat(frame(m, 2L + n).putShort((short) n), s));
            }
            case 126: {
                Twstat w = (Twstat) m;
                int n = statSize(w.stat());
                return done(stat(frame(m, 6L + n).putInt(w.fid()).putShort((short) n), w.stat()));
            }
            case 109: case 121: case 123: case 127:
                return done(frame(m, 0));
            default:
                throw new AssertionError(m); // Message is sealed; every type is listed above
        }
    }

    private static ByteBuffer twalk(Twalk w) {
        List<String> names = w.names();
        if (names.size() > Message.MAXWELEM) {
            throw new IllegalArgumentException("9P encode: Twalk has " + names.size() + " names, more than "
                    + Message.MAXWELEM);
        }
        long len = 10;
        for (String s : names) {
            len += str("Twalk", "wname", s);
        }
        ByteBuffer b = frame(w, len).putInt(w.fid()).putInt(w.newfid()).putShort((short) names.size());
        for (String s : names) {
            put(b, s);
        }
        return done(b);
    }

    private static ByteBuffer rwalk(Rwalk w) {
        List<Qid> qids = w.qids();
        if (qids.size() > Message.MAXWELEM) {
            throw new IllegalArgumentException("9P encode: Rwalk has " + qids.size() + " qids, more than "
                    + Message.MAXWELEM);
        }
        ByteBuffer b = frame(w, 2L + 13L * qids.size()).putShort((short) qids.size());
        for (Qid q : qids) {
            qid(b, q);
        }
        return done(b);
    }

    /** The stat's bytes on the wire, its own size[2] included. */
    static int statSize(Stat s) {
        long n = STAT_FIXED + str("stat", "name", s.name()) - 2 + str("stat", "uid", s.uid()) - 2
                + str("stat", "gid", s.gid()) - 2 + str("stat", "muid", s.muid()) - 2;
        if (n > 0xFFFF) {
            throw new IllegalArgumentException("9P encode: stat takes " + n
                    + " bytes, more than its size[2] can say (65535)");
        }
        return (int) n;
    }

    static ByteBuffer stat(ByteBuffer b, Stat s) {
        int size = statSize(s) - 2;
        b.putShort((short) size).putShort((short) u16("stat", "type", s.type())).putInt(s.dev());
        qid(b, s.qid()).putInt(s.mode()).putInt(s.atime()).putInt(s.mtime()).putLong(s.length());
        return put(put(put(put(b, s.name()), s.uid()), s.gid()), s.muid());
    }

    /**
     * A Twrite frame (tag 0: the multiplexer puts the real one in) carrying {@code length} bytes of {@code src}
     * from index {@code from}, copied once, straight into the frame: a bulk write needs no per-chunk array.
     * {@code src}'s position and limit are not touched.
     */
    static ByteBuffer twrite(int fid, long offset, ByteBuffer src, int from, int length) {
        ByteBuffer b = frame(118, 0, 16L + length);
        return done(b.putInt(fid).putLong(offset).putInt(length).put(src.slice(from, length)));
    }

    private static ByteBuffer frame(Message m, long bodyLength) {
        return frame(m.type(), m.tag(), bodyLength);
    }

    private static ByteBuffer frame(int type, int tag, long bodyLength) {
        long size = Decoder.HEADER + bodyLength;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("9P encode: " + Decoder.name(type) + " would be " + size
                    + " bytes, beyond what a ByteBuffer holds");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        return b.putInt((int) size).put((byte) type).putShort((short) tag);
    }

    private static ByteBuffer done(ByteBuffer b) {
        if (b.hasRemaining()) {
            throw new AssertionError("9P encode: sized " + b.capacity() + " but wrote " + b.position());
        }
        return b.flip();
    }

    private static ByteBuffer qid(ByteBuffer b, Qid q) {
        return b.put((byte) q.type()).putInt(q.version()).putLong(q.path());
    }

    private static int u8(String msg, String field, int v) {
        if ((v & ~0xFF) != 0) {
            throw new IllegalArgumentException("9P encode: " + msg + " " + field + " " + v + " does not fit in 8 bits");
        }
        return v;
    }

    private static int u16(String msg, String field, int v) {
        if ((v & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("9P encode: " + msg + " " + field + " " + v
                    + " does not fit in 16 bits");
        }
        return v;
    }

    /**
     * Checks a string can go on the wire and returns its length there, s[2] prefix included. Counting by hand
     * (not {@code getBytes}) avoids a throwaway array and catches unpaired surrogates, which getBytes would
     * silently replace with '?'.
     */
    private static int str(String msg, String field, String s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException("9P encode: " + msg + " " + field + " contains NUL at index " + i
                        + ", which 9P forbids in strings");
            } else if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("9P encode: " + msg + " " + field
                        + " has an unpaired surrogate at index " + i + " (not encodable as UTF-8)");
            } else {
                n += 3;
            }
        }
        if (n > 0xFFFF) {
            throw new IllegalArgumentException("9P encode: " + msg + " " + field + " is " + n
                    + " bytes of UTF-8, more than s[2] can say (65535)");
        }
        return 2 + n;
    }

    /** Writes s[2] and the UTF-8 of a string already checked by {@link #str}. */
    private static ByteBuffer put(ByteBuffer b, String s) {
        int lengthAt = b.position();
        b.putShort((short) 0);
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b.put((byte) c);
            } else if (c < 0x800) {
                b.put((byte) (0xC0 | c >> 6)).put((byte) (0x80 | c & 0x3F));
            } else if (Character.isHighSurrogate(c)) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b.put((byte) (0xF0 | cp >> 18)).put((byte) (0x80 | cp >> 12 & 0x3F))
                        .put((byte) (0x80 | cp >> 6 & 0x3F)).put((byte) (0x80 | cp & 0x3F));
            } else {
                b.put((byte) (0xE0 | c >> 12)).put((byte) (0x80 | c >> 6 & 0x3F)).put((byte) (0x80 | c & 0x3F));
            }
        }
        b.putShort(lengthAt, (short) (b.position() - lengthAt - 2));
        return b;
    }
}
