package org.gproc.transport.ninep;

import java.util.Objects;

/**
 * A 9P directory entry (stat(5)). Times are unsigned seconds since the epoch held in an int; {@code mode} carries
 * {@link #DMDIR} and friends in its high bits and Unix permission bits in its low nine.
 * For Twstat, "don't touch" values are ~0 for numbers and "" for strings ({@link #dontTouch()}).
 */
public record Stat(int type, int dev, Qid qid, int mode, int atime, int mtime, long length,
                   String name, String uid, String gid, String muid) {
    public static final int DMDIR = 0x80000000;
    public static final int DMAPPEND = 0x40000000;
    public static final int DMEXCL = 0x20000000;
    public static final int DMAUTH = 0x08000000;
    public static final int DMTMP = 0x04000000;

    public Stat {
        Objects.requireNonNull(qid, "qid");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(gid, "gid");
        Objects.requireNonNull(muid, "muid");
    }

    /** The Twstat value that asks the server to change nothing. */
    public static Stat dontTouch() {
        return new Stat(0xFFFF, -1, new Qid(0xFF, -1, -1L), -1, -1, -1, -1L, "", "", "", "");
    }

    public boolean isDirectory() {
        return (mode & DMDIR) != 0;
    }

    /** {@code Stat{..., mode=DMDIR|0755, ...}}; Twstat's "don't touch" numbers show as {@code ~0}. */
    @Override
    public String toString() {
        return MessageText.of("Stat").value("type", type == 0xFFFF ? "~0" : Integer.toString(type))
                .u32OrKeep("dev", dev).value("qid", qid).dirModeOrKeep("mode", mode)
                .u32OrKeep("atime", atime).u32OrKeep("mtime", mtime).u64OrKeep("length", length)
                .str("name", name).str("uid", uid).str("gid", gid).str("muid", muid).toString();
    }
}
