package org.gproc.cli.agent;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * The one thread that writes a request's frames to its client. Commands print from threads of their own (a
 * cluster's output threads among them, which are interrupted when the cluster closes), and an interrupted thread's
 * write would close a socket channel under everyone; so they only queue frames here. At most {@value #LIMIT} bytes
 * wait: a writer blocks past that until the client has read some, as it would on a terminal. After the last frame
 * (the exit status) the channel is closed; a client that has gone makes every later frame a no-op.
 */
final class FrameWriter {
    static final int LIMIT = 4 << 20;

    private final SocketChannel channel;
    private final ArrayDeque<ByteBuffer> frames = new ArrayDeque<>();
    private final Thread thread;
    private long queued;
    private boolean last;
    private boolean gone;

    FrameWriter(SocketChannel channel, String name) {
        this.channel = channel;
        this.thread = new Thread(this::drain, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues one frame; blocks while too much waits. */
    void send(byte type, byte[] payload, int offset, int length) throws InterruptedIOException {
        ByteBuffer frame = ByteBuffer.allocate(5 + length);
        frame.put(type).putInt(length).put(payload, offset, length).flip();
        synchronized (this) {
            while (queued > LIMIT && !gone && !last) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while the client was slow to read");
                }
            }
            if (gone || last) {
                return;
            }
            frames.add(frame);
            queued += frame.remaining();
            notifyAll();
        }
    }

    /** Queues the last frame; true if this call was the one that ended the request. */
    boolean finish(byte type, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(5 + payload.length);
        frame.put(type).putInt(payload.length).put(payload).flip();
        synchronized (this) {
            if (last) {
                return false;
            }
            frames.add(frame);
            last = true;
            notifyAll();
            return true;
        }
    }

    /** Waits until the last frame is written (or the client has gone). */
    void awaitEnd() throws InterruptedException {
        thread.join();
    }

    private void drain() {
        try {
            while (true) {
                ByteBuffer frame;
                synchronized (this) {
                    while (frames.isEmpty() && !last) {
                        wait();
                    }
                    frame = frames.poll();
                    if (frame == null) {
                        return;
                    }
                }
                int size = frame.remaining();
                while (frame.hasRemaining()) {
                    channel.write(frame);
                }
                synchronized (this) {
                    queued -= size;
                    notifyAll();
                }
            }
        } catch (IOException | InterruptedException e) {
            synchronized (this) {
                gone = true;
                frames.clear();
                notifyAll();
            }
        } finally {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
