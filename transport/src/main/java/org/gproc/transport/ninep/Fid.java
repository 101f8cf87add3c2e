package org.gproc.transport.ninep;

/**
 * A client-side handle on one server fid. Its number is reused once the server has confirmed the clunk, so a
 * handle must not be used after {@link NinePClient#clunk} or {@link NinePClient#remove}. Opening or creating
 * through the handle updates it in place (open mode, qid, iounit).
 */
public final class Fid {
    private final NinePClient client;
    private final int number;
    private volatile Qid qid;
    private volatile int mode = -1;
    private volatile int iounit;
    private volatile boolean clunked;
    private volatile NinePException failure; // a pipelined walk or open of this fid that failed
    private volatile boolean neverCreated;   // its pipelined walk failed: the server has no such fid

    Fid(NinePClient client, int number, Qid qid) {
        this.client = client;
        this.number = number;
        this.qid = qid;
    }

    public NinePClient client() {
        return client;
    }

    /** The fid number on the wire. */
    public int number() {
        return number;
    }

    /** The qid of the file this fid points at (from the walk, or from open/create). */
    public Qid qid() {
        return qid;
    }

    public boolean isDirectory() {
        return qid.isDirectory();
    }

    public boolean isOpen() {
        return mode >= 0;
    }

    /** The open mode, or -1 before open/create. */
    public int mode() {
        return mode;
    }

    /** The most data one read or write moves (the server's iounit, else msize minus 24); 0 before open. */
    public int iounit() {
        return iounit;
    }

    public boolean isClunked() {
        return clunked;
    }

    void opened(int openMode, Qid openedQid, int unit) {
        qid = openedQid;
        iounit = unit;
        mode = openMode;
    }

    void walked(Qid walkedQid) {
        qid = walkedQid;
    }

    /** A pipelined walk ({@code neverCreated}) or open failed; requests queued behind it report this error. */
    void failed(NinePException e, boolean walkFailed) {
        if (failure == null) {
            failure = e;
        }
        if (walkFailed) {
            neverCreated = true;
            markClunked();
        }
    }

    NinePException failure() {
        return failure;
    }

    boolean neverCreated() {
        return neverCreated;
    }

    /** Marks the handle dead; false if it already was. */
    synchronized boolean markClunked() {
        if (clunked) {
            return false;
        }
        clunked = true;
        return true;
    }

    @Override
    public String toString() {
        return "Fid{" + Integer.toUnsignedString(number) + (isOpen() ? ", open " + mode : "")
                + (clunked ? ", clunked" : "") + ", " + qid + "}";
    }
}
