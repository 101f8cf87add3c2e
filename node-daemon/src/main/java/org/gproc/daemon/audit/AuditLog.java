package org.gproc.daemon.audit;

import org.gproc.transport.text.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An append-only JSON-lines audit log. {@link #event(String)} builds one line; {@link Event#log()} queues it and
 * returns at once; one writer thread appends queued lines with plain {@code write(2)} calls on a file opened with
 * {@code O_APPEND} (several lines per call when they queue up, always whole lines).
 *
 * <p>What a crash costs: a line is in the kernel once the writer has taken it, normally well under a millisecond after
 * {@code log()}; a daemon killed with SIGKILL loses only what was still queued. Lines are not fsync'ed one by one, so
 * a kernel crash or power loss can lose what the page cache had not yet written back (as for syslog files).
 *
 * <p>A failing write (disk full, I/O error) is logged as an error naming the file and how many lines were lost, once
 * per run of failures, and the daemon keeps serving: like OpenSSH, whose logging failures never stop sshd, gprocd does
 * not refuse actions because the audit log cannot be written. The next line is tried again. If the writer cannot keep
 * up at all (more than {@value #QUEUE_CAPACITY} lines waiting), callers wait for room rather than drop lines.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final int QUEUE_CAPACITY = 65536;
    private static final String STOP = "";

    private static final AuditLog DISABLED = new AuditLog(null, null);

    private final Path file;
    private final FileChannel channel;
    private final BlockingQueue<String> queue;
    private final Thread writer;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private volatile boolean closed;

    private AuditLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
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
        try {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        } catch (IOException | UnsupportedOperationException e) {
            throw new IOException("cannot open audit log " + file + " for appending: " + describe(e), e);
        }
        return new AuditLog(file, channel);
    }

    public boolean enabled() {
        return channel != null;
    }

    /** The file, or null when disabled. */
    public Path file() {
        return file;
    }

    /** A new line of type {@code name}; nothing is written until {@link Event#log()}. */
    public Event event(String name) {
        return new Event(this, name);
    }

    /** Lines written so far by this instance (for tests and status). */
    public long written() {
        return written.get();
    }

    /** Lines this instance failed to write. */
    public long lost() {
        return lost.get();
    }

    private void submit(String line) {
        if (channel == null) {
            return;
        }
        if (closed) {
            LOG.error("audit log {}: event after close, not recorded: {}", file, line);
            return;
        }
        try {
            queue.put(line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("audit log {}: interrupted while queueing, not recorded: {}", file, line);
        }
    }

    private void drain() {
        List<String> batch = new ArrayList<>();
        boolean failing = false;
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, after the queue is empty
            }
            queue.drainTo(batch, 255);
            boolean stop = batch.remove(STOP);
            if (!batch.isEmpty()) {
                failing = write(batch, failing);
                batch.clear();
            }
            if (stop) {
                return;
            }
        }
    }

    private boolean write(List<String> lines, boolean failing) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append('\n');
        }
        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            written.addAndGet(lines.size());
            if (failing) {
                LOG.error("audit log {}: writable again; {} line(s) lost so far", file, lost.get());
            }
            return false;
        } catch (IOException e) {
            lost.addAndGet(lines.size());
            if (!failing) {
                LOG.error("audit log {}: WRITE FAILED ({}); {} line(s) lost; gprocd keeps serving and retries with the"
                        + " next line", file, describe(e), lines.size());
            }
            return true;
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
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** One line being built: {@code time} and {@code event} first, then fields in the order they are added. */
    public static final class Event {
        private final AuditLog log;
        private final Map<String, Object> fields;

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

        /** Adds a field; a null value is written as JSON null. */
        public Event field(String name, Object value) {
            if (fields != null) {
                fields.put(name, value);
            }
            return this;
        }

        public Event accepted() {
            return field("outcome", "accepted");
        }

        public Event refused(String reason) {
            return field("outcome", "refused").field("reason", reason);
        }

        /** Queues the line; never blocks on the disk. */
        public void log() {
            if (fields != null) {
                StringBuilder line = new StringBuilder(256);
                Json.append(line, fields);
                log.submit(line.toString());
            }
        }
    }
}
