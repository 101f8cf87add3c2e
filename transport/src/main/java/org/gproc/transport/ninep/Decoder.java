package org.gproc.transport.ninep;

import org.gproc.transport.ninep.Message.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Frame → message. Every field list is straight-line; {@link WireReader} records the first broken rule. */
final class Decoder {
    static final int HEADER = 7; // size[4] type[1] tag[2]
    private static final String[] NAMES = {
        "Tversion", "Rversion", "Tauth", "Rauth", "Tattach", "Rattach", "Terror", "Rerror", "Tflush", "Rflush",
        "Twalk", "Rwalk", "Topen", "Ropen", "Tcreate", "Rcreate", "Tread", "Rread", "Twrite", "Rwrite",
        "Tclunk", "Rclunk", "Tremove", "Rremove", "Tstat", "Rstat", "Twstat", "Rwstat",
    };

    private Decoder() {}

    static String name(int type) {
        return type >= 100 && type <= 127 ? NAMES[type - 100] : "type " + type;
    }

    /** The rule a declared frame size breaks, or null if it is acceptable under {@code msize}. */
    static String sizeProblem(long size, int msize) {
        if (size < HEADER) {
            return "9P frame: size " + size + " is below the 7-byte minimum (size[4] type[1] tag[2])";
        }
        if (size > Integer.toUnsignedLong(msize)) {
            return "9P frame: size " + size + " exceeds msize " + Integer.toUnsignedLong(msize);
        }
        return null;
    }

    static Message decode(ByteBuffer frame, int msize) throws NinePException {
        int have = frame.remaining();
        if (have < 4) {
            throw new NinePException("9P frame: " + have + " bytes cannot hold size[4]");
        }
        int p = frame.position();
        long size = (frame.get(p) & 0xFFL) | (frame.get(p + 1) & 0xFFL) << 8
                | (frame.get(p + 2) & 0xFFL) << 16 | (frame.get(p + 3) & 0xFFL) << 24;
        String problem = sizeProblem(size, msize);
        if (problem != null) {
            throw new NinePException(problem);
        }
        if (size != have) {
            throw new NinePException("9P frame: size field says " + size + " bytes but the frame holds " + have);
        }
        WireReader r = new WireReader(frame, "9P frame");
        r.u32("size");
        int type = r.u8("type");
        int tag = r.u16("tag");
        if (type == 106) {
            throw new NinePException("9P frame: type 106 (Terror) is not a message: 9P2000 has no Terror");
        }
        if (type < 100 || type > 127) {
            throw new NinePException("9P frame: unknown message type " + type);
        }
        r.describing(NAMES[type - 100]);
        Message m = body(r, type, tag);
        r.expectEnd();
        r.check();
        return m;
    }

    private static Message body(WireReader r, int type, int tag) {
        switch (type) {
            case 100: return new Tversion(tag, r.u32("msize"), r.string("version"));
            case 101: return new Rversion(tag, r.u32("msize"), r.string("version"));
            case 102: return new Tauth(tag, r.u32("afid"), r.string("uname"), r.string("aname"));
            case 103: return new Rauth(tag, r.qid("aqid"));
            case 104: return new Tattach(tag, r.u32("fid"), r.u32("afid"), r.string("uname"), r.string("aname"));
            case 105: return new Rattach(tag, r.qid("qid"));
            case 107: return new Rerror(tag, r.string("ename"));
            case 108: return new Tflush(tag, r.u16("oldtag"));
            case 109: return new Rflush(tag);
            case 110: return twalk(r, tag);
            case 111: return rwalk(r, tag);
            case 112: return new Topen(tag, r.u32("fid"), r.u8("mode"));
            case 113: return new Ropen(tag, r.qid("qid"), r.u32("iounit"));
            case 114: return new Tcreate(tag, r.u32("fid"), r.string("name"), r.u32("perm"), r.u8("mode"));
            case 115: return new Rcreate(tag, r.qid("qid"), r.u32("iounit"));
            case 116: return new Tread(tag, r.u32("fid"), r.u64("offset"), r.u32("count"));
            case 117: return new Rread(tag, r.bytes(r.u32("count"), "count"));
            case 118: return new Twrite(tag, r.u32("fid"), r.u64("offset"), r.bytes(r.u32("count"), "count"));
            case 119: return new Rwrite(tag, r.u32("count"));
            case 120: return new Tclunk(tag, r.u32("fid"));
            case 121: return new Rclunk(tag);
            case 122: return new Tremove(tag, r.u32("fid"));
            case 123: return new Rremove(tag);
            case 124: return new Tstat(tag, r.u32("fid"));
            case 125: return new Rstat(tag, wrappedStat(r));
            case 126: return new Twstat(tag, r.u32("fid"), wrappedStat(r));
            case 127: return new Rwstat(tag);
            default: throw new AssertionError(type); // range checked by the caller
        }
    }

