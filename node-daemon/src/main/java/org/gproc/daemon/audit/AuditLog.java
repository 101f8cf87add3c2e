package org.gproc.daemon.audit;

import org.gproc.transport.text.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An append-only JSON-lines audit log. {@link #event(String)} builds one line; {@link Event#log()} queues it and
 * returns at once; one writer thread appends each line with exactly one {@code write(2)} on a file opened with
 * {@code O_APPEND}, so lines never interleave. A write the disk cannot take whole (a full file system) is undone by
 * cutting the file back to where the line began: the file holds whole lines only, also when the disk fills.
 *
 * <p>Two budgets, so that anyone who can reach the port cannot crowd out what authenticated users do. Lines marked
 * {@link Event#unauthenticated()} (refused logins) are dropped, and counted in an {@code audit-dropped} line, when
 * the writer is behind by more than half its queue or when the file system's free space is below the reserve
 * (min(16 MiB, an eighth of the file system)); every other line waits for room in the queue and may use the reserve.
 * Every string in a line is bounded ({@link Bounded}).
 *
 * <p>Fail closed: {@link #unwritable()} says why the log cannot record anything now (the last write failed, or less
 * than {@value #MIN_FREE_BYTES} bytes are free), and gprocd then refuses the logins, clones, ctl writes, relay-child
 * lines and gateway jumps it would have to record, with that reason ({@link #refusalOf}). What cannot be refused
 * (a process exits, a connection is closed) is kept meanwhile: a line that cannot be written waits in a backlog of
 * at most {@value #BACKLOG_LINES} lines ({@value #BACKLOG_BYTES} bytes), in order and with its own time, and is
 * written once the file takes lines again; lines past the backlog, and the refusal lines of the operations refused
 * meanwhile, are counted and the count is written in an {@code audit-lost} line after the backlog, so nothing is
 * lost silently. The backlog is retried every {@value #RETRY_MILLIS} ms, so the log recovers by itself once space is
 * freed. What a crash costs: a line is in the kernel once the writer has taken it, normally well under a
 * millisecond after {@code log()}; lines are not fsync'ed one by one (as for syslog files); a crash while the log is
 * unwritable loses the backlog.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final int QUEUE_CAPACITY = 65536;
    /** Below this much free space nothing more is accepted: a bounded line is far smaller. */
    static final long MIN_FREE_BYTES = 64 * 1024;
    private static final long MAX_RESERVE_BYTES = 16L << 20;
    private static final long SPACE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long DROP_REPORT_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final int BACKLOG_LINES = 4096;
    static final long BACKLOG_BYTES = 4L << 20;
    static final long RETRY_MILLIS = 250;
    private static final Line STOP = new Line("", false, false);

    private static final AuditLog DISABLED = new AuditLog(null, null, null);

    /**
     * @param unauthenticated may be dropped (and counted) to keep room for authenticated users' events
     * @param keep            kept in the backlog when it cannot be written now (false: only counted)
     */
    private record Line(String text, boolean unauthenticated, boolean keep) {
    }

    private final Path file;
    private final FileChannel channel;
    private final FileStore store;
    private final long reserveBytes;
    private final BlockingQueue<Line> queue;
    private final Thread writer;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile String failure;
    private volatile long free = Long.MAX_VALUE;
    private volatile long freeCheckedAt = System.nanoTime() - SPACE_CHECK_NANOS;
    private long droppedReported;
    private long lastDropReport = System.nanoTime() - DROP_REPORT_NANOS;
    // the writer thread's own: lines waiting for the file to take them again, and what did not fit
    private final ArrayDeque<String> backlog = new ArrayDeque<>();
    private long backlogBytes;
    private long overflowed;
    private long refusalsNotWritten;
    private Instant unwritableSince;
    private volatile boolean closed;
    private volatile int backlogSize;

    private AuditLog(Path file, FileChannel channel, FileStore store) {
        this.file = file;
        this.channel = channel;
        this.store = store;
        long total;
        try {
            total = store == null ? 0 : store.getTotalSpace();
        } catch (IOException e) {
            total = 0;
        }
        this.reserveBytes = Math.max(MIN_FREE_BYTES, Math.min(MAX_RESERVE_BYTES, total / 8));
        if (channel == null) {
            queue = null;
            writer = null;
        } else {
            queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
            writer = new Thread(this::drain, "gprocd-audit");
            writer.setDaemon(true);
            writer.start();
        }
    }

    /** A log that records nothing (no {@code --audit-log}). */
    public static AuditLog disabled() {
        return DISABLED;
    }

    /**
     * Opens {@code file} for appending, creating it with mode 0600 if it is missing; never truncates it. Fails with a
     * message naming the file if it cannot be opened for writing or is not a regular file.
     */
    public static AuditLog open(Path file) throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IOException("audit log " + file + " is not a regular file");
        }
        FileChannel channel;
        FileStore store;
        try {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            store = Files.getFileStore(file);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IOException("cannot open audit log " + file + " for appending: " + describe(e), e);
        }
        return new AuditLog(file, channel, store);
    }

    public boolean enabled() {
        return channel != null;
    }

    /** The file, or null when disabled. */
    public Path file() {
        return file;
    }

    /**
     * Why nothing can be recorded now, naming the file and the cause; null when the log is writable (or disabled).
     * Whoever is about to do something this log must record refuses it when this is not null.
     */
    public String unwritable() {
        if (channel == null) {
            return null;
        }
        String failed = failure;
        if (failed != null) {
            return "the audit log " + file + " cannot be written (" + failed + ")";
        }
        long left = freeSpace();
        if (left < MIN_FREE_BYTES) {
            return "the audit log " + file + " cannot be written (" + left + " bytes left on its file system)";
        }
        return null;
    }

    /**
     * What to tell the client whose {@code what} (e.g. {@code clone}) is refused because the log cannot record it,
     * or null when it can. Whoever calls this and gets a message refuses the operation with it and offers the
     * refusal to the log ({@link Event#ifWritable()}).
     */
    public String refusalOf(String what) {
        String why = unwritable();
        return why == null ? null : what + " refused: " + why + "; gprocd does nothing it cannot record";
    }

    /** Lines waiting in the backlog for the file to take them again (for tests and status). */
    public int backlogged() {
        return backlogSize;
    }

    /** Free space below which refused logins are no longer written. */
    public long reserveBytes() {
        return reserveBytes;
    }

    /** A new line of type {@code name}; nothing is written until {@link Event#log()}. */
    public Event event(String name) {
        return new Event(this, name);
    }

    /** Lines written so far by this instance (for tests and status). */
    public long written() {
        return written.get();
    }

    /** Lines this instance could not write and did not keep (past the backlog, or refusals only counted). */
    public long lost() {
        return lost.get();
    }

    /** Unauthenticated lines dropped to keep the queue and the reserve for authenticated users' events. */
    public long droppedUnauthenticated() {
        return dropped.get();
    }

    private long freeSpace() {
        long now = System.nanoTime();
        if (now - freeCheckedAt >= SPACE_CHECK_NANOS) {
            try {
                free = store.getUsableSpace();
            } catch (IOException e) {
                free = 0;
            }
            freeCheckedAt = now;
        }
        return free;
    }

    private void submit(String text, boolean unauthenticated, boolean keep) {
        if (channel == null) {
            return;
        }
        if (closed) {
            LOG.error("audit log {}: event after close, not recorded: {}", file, text);
            return;
        }
        Line line = new Line(text, unauthenticated, keep);
        if (unauthenticated) {
            if (queue.size() > QUEUE_CAPACITY / 2 || !queue.offer(line)) {
                dropped.incrementAndGet();
            }
            return;
        }
        try {
            queue.put(line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("audit log {}: interrupted while queueing, not recorded: {}", file, text);
        }
    }

    private void drain() {
        while (true) {
            Line line;
            try {
                line = unwritableSince == null ? queue.take() : queue.poll(RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, after the queue is empty
            }
            if (line == null) {
                flushBacklog();
                continue;
            }
            if (line == STOP) {
                flushBacklog();
                reportDrops(true);
                return;
            }
            if (line.unauthenticated() && freeSpace() < reserveBytes) {
                dropped.incrementAndGet();
                continue;
            }
            if (!flushBacklog()) {
                hold(line);
                continue;
            }
            reportDrops(false);
            if (!write(line.text())) {
                hold(line);
            }
        }
    }

    /** A line the file did not take: into the backlog if it is to be kept and fits, else counted. */
    private void hold(Line line) {
        if (unwritableSince == null) {
            unwritableSince = Instant.now().truncatedTo(ChronoUnit.MICROS);
        }
        if (line.unauthenticated()) {
            dropped.incrementAndGet();
        } else if (!line.keep()) {
            refusalsNotWritten++;
            lost.incrementAndGet();
        } else if (backlog.size() >= BACKLOG_LINES || backlogBytes + line.text().length() > BACKLOG_BYTES) {
            overflowed++;
            lost.incrementAndGet();
        } else {
            backlog.addLast(line.text());
            backlogBytes += line.text().length();
            backlogSize = backlog.size();
        }
    }

    /**
     * Writes the backlog, oldest first, then (once it is empty) the count of what was not kept; false while the file
     * still refuses lines.
     */
    private boolean flushBacklog() {
        while (!backlog.isEmpty()) {
            if (!write(backlog.peekFirst())) {
                return false;
            }
            backlogBytes -= backlog.removeFirst().length();
            backlogSize = backlog.size();
        }
        if (unwritableSince == null) {
            return true;
        }
        if (overflowed == 0 && refusalsNotWritten == 0) {
            // nothing left to write that would show the file takes lines again: room on its file system has to do
            if (failure != null && freeSpace() < MIN_FREE_BYTES) {
                return false;
            }
            failure = null;
        } else {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("time", Instant.now().truncatedTo(ChronoUnit.MICROS).toString());
            fields.put("event", "audit-lost");
            fields.put("since", unwritableSince.toString());
            fields.put("lines", overflowed);
            fields.put("refusals", refusalsNotWritten);
            fields.put("reason", "the audit log could not be written from " + unwritableSince + " on: the lines"
                    + " before this one were kept and written late (each with its own time); " + overflowed
                    + " later line(s) did not fit the backlog of " + BACKLOG_LINES + " lines and are lost, and "
                    + refusalsNotWritten + " refusal(s) of operations the log could not record were not written");
            StringBuilder text = new StringBuilder(512);
            Json.append(text, fields);
            if (!write(text.toString())) {
                return false;
            }
            overflowed = 0;
            refusalsNotWritten = 0;
        }
        unwritableSince = null;
        return true;
    }

    /** At most every 10 s (and at close), one line counting the unauthenticated lines dropped since the last one. */
    private void reportDrops(boolean closing) {
        long total = dropped.get();
        long now = System.nanoTime();
        if (total == droppedReported || (!closing && now - lastDropReport < DROP_REPORT_NANOS)) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("time", Instant.now().truncatedTo(ChronoUnit.MICROS).toString());
        fields.put("event", "audit-dropped");
        fields.put("unauthenticated", total - droppedReported);
        fields.put("reason", "refused logins not written, to keep the queue and the last " + reserveBytes
                + " bytes of the file system for authenticated users' events");
        droppedReported = total;
        lastDropReport = now;
        StringBuilder text = new StringBuilder(256);
        Json.append(text, fields);
        write(text.toString());
    }

    /** One line, one write: whole, or (cut back to where it began) not at all; false when not written. */
    private boolean write(String text) {
        ByteBuffer bytes = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
        long before = -1;
        try {
            before = channel.size();
            channel.write(bytes);
            if (bytes.hasRemaining()) {
                throw new IOException("No space left on device: " + bytes.remaining() + " of " + bytes.capacity()
                        + " bytes of the line could not be written");
            }
            written.incrementAndGet();
            if (failure != null) {
                LOG.error("audit log {}: writable again; writing the {} line(s) kept meanwhile", file,
                        backlog.size());
                failure = null;
            }
            return true;
        } catch (IOException e) {
            cutBack(before);
            if (failure == null) {
                LOG.error("audit log {}: WRITE FAILED ({}); gprocd refuses logins, clones, ctl writes and jumps"
                        + " until a line can be written again, and keeps up to {} other lines meanwhile", file,
                        describe(e), BACKLOG_LINES);
            }
            failure = describe(e);
            return false;
        }
    }

    private void cutBack(long size) {
        if (size < 0) {
            return;
        }
        try {
            if (channel.size() > size) {
                channel.truncate(size);
            }
        } catch (IOException e) {
            LOG.error("audit log {}: cannot remove the cut line at offset {}: {}", file, size, describe(e));
        }
    }

    /** Writes what is queued, then closes the file; idempotent. */
    @Override
    public void close() {
        if (channel == null || closed) {
            return;
        }
        closed = true;
        try {
            queue.put(STOP);
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.error("audit log {}: close failed: {}", file, describe(e));
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /** One line being built: {@code time} and {@code event} first, then fields in the order they are added. */
    public static final class Event {
        private final AuditLog log;
        private final Map<String, Object> fields;
        private boolean unauthenticated;
        private boolean keep = true;

        private Event(AuditLog log, String name) {
            this.log = log;
            this.fields = log.channel == null ? null : new LinkedHashMap<>();
            if (fields != null) {
                fields.put("time", Instant.now().truncatedTo(ChronoUnit.MICROS).toString());
                fields.put("event", name);
            }
        }

        /** When it happened, if not now. */
        public Event at(Instant time) {
            return field("time", time.truncatedTo(ChronoUnit.MICROS).toString());
        }

        /** Adds a field, bounded ({@link Bounded}); a null value is written as JSON null. */
        public Event field(String name, Object value) {
            if (fields != null) {
                fields.put(name, Bounded.value(value));
            }
            return this;
        }

        public Event accepted() {
            return field("outcome", "accepted");
        }

        public Event refused(String reason) {
            return field("outcome", "refused").field("reason", reason);
        }

        /**
         * Marks a line about a peer that has not authenticated: it may be dropped (and counted) rather than take
         * room that authenticated users' events need.
         */
        public Event unauthenticated() {
            unauthenticated = true;
            return this;
        }

        /**
         * Marks the refusal of an operation refused because the log cannot record it ({@link #refusalOf}): written
         * if the file takes it, else only counted, so that a client retrying does not fill the backlog that keeps
         * what could not be refused.
         */
        public Event ifWritable() {
            keep = false;
            return this;
        }

        /** Queues the line; never blocks on the disk. */
        public void log() {
            if (fields != null) {
                StringBuilder line = new StringBuilder(256);
                Json.append(line, fields);
                log.submit(line.toString(), unauthenticated, keep);
            }
        }
    }
}
