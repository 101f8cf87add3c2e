package org.gproc.transport.ninep;

import java.nio.charset.StandardCharsets;
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
        @Override public String toString() {
            return MessageText.of("Tversion").tag(tag).u32("msize", msize).str("version", version).toString();
        }
    }
    record Rversion(int tag, int msize, String version) implements R {
        public int type() { return 101; }
        public Rversion { Objects.requireNonNull(version); }
        @Override public String toString() {
            return MessageText.of("Rversion").tag(tag).u32("msize", msize).str("version", version).toString();
        }
    }
    record Tauth(int tag, int afid, String uname, String aname) implements T {
        public int type() { return 102; }
        public Tauth { Objects.requireNonNull(uname); Objects.requireNonNull(aname); }
        @Override public String toString() {
            return MessageText.of("Tauth").tag(tag).fid("afid", afid).str("uname", uname).str("aname", aname)
                    .toString();
        }
    }
    record Rauth(int tag, Qid aqid) implements R {
        public int type() { return 103; }
        public Rauth { Objects.requireNonNull(aqid); }
        @Override public String toString() {
            return MessageText.of("Rauth").tag(tag).value("aqid", aqid).toString();
        }
    }
    record Tattach(int tag, int fid, int afid, String uname, String aname) implements T {
        public int type() { return 104; }
        public Tattach { Objects.requireNonNull(uname); Objects.requireNonNull(aname); }
        @Override public String toString() {
            return MessageText.of("Tattach").tag(tag).fid("fid", fid).fid("afid", afid).str("uname", uname)
                    .str("aname", aname).toString();
        }
    }
    record Rattach(int tag, Qid qid) implements R {
        public int type() { return 105; }
        public Rattach { Objects.requireNonNull(qid); }
        @Override public String toString() {
            return MessageText.of("Rattach").tag(tag).value("qid", qid).toString();
        }
    }
    record Rerror(int tag, String ename) implements R {
        public int type() { return 107; }
        public Rerror { Objects.requireNonNull(ename); }
        @Override public String toString() {
            return MessageText.of("Rerror").tag(tag).str("ename", ename).toString();
        }
    }
    record Tflush(int tag, int oldtag) implements T {
        public int type() { return 108; }
        @Override public String toString() {
            return MessageText.of("Tflush").tag(tag).tag("oldtag", oldtag).toString();
        }
    }
    record Rflush(int tag) implements R {
        public int type() { return 109; }
        @Override public String toString() {
            return MessageText.of("Rflush").tag(tag).toString();
        }
    }
    record Twalk(int tag, int fid, int newfid, List<String> names) implements T {
        public int type() { return 110; }
        public Twalk { names = List.copyOf(names); }
        @Override public String toString() {
            return MessageText.of("Twalk").tag(tag).fid("fid", fid).fid("newfid", newfid).strings("names", names)
                    .toString();
        }
    }
    record Rwalk(int tag, List<Qid> qids) implements R {
        public int type() { return 111; }
        public Rwalk { qids = List.copyOf(qids); }
        @Override public String toString() {
            return MessageText.of("Rwalk").tag(tag).value("qids", qids).toString();
        }
    }
    record Topen(int tag, int fid, int mode) implements T {
        public int type() { return 112; }
        @Override public String toString() {
            return MessageText.of("Topen").tag(tag).fid("fid", fid).openMode("mode", mode).toString();
        }
    }
    record Ropen(int tag, Qid qid, int iounit) implements R {
        public int type() { return 113; }
        public Ropen { Objects.requireNonNull(qid); }
        @Override public String toString() {
            return MessageText.of("Ropen").tag(tag).value("qid", qid).u32("iounit", iounit).toString();
        }
    }
    record Tcreate(int tag, int fid, String name, int perm, int mode) implements T {
        public int type() { return 114; }
        public Tcreate { Objects.requireNonNull(name); }
        @Override public String toString() {
            return MessageText.of("Tcreate").tag(tag).fid("fid", fid).str("name", name).dirMode("perm", perm)
                    .openMode("mode", mode).toString();
        }
    }
    record Rcreate(int tag, Qid qid, int iounit) implements R {
        public int type() { return 115; }
        public Rcreate { Objects.requireNonNull(qid); }
        @Override public String toString() {
            return MessageText.of("Rcreate").tag(tag).value("qid", qid).u32("iounit", iounit).toString();
        }
    }
    record Tread(int tag, int fid, long offset, int count) implements T {
        public int type() { return 116; }
        @Override public String toString() {
            return MessageText.of("Tread").tag(tag).fid("fid", fid).u64("offset", offset).u32("count", count)
                    .toString();
        }
    }
    /** {@code data} is owned by the message once constructed: callers must not modify the array afterwards. */
    record Rread(int tag, byte[] data) implements R {
        public int type() { return 117; }
        public Rread { Objects.requireNonNull(data); }
        @Override public boolean equals(Object o) {
            return o instanceof Rread r && r.tag == tag && Arrays.equals(r.data, data);
        }
        @Override public int hashCode() { return 31 * tag + Arrays.hashCode(data); }
        @Override public String toString() {
            return MessageText.of("Rread").tag(tag).value("data", Bytes.summary(data)).toString();
        }
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
            return MessageText.of("Twrite").tag(tag).fid("fid", fid).u64("offset", offset)
                    .value("data", Bytes.summary(data)).toString();
        }
    }
    record Rwrite(int tag, int count) implements R {
        public int type() { return 119; }
        @Override public String toString() {
            return MessageText.of("Rwrite").tag(tag).u32("count", count).toString();
        }
    }
    record Tclunk(int tag, int fid) implements T {
        public int type() { return 120; }
        @Override public String toString() {
            return MessageText.of("Tclunk").tag(tag).fid("fid", fid).toString();
        }
    }
    record Rclunk(int tag) implements R {
        public int type() { return 121; }
        @Override public String toString() {
            return MessageText.of("Rclunk").tag(tag).toString();
        }
    }
    record Tremove(int tag, int fid) implements T {
        public int type() { return 122; }
        @Override public String toString() {
            return MessageText.of("Tremove").tag(tag).fid("fid", fid).toString();
        }
    }
    record Rremove(int tag) implements R {
        public int type() { return 123; }
        @Override public String toString() {
            return MessageText.of("Rremove").tag(tag).toString();
        }
    }
    record Tstat(int tag, int fid) implements T {
        public int type() { return 124; }
        @Override public String toString() {
            return MessageText.of("Tstat").tag(tag).fid("fid", fid).toString();
        }
    }
    record Rstat(int tag, Stat stat) implements R {
        public int type() { return 125; }
        public Rstat { Objects.requireNonNull(stat); }
        @Override public String toString() {
            return MessageText.of("Rstat").tag(tag).value("stat", stat).toString();
        }
    }
    record Twstat(int tag, int fid, Stat stat) implements T {
        public int type() { return 126; }
        public Twstat { Objects.requireNonNull(stat); }
        @Override public String toString() {
            return MessageText.of("Twstat").tag(tag).fid("fid", fid).value("stat", stat).toString();
        }
    }
    record Rwstat(int tag) implements R {
        public int type() { return 127; }
        @Override public String toString() {
            return MessageText.of("Rwstat").tag(tag).toString();
        }
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
            return printable ? MessageText.quoted(new String(data, StandardCharsets.UTF_8))
                    : "0x" + HexFormat.of().formatHex(data);
        }
    }
}
