package org.gproc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The client's standard input given to every node, as {@code clush} does: one thread reads it and keeps what it read,
 * and each node's process gets a {@link #reader()} that reads it all from the first byte (so a node started later, by
 * the fan-out limit, misses nothing) and then sees EOF when the client's input ends. Memory: the whole input is kept
 * until the command ends.
 */
final class StdinBroadcast implements AutoCloseable {
    private final InputStream source;
    private byte[] data = new byte[8192];
    private int length;
    private boolean ended;
    private IOException failure;
    private final Thread pump;

    StdinBroadcast(InputStream source) {
        this.source = source;
        this.pump = new Thread(this::pump, "gproc-stdin-broadcast");
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
        byte[] chunk = new byte[65536];
        try {
            int n;
            while ((n = source.read(chunk)) > 0) {
                synchronized (this) {
                    if (length + n > data.length) {
                        data = Arrays.copyOf(data, Math.max(data.length * 2, length + n));
                    }
                    System.arraycopy(chunk, 0, data, length, n);
                    length += n;
                    notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                failure = e;
            }
        }
        synchronized (this) {
            ended = true;
            notifyAll();
        }
    }

    /** A new stream over the whole input, from its first byte. */
    InputStream reader() {
        return new InputStream() {
            private int position;

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
                    while (position >= length && !ended) {
                        try {
                            StdinBroadcast.this.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted while reading the client's standard input");
                        }
                    }
                    if (position >= length) {
                        if (failure != null) {
                            throw new IOException("reading the client's standard input: " + failure.getMessage());
                        }
                        return -1;
                    }
                    int n = Math.min(len, length - position);
                    System.arraycopy(data, position, b, off, n);
                    position += n;
                    return n;
                }
            }
        };
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
