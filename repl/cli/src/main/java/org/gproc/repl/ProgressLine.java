package org.gproc.repl;

import java.util.function.LongSupplier;

import org.gproc.client.ProgressListener;

/**
 * Draws {@code pushing: 412/1000 nodes} in place while a fan-out covers many nodes, and removes it when the step is
 * done. Small fan-outs (fewer than {@link #MIN_NODES} nodes) draw nothing: their output says enough. Redraws at most
 * ten times a second, so a thousand callbacks cost a few terminal writes.
 */
public final class ProgressLine implements ProgressListener {

    /** Fan-outs smaller than this draw no progress line. */
    public static final int MIN_NODES = 8;

    private static final long REDRAW_NANOS = 100_000_000L;

    private final NodeOutput output;
    private final LongSupplier clock;
    private long lastDraw;
    private boolean shown;

    ProgressLine(NodeOutput output) {
        this(output, System::nanoTime);
    }

    ProgressLine(NodeOutput output, LongSupplier clock) {
        this.output = output;
        this.clock = clock;
    }

    @Override
    public synchronized void progress(String step, int done, int total) {
        if (total < MIN_NODES) {
            return;
        }
        if (done >= total) {
            if (shown) {
                output.status(null);
                shown = false;
            }
            return;
        }
        long now = clock.getAsLong();
        if (shown && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        shown = true;
        output.status(step + ": " + done + "/" + total + " nodes");
    }
}
