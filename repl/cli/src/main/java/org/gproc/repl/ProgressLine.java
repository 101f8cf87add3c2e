package org.gproc.repl;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.gproc.client.ClusterListener;
import org.gproc.client.OutputListener;
import org.gproc.client.ProgressListener;

/**
 * Draws {@code pushing: 412/1000 nodes, 96.0 MiB sent, 31.5 MiB/s, 0:13 left} in place while a fan-out covers many
 * nodes, and removes it when the step is done. Small fan-outs (fewer than {@link #MIN_NODES} nodes) draw nothing
 * unless they push at least {@link #MIN_BYTES}: their output says enough. Bytes come from the cluster listener
 * ({@link #pushed}); the time left is the step's time so far scaled by the nodes still to go. Redraws at most ten
 * times a second, so a thousand callbacks cost a few terminal writes.
 */
public final class ProgressLine implements ProgressListener, ClusterListener {

    /** Fan-outs smaller than this draw no progress line, unless they push {@link #MIN_BYTES}. */
    public static final int MIN_NODES = 8;
    public static final long MIN_BYTES = 8L << 20;

    private static final long REDRAW_NANOS = 100_000_000L;

    private final NodeOutput output;
    private final LongSupplier clock;
    private final AtomicLong bytes = new AtomicLong();
    private long lastDraw;
    private boolean shown;
    private String step;
    private long stepStart;
    private long stepBytes;

    ProgressLine(NodeOutput output) {
        this(output, System::nanoTime);
    }

    ProgressLine(NodeOutput output, LongSupplier clock) {
        this.output = output;
        this.clock = clock;
    }

    /** A progress line drawn on {@code err} with a carriage return (the CLI's, on a terminal or with --progress). */
    public static ProgressLine onStream(PrintWriter err) {
        return new ProgressLine(new StreamStatus(err));
    }

    @Override
    public void pushed(String node, Path file, long sent) {
        bytes.addAndGet(sent);
    }

    @Override
    public synchronized void progress(String name, int done, int total) {
        long now = clock.getAsLong();
        if (!name.equals(step)) {
            step = name;
            stepStart = now;
            stepBytes = bytes.get();
        }
        long sent = bytes.get() - stepBytes;
        if (total < MIN_NODES && sent < MIN_BYTES) {
            return;
        }
        if (done >= total) {
            if (shown) {
                output.status(null);
                shown = false;
            }
            step = null;
            return;
        }
        if (shown && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        shown = true;
        output.status(line(name, done, total, sent, now - stepStart));
    }

    private static String line(String step, int done, int total, long sent, long elapsedNanos) {
        StringBuilder text = new StringBuilder(step).append(": ").append(done).append('/').append(total)
                .append(" nodes");
        double seconds = elapsedNanos / 1e9;
        if (sent > 0) {
            text.append(", ").append(size(sent)).append(" sent");
            if (seconds > 0) {
                text.append(", ").append(size((long) (sent / seconds))).append("/s");
            }
        }
        if (done > 0 && seconds > 0) {
            long left = Math.round(seconds * (total - done) / done);
            text.append(String.format(Locale.ROOT, ", %d:%02d left", left / 60, left % 60));
        }
        return text.toString();
    }

    private static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int unit = -1;
        while (v >= 1024 && unit < units.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[unit]);
    }

    /** Redraws one line in place on a stream; lines printed meanwhile go above it. */
    private static final class StreamStatus implements NodeOutput {
        private final PrintWriter err;

        StreamStatus(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void nodeLine(String node, OutputListener.Stream stream, String line) {
        }

        @Override
        public void note(String text) {
        }

        @Override
        public void error(String text) {
        }

        @Override
        public void status(String text) {
            synchronized (err) {
                err.print(text == null ? "\r\033[K" : "\r" + text + "\033[K");
                err.flush();
            }
        }
    }
}
