package org.gproc.client.internal.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything one remote stream has produced, kept from its first byte: readers ({@link #newInputStream()}) and
 * line subscribers both start at the beginning, whenever they arrive. Line subscribers are called under this
 * buffer's lock so the replay and the live lines cannot interleave or repeat.
 */
final class OutputBuffer {
    private byte[] bytes = new byte[256];
    private int size;
    private final List<Consumer<String>> subscribers = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private String error;
    private boolean ended;

    synchronized void append(byte[] data) {
        if (size + data.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + data.length));
        }
        System.arraycopy(data, 0, bytes, size, data.length);
        size += data.length;
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n') {
                partial.write(data, start, i - start);
                emit(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
                start = i + 1;
            }
        }
        partial.write(data, start, data.length - start);
        notifyAll();
    }

    /** End of stream; {@code error} (may be null) is why it ended early, e.g. a spool cap. */
    synchronized void end(String error) {
        if (ended) {
            return;
        }
        if (partial.size() > 0) {
            emit(partial.toString(StandardCharsets.UTF_8));
            partial.reset();
        }
        if (error != null) {
            this.error = error;
            emit("[gproc: " + error + "]");
        }
        ended = true;
        notifyAll();
    }

    private void emit(String line) {
        lines.add(line);
        for (Consumer<String> s : subscribers) {
            s.accept(line);
        }
    }

    /** Replays the lines so far to {@code subscriber}, then delivers new ones as they complete. */
    synchronized void subscribe(Consumer<String> subscriber) {
        lines.forEach(subscriber);
        subscribers.add(subscriber);
    }

    synchronized boolean ended() {
        return ended;
    }

    synchronized String error() {
        return error;
    }

    synchronized byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    synchronized String text() {
        return new String(bytes, 0, size, StandardCharsets.UTF_8);
    }

    /** A stream over the bytes from the first; blocks until more arrive or the stream ends. */
    InputStream newInputStream() {
        return new InputStream() {
            private int position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                synchronized (OutputBuffer.this) {
                    while (position >= size && !ended) {
                        try {
                            OutputBuffer.this.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("interrupted while waiting for remote output");
                        }
                    }
                    int available = size - position;
                    if (available <= 0) {
                        return -1;
                    }
                    int n = Math.min(len, available);
                    System.arraycopy(bytes, position, b, off, n);
                    position += n;
                    return n;
                }
            }
        };
    }
}
