package org.gproc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * The client's standard input given to every node, as {@code clush} does: one thread reads it, and each node's process
 * gets a {@link #reader()} that reads it from the first byte and then sees EOF when the client's input ends.
 *
 * <p>Memory is bounded by a window: the reading thread keeps only the bytes that some node has not read yet, and stops
 * reading while the slowest node is a whole window behind. So an endless input ({@code yes | gproc exec ...}) streams
 * at the pace of the slowest node that still reads it; a node whose process has ended no longer holds it back. The one
 * exception is a fan-out limit smaller than the node set: nodes that start later must still get the input from its
 * first byte, and the nodes running meanwhile may wait for their EOF before they end, so the input is then kept whole
 * (as clush keeps it for the nodes it has not started).
 */
final class StdinBroadcast implements AutoCloseable {
    /** How far the slowest node may fall behind before the reading thread waits for it. */
    static final int WINDOW = 4 << 20;

    private final InputStream source;
    private final int expected;
    private final long window;
    /** Unread bytes in arrival order; the first chunk starts at offset {@link #base} of the input. */
    private final Deque<byte[]> chunks = new ArrayDeque<>();
    private long base;
    private long length;
    /** The positions of the readers handed out so far; a closed reader's is {@link Long#MAX_VALUE}. */
    private long[] positions = new long[0];
    private boolean ended;
    private IOException failure;

    /**
     * @param readers how many {@link #reader()}s will be asked for (one per node): input is kept until each has read it
     * @param bounded whether all of them start at once, so that a window bounds memory (see the class comment)
     */
    StdinBroadcast(InputStream source, int readers, boolean bounded) {
        this.source = source;
        this.expected = readers;
        this.window = bounded ? WINDOW : Long.MAX_VALUE;
        Thread pump = new Thread(this::pump, "gproc-stdin-broadcast");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Whether {@code in} is this process's standard input and that is a terminal. A terminal's input is never
     * broadcast (the processes get EOF at once, as with pdsh): a typed line meant for gproc would reach every node.
     */
    static boolean isTerminal(InputStream in) {
        if (in != System.in) {
            return false;
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }

    private void pump() {
        try {
            while (true) {
                synchronized (this) {
                    while (!ended && length - slowest() >= window) {
                        wait();
                    }
                    if (ended) {
                        return;
                    }
                }
                byte[] chunk = new byte[65536];
                int n = source.read(chunk);
                if (n < 0) {
                    break;
                }
                synchronized (this) {
                    chunks.addLast(n == chunk.length ? chunk : Arrays.copyOf(chunk, n));
                    length += n;
                    notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                failure = e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            ended = true;
            notifyAll();
        }
    }

    /** The position of the reader furthest behind; a reader not handed out yet is still at the start. */
    private long slowest() {
        long min = positions.length < expected ? 0 : Long.MAX_VALUE;
        for (long p : positions) {
            min = Math.min(min, p);
        }
        return min;
    }

    /** Drops the chunks every reader has passed. */
    private void release() {
        long keep = slowest();
        while (!chunks.isEmpty() && base + chunks.peekFirst().length <= keep) {
            base += chunks.removeFirst().length;
        }
        notifyAll();
    }

    /** A new stream over the whole input, from its first byte; closing it stops it holding the input back. */
    synchronized InputStream reader() {
        int slot = positions.length;
        positions = Arrays.copyOf(positions, slot + 1);
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                synchronized (StdinBroadcast.this) {
                    if (positions[slot] == Long.MAX_VALUE) {
                        return -1;
                    }
                    while (positions[slot] >= length && !ended) {
                        try {
                            StdinBroadcast.this.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted while reading the client's standard input");
                        }
                    }
                    long position = positions[slot];
                    if (position >= length) {
                        if (failure != null) {
                            throw new IOException("reading the client's standard input: " + failure.getMessage());
                        }
                        return -1;
                    }
                    int n = copy(position, b, off, len);
                    positions[slot] = position + n;
                    release();
                    return n;
                }
            }

            @Override
            public void close() {
                synchronized (StdinBroadcast.this) {
                    positions[slot] = Long.MAX_VALUE;
                    release();
                }
            }
        };
    }

    /** Copies up to {@code len} bytes from input offset {@code position} (within one chunk). */
    private int copy(long position, byte[] b, int off, int len) {
        long start = base;
        for (byte[] chunk : chunks) {
            if (position < start + chunk.length) {
                int from = (int) (position - start);
                int n = Math.min(len, chunk.length - from);
                System.arraycopy(chunk, from, b, off, n);
                return n;
            }
            start += chunk.length;
        }
        throw new IllegalStateException("input at " + position + " was released");
    }

    /** How many input bytes are held now (for the spec of the window). */
    synchronized long held() {
        return length - base;
    }

    /** Stops waiting for more input: readers see EOF once they have read what arrived. */
    @Override
    public void close() {
        synchronized (this) {
            ended = true;
            notifyAll();
        }
    }
}
