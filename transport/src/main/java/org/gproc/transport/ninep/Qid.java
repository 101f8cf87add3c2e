package org.gproc.transport.ninep;

/**
 * A 9P qid: the server's unique identity of a file. {@code type} is the high byte of the file's mode
 * ({@link #QTDIR} for directories), {@code version} changes when the file does, {@code path} is unique per file.
 */
public record Qid(int type, int version, long path) {
    public static final int QTDIR = 0x80;
    public static final int QTAPPEND = 0x40;
    public static final int QTEXCL = 0x20;
    public static final int QTAUTH = 0x08;
    public static final int QTTMP = 0x04;
    public static final int QTFILE = 0x00;

    public Qid {
        if ((type & ~0xFF) != 0) {
            throw new IllegalArgumentException("qid type must fit in one byte: " + type);
        }
    }

    public boolean isDirectory() {
        return (type & QTDIR) != 0;
    }

    @Override
    public String toString() {
        return "Qid{type=0x" + Integer.toHexString(type) + ", version=" + Integer.toUnsignedString(version)
                + ", path=0x" + Long.toHexString(path) + "}";
    }
}
