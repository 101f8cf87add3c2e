package org.gproc.transport.ninep;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Every message of Plan 9's 9P2000 (section 5 of the manual), one immutable record each.
 * Numbers are held in Java ints/longs and treated as unsigned where the wire is unsigned: tags are 16 bits
 * ({@link #NOTAG} = 0xFFFF), fids 32 bits ({@link #NOFID} = -1 as an int).
 * The codec (framing, encode, decode) lives beside this type; nothing here touches bytes on the wire.
 */
public sealed interface Message {
    int NOTAG = 0xFFFF;
    int NOFID = -1;
    String VERSION_9P2000 = "9P2000";

    /** The wire type number (Tversion = 100 … Rwstat = 127). */
    int type();

    int tag();

    /** Requests (T-messages): sent by the client. */
    sealed interface T extends Message {}

    /** Replies (R-messages): sent by the server. */
    sealed interface R extends Message {}

    // Open modes and flags (open(5)).
    int OREAD = 0, OWRITE = 1, ORDWR = 2, OEXEC = 3, OTRUNC = 0x10, ORCLOSE = 0x40;
    int MAXWELEM = 16;

    record Tversion(int tag, int msize, String version) implements T {
        public int type() { return 100; }
        public Tversion { Objects.requireNonNull(version); }
    }
    record Rversion(int tag, int msize, String version) implements R {
        public int type() { return 101; }
        public Rversion { Objects.requireNonNull(version); }
    }
    record Tauth(int tag, int afid, String uname, String aname) implements T {
        public int type() { return 102; }
        public Tauth { Objects.requireNonNull(uname); Objects.requireNonNull(aname); }
    }
    record Rauth(int tag, Qid aqid) implements R {
        public int type() { return 103; }
        public Rauth { Objects.requireNonNull(aqid); }
    }
    record Tattach(int tag, int fid, int afid, String uname, String aname) implements T {
        public int type() { return 104; }
        public Tattach { Objects.requireNonNull(uname); Objects.requireNonNull(aname); }
    }
    record Rattach(int tag, Qid qid) implements R {
        public int type() { return 105; }
        public Rattach { Objects.requireNonNull(qid); }
    }
    record Rerror(int tag, String ename) implements R {
        public int type() { return 107; }
        public Rerror { Objects.requireNonNull(ename); }
    }
    record Tflush(int tag, int oldtag) implements T {
        public int type() { return 108; }
    }
    record Rflush(int tag) implements R {
        public int type() { return 109; }
    }
    record Twalk(int tag, int fid, int newfid, List<String> names) implements T {
        public int type() { return 110; }
        public Twalk { names = List.copyOf(names); }
    }
    record Rwalk(int tag, List<Qid> qids) implements R {
        public int type() { return 111; }
        public Rwalk { qids = List.copyOf(qids); }
    }
    record Topen(int tag, int fid, int mode) implements T {
        public int type() { return 112; }
    }
    record Ropen(int tag, Qid qid, int iounit) implements R {
        public int type() { return 113; }
        public Ropen { Objects.requireNonNull(qid); }
    }
    record Tcreate(int tag, int fid, String name, int perm, int mode) implements T {
        public int type() { return 114; }
        public Tcreate { Objects.requireNonNull(name); }
    }
    record Rcreate(int tag, Qid qid, int iounit) implements R {
        public int type() { return 115; }
        public Rcreate { Objects.requireNonNull(qid); }
    }
    record Tread(int tag, int fid, long offset, int count) implements T {
        public int type() { return 116; }
    }
    /** {@code data} is owned by the message once constructed: callers must not modify the array afterwards. */
    record Rread(int tag, byte[] data) implements R {
        public int type() { return 117; }
        public Rread { Objects.requireNonNull(data); }
        @Override public boolean equals(Object o) {
            return o instanceof Rread r && r.tag == tag && Arrays.equals(r.data, data);
        }
        @Override public int hashCode() { return 31 * tag + Arrays.hashCode(data); }
        @Override public String toString() { return "Rread{tag=" + tag + ", data=" + Bytes.summary(data) + "}"; }
    }
    /** {@code data} is owned by the message once constructed: callers must not modify the array afterwards. */
    record Twrite(int tag, int fid, long offset, byte[] data) implements T {
        public int type() { return 118; }
        public Twrite { Objects.requireNonNull(data); }
        @Override public boolean equals(Object o) {
            return o instanceof Twrite w && w.tag == tag && w.fid == fid && w.offset == offset
                    && Arrays.equals(w.data, data);
        }
        @Override public int hashCode() { return Objects.hash(tag, fid, offset) * 31 + Arrays.hashCode(data); }
        @Override public String toString() {
            return "Twrite{tag=" + tag + ", fid=" + fid + ", offset=" + offset + ", data=" + Bytes.summary(data) + "}";
        }
    }
    record Rwrite(int tag, int count) implements R {
        public int type() { return 119; }
    }
    record Tclunk(int tag, int fid) implements T {
        public int type() { return 120; }
    }
    record Rclunk(int tag) implements R {
        public int type() { return 121; }
    }
    record Tremove(int tag, int fid) implements T {
        public int type() { return 122; }
    }
    record Rremove(int tag) implements R {
        public int type() { return 123; }
    }
    record Tstat(int tag, int fid) implements T {
        public int type() { return 124; }
    }
    record Rstat(int tag, Stat stat) implements R {
        public int type() { return 125; }
        public Rstat { Objects.requireNonNull(stat); }
    }
    record Twstat(int tag, int fid, Stat stat) implements T {
        public int type() { return 126; }
        public Twstat { Objects.requireNonNull(stat); }
    }
    record Rwstat(int tag) implements R {
        public int type() { return 127; }
    }

    /** Readable rendering of payloads in toString: short ones as text or hex, long ones by size. */
    final class Bytes {
        private Bytes() {}

        static String summary(byte[] data) {
            if (data.length > 32) {
                return data.length + " bytes";
            }
            boolean printable = true;
            for (byte b : data) {
                if (b < 0x20 && b != '\n' && b != '\t' || b >= 0x7F) {
                    printable = false;
                    break;
                }
            }
            return printable ? '"' + new String(data, java.nio.charset.StandardCharsets.UTF_8).replace("\n", "\\n") + '"'
                    : "0x" + HexFormat.of().formatHex(data);
        }
    }
}
