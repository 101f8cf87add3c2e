package org.gproc.bench;

import org.gproc.transport.ninep.Codec;
import org.gproc.transport.ninep.FrameChannel;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client-side {@link FrameChannel} that times every 9P request from send to reply, labelled by what it touched
 * ({@code read N/wait}, {@code write N/ctl}, {@code walk clone}; session numbers fold to N), so a slow operation
 * shows which request it waited on. Diagnostics only: it decodes every outgoing frame.
 */
final class TracingChannel implements FrameChannel {
    private final FrameChannel delegate;
    private final Map<Integer, long[]> started = new ConcurrentHashMap<>();
    private final Map<Integer, String> labels = new ConcurrentHashMap<>();
    private final Map<Integer, String> fidNames = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> latencies;
    private final Map<String, List<long[]>> timeline = new ConcurrentHashMap<>();
    private volatile long runStart;

    /** {@code latencies} collects, per label, the round trips in nanoseconds (shared by several channels). */
    TracingChannel(FrameChannel delegate, Map<String, List<Long>> latencies) {
        this.delegate = delegate;
        this.latencies = latencies;
    }

    @Override
    public void start(Listener listener) {
        delegate.start(new Listener() {
            @Override
            public void onFrame(ByteBuffer frame) {
                int p = frame.position();
                int tag = (frame.get(p + 5) & 0xFF) | (frame.get(p + 6) & 0xFF) << 8;
                long[] t0 = started.remove(tag);
                String label = labels.remove(tag);
                if (t0 != null && label != null) {
                    long now = System.nanoTime();
                    long rtt = now - t0[0];
                    latencies.computeIfAbsent(label, k -> Collections.synchronizedList(new ArrayList<>()))
                            .add(rtt);
                    long start = runStart;
                    if (start != 0 && t0[0] >= start) {
                        timeline.computeIfAbsent(label, k -> Collections.synchronizedList(new ArrayList<>()))
                                .add(new long[] {t0[0] - start, now - start});
                    }
                }
                listener.onFrame(frame);
            }

            @Override
            public void onClose(Throwable cause) {
                listener.onClose(cause);
            }
        });
    }

    @Override
    public void send(ByteBuffer frame) {
        try {
            Message m = Codec.decode(frame.duplicate(), Integer.MAX_VALUE);
            if (m instanceof Message.T t) {
                int tag = t.tag();
                labels.put(tag, label(t));
                started.put(tag, new long[] {System.nanoTime()});
            }
        } catch (NinePException | RuntimeException e) {
            // not ours to judge: the server will answer whatever it is
        }
        delegate.send(frame);
    }

    private String label(Message.T t) {
        if (t instanceof Message.Twalk w) {
            String from = fidNames.getOrDefault(w.fid(), "");
            String path = w.names().isEmpty() ? from
                    : (from.isEmpty() ? "" : from + "/") + String.join("/", w.names());
            fidNames.put(w.newfid(), path);
            return "walk " + fold(path);
        }
        if (t instanceof Message.Topen o) {
            String name = fidNames.getOrDefault(o.fid(), "?");
            if (name.equals("clone")) {
                fidNames.put(o.fid(), "N/ctl"); // clone lands on the new session's ctl
            }
            return "open " + fold(name);
        }
        if (t instanceof Message.Tread r) {
            return "read " + fold(fidNames.getOrDefault(r.fid(), "?"));
        }
        if (t instanceof Message.Twrite w) {
            return "write " + fold(fidNames.getOrDefault(w.fid(), "?"));
        }
        if (t instanceof Message.Tclunk c) {
            return "clunk " + fold(fidNames.getOrDefault(c.fid(), "?"));
        }
        if (t instanceof Message.Tcreate c) {
            return "create " + fold(fidNames.getOrDefault(c.fid(), "?")) + "/…";
        }
        return t.getClass().getSimpleName();
    }

    private static String fold(String path) {
        return path.replaceAll("(^|/)[0-9]+(?=/|$)", "$1N");
    }

    /** Marks the start of a run: {@link #timelineReport} gives each request's send and reply time from here. */
    void runStarted() {
        runStart = System.nanoTime();
    }

    void clearTimeline() {
        timeline.clear();
    }

    /**
     * One line per label in the order requests go out: median time from the run's start to the request's send and
     * to its reply. Shows the critical path of a pipelined run, where per-request round trips overlap.
     */
    String timelineReport() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-24s %7s %12s %12s%n", "9P request", "count",
                "sent p50 ms", "reply p50 ms"));
        record Row(String label, int count, double sent, double reply) {
        }
        List<Row> rows = new ArrayList<>();
        timeline.forEach((label, list) -> {
            List<long[]> v;
            synchronized (list) {
                v = new ArrayList<>(list);
            }
            long[] sent = v.stream().mapToLong(x -> x[0]).sorted().toArray();
            long[] reply = v.stream().mapToLong(x -> x[1]).sorted().toArray();
            rows.add(new Row(label, v.size(), sent[(sent.length - 1) / 2] / 1e6, reply[(reply.length - 1) / 2] / 1e6));
        });
        rows.sort((x, y) -> Double.compare(x.sent(), y.sent()) != 0 ? Double.compare(x.sent(), y.sent())
                : Double.compare(x.reply(), y.reply()));
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%-24s %7d %12.3f %12.3f%n", r.label(), r.count(), r.sent(),
                    r.reply()));
        }
        return b.toString();
    }

    @Override
    public int maxFrameSize() {
        return delegate.maxFrameSize();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** One line per label, the most total time first: count, p50, p90 and max in ms. */
    static String report(Map<String, List<Long>> latencies) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-24s %7s %9s %9s %9s %10s%n",
                "9P request", "count", "p50 ms", "p90 ms", "max ms", "total ms"));
        latencies.entrySet().stream()
                .sorted((x, y) -> Long.compare(sum(y.getValue()), sum(x.getValue())))
                .forEach(e -> {
                    List<Long> v;
                    synchronized (e.getValue()) {
                        v = new ArrayList<>(e.getValue());
                    }
                    v.sort(null);
                    b.append(String.format(Locale.ROOT, "%-24s %7d %9.3f %9.3f %9.3f %10.1f%n", e.getKey(), v.size(),
                            v.get((v.size() - 1) / 2) / 1e6, v.get((int) Math.ceil(0.9 * v.size()) - 1) / 1e6,
                            v.get(v.size() - 1) / 1e6, sum(v) / 1e6));
                });
        return b.toString();
    }

    private static long sum(List<Long> v) {
        synchronized (v) {
            return v.stream().mapToLong(Long::longValue).sum();
        }
    }
}