    private static Twalk twalk(WireReader r, int tag) {
        int fid = r.u32("fid");
        int newfid = r.u32("newfid");
        int n = r.u16("nwname");
        if (n > Message.MAXWELEM) {
            r.fail("nwname " + n + " exceeds " + Message.MAXWELEM);
            n = 0;
        } else if (2L * n > r.remaining()) {
            r.fail("nwname " + n + " needs at least " + 2 * n + " bytes but " + r.remaining() + " are left");
            n = 0;
        }
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = r.string("wname");
        }
        return new Twalk(tag, fid, newfid, List.of(names));
    }

    private static Rwalk rwalk(WireReader r, int tag) {
        int n = r.u16("nwqid");
        if (n > Message.MAXWELEM) {
            r.fail("nwqid " + n + " exceeds " + Message.MAXWELEM);
            n = 0;
        } else if (13L * n > r.remaining()) {
            r.fail("nwqid " + n + " needs " + 13 * n + " bytes but " + r.remaining() + " are left");
            n = 0;
        }
        Qid[] qids = new Qid[n];
        for (int i = 0; i < n; i++) {
            qids[i] = r.qid("wqid");
        }
        return new Rwalk(tag, List.of(qids));
    }

    /** Rstat and Twstat carry n[2] and then the stat, which has its own size[2] (so n = size + 2). */
    private static Stat wrappedStat(WireReader r) {
        int n = r.u16("stat n");
        int size = r.u16("stat size");
        if (!r.failed() && n != size + 2) {
            r.fail("stat n " + n + " disagrees with the stat's own size " + size + " (n must be size+2)");
        }
        return statBody(r, size, r.position());
    }

    /** One stat after its size[2] has been read; {@code start} is where the fields begin. */
    static Stat statBody(WireReader r, int size, int start) {
        Stat s = new Stat(r.u16("stat type"), r.u32("stat dev"), r.qid("stat qid"), r.u32("stat mode"),
                r.u32("stat atime"), r.u32("stat mtime"), r.u64("stat length"), r.string("stat name"),
                r.string("stat uid"), r.string("stat gid"), r.string("stat muid"));
        if (!r.failed() && r.position() - start != size) {
            r.fail("stat size " + size + " but its fields take " + (r.position() - start) + " bytes");
        }
        return s;
    }

    /** Directory data (a dir read's payload): back-to-back stats, each with its size[2], none split. */
    static List<Stat> stats(ByteBuffer data) throws NinePException {
        WireReader r = new WireReader(data, "9P directory data");
        List<Stat> out = new ArrayList<>();
        while (r.remaining() > 0 && !r.failed()) {
            r.describing("entry " + out.size());
            int size = r.u16("size");
            if (!r.failed() && size > r.remaining()) {
                r.fail("size " + size + " runs past the end (" + r.remaining() + " bytes left)");
            }
            out.add(statBody(r, size, r.position()));
        }
        r.check();
        return out;
    }
}
