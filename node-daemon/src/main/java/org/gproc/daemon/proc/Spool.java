package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * One output stream of a session, spooled to a file that the process writes directly (append mode). Reads at any
 * offset return the file's bytes, so any number of readers see the same output from offset 0; a read at or past the
 * end is parked until the file grows or {@link #finish()} says the writer is gone, then it answers the bytes or EOF.
 *
 * <p>The cap: once the process has written more than {@code capBytes}, the spool is cut at exactly {@code capBytes}
 * (the file is truncated back to the cap whenever it grows past it, which bounds the disk used), the
 * {@link #onCapReached} actions run once (the session stops the process), and every read at or past the cap fails with
 * {@code "stdout: spool cap of N bytes reached"}: the cut is never silent. Reads below the cap still succeed.
 *
 * <p>A cut: when the writer could not write everything (the file system was full), {@link #cut} records where the
 * output ends; once the writer is gone, a read at or past that point fails with the reason, like a read past the cap.
 *
 * <p>Lost wake-ups: a read checks the size and parks under the same lock the watcher's notification takes, and
 * inotify reports every write after it happens, so a parked read always sees the growth that follows it.
 */
public final class Spool {

    private record Parked(long offset, int count, CompletableFuture<byte[]> future) {
    }

    private record Due(Parked read, long offset, int count, NinePException error) {
    }

    private final Path file;
    private final String name;
    private final long cap;
    private final SpoolWatcher.Watch watch;
    private final List<Parked> parked = new ArrayList<>();
    private final List<Runnable> capActions = new ArrayList<>();
    private boolean finished;
    private boolean capReached;
    private boolean deleted;
    private long cutAt = -1;
    private String cutBecause;
    private volatile LongConsumer growth = size -> { };

    /** Watches {@code file} (its directory must exist; the file need not yet). */
    public Spool(Path file, long capBytes, SpoolWatcher watcher) {
        if (capBytes < 0) {
            throw new IllegalArgumentException("spool cap must be >= 0, got " + capBytes);
        }
        this.file = file.toAbsolutePath();
        this.name = file.getFileName().toString();
        this.cap = capBytes;
        try {
            this.watch = watcher.watch(this.file, this::changed);
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot watch " + this.file.getParent(), e);
        }
    }

    public Path file() {
        return file;
    }

    public long cap() {
        return cap;
    }

    /**
     * At most {@code count} bytes at {@code offset}. Completes with the bytes; with an empty array at EOF (after
     * {@link #finish()}); exceptionally with a {@link NinePException} at or past a reached cap or after
     * {@link #delete()}; otherwise it is parked until one of these holds. Cancelling the future, or failing it, unparks
     * it.
     */
    public CompletableFuture<byte[]> read(long offset, int count) {
        if (offset < 0 || count < 0) {
            return CompletableFuture.failedFuture(new NinePException(name + ": bad read of " + count + " bytes at "
                    + offset));
        }
        Parked read = new Parked(offset, count, new CompletableFuture<>());
        List<Runnable> actions;
        Due due;
        synchronized (this) {
            long size = observe();
            actions = takeCapActions();
            due = answer(read, size);
            if (due == null) {
                parked.add(read);
            }
        }
        actions.forEach(Runnable::run);
        if (due != null) {
            complete(due);
        } else {
            read.future.whenComplete((bytes, failure) -> {
                if (failure != null) { // cancelled or failed by its reader (a flush, a clunk): no longer parked
                    synchronized (this) {
                        parked.remove(read);
                    }
                }
            });
        }
        return read.future;
    }

    /** Bytes a reader can get now: the file's size, at most the cap. */
    public long size() {
        return Math.min(refresh(), cap);
    }

    /** Whether the process wrote more than the cap (checked now, not only when the watcher last looked). */
    public boolean capReached() {
        refresh();
        synchronized (this) {
            return capReached;
        }
    }

    /** Looks at the file now; runs the cap actions if this look is the one that finds the cap passed. */
    private long refresh() {
        List<Runnable> actions;
        long size;
        synchronized (this) {
            size = observe();
            actions = takeCapActions();
        }
        actions.forEach(Runnable::run);
        return size;
    }

    /** Runs {@code action} once when the cap is first exceeded (at once if it already was), on the noticing thread. */
    public void onCapReached(Runnable action) {
        boolean now;
        synchronized (this) {
            now = capReached;
            if (!now) {
                capActions.add(action);
            }
        }
        if (now) {
            action.run();
        } else {
            capReached(); // it may have been exceeded before anyone looked
        }
    }

    /**
     * The writer lost output at the current end ({@code because}: e.g. the file system was full): once it is finished,
     * reads at or past this point fail with the reason instead of seeing EOF. Ignored after the cap was reached.
     */
    public void cut(String because) {
        synchronized (this) {
            long size = observe();
            if (cutAt < 0 && !capReached) {
                cutAt = size;
                cutBecause = because;
            }
        }
        changed();
    }

    /** {@code listener} gets the size (at most the cap) each time the watcher looks at the file, on its thread. */
    public void onGrowth(LongConsumer listener) {
        growth = listener;
    }

    /** Whether {@link #cut} recorded a loss. */
    public synchronized boolean isCut() {
        return cutAt >= 0;
    }

    /** Where and why the output was cut ({@code at 4096 bytes: the file system ... is full}), or null. */
    public synchronized String cutText() {
        return cutAt < 0 ? null : "at " + cutAt + " bytes: " + cutBecause;
    }

    /** The writer is gone (the process exited): parked reads past the end answer EOF from now on. */
    public void finish() {
        synchronized (this) {
            finished = true;
        }
        changed();
    }

    /** Removes the file; parked and later reads fail. */
    public void delete() {
        List<Parked> orphans;
        synchronized (this) {
            deleted = true;
            orphans = new ArrayList<>(parked);
            parked.clear();
        }
        watch.close();
        for (Parked read : orphans) {
            read.future.completeExceptionally(deletedError());
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot delete " + file, e);
        }
    }

    /** The watcher's call: the file may have grown. */
    private void changed() {
        List<Runnable> actions;
        List<Due> due = new ArrayList<>();
        long seen;
        synchronized (this) {
            long size = observe();
            seen = Math.min(size, cap);
            actions = takeCapActions();
            for (var it = parked.iterator(); it.hasNext(); ) {
                Due answer = answer(it.next(), size);
                if (answer != null) {
                    it.remove();
                    due.add(answer);
                }
            }
        }
        actions.forEach(Runnable::run);
        due.forEach(this::complete);
        growth.accept(seen);
    }

    /** Under the lock: the file's size now, noting (and cutting back) growth past the cap. */
    private long observe() {
        if (deleted) {
            return 0;
        }
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot stat " + file, e);
        }
        if (size > cap) {
            capReached = true;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(cap);
            } catch (IOException e) {
                // Reads stay cut at the cap whatever the file holds; only the disk space is not reclaimed.
            }
        }
        return size;
    }

    private List<Runnable> takeCapActions() {
        if (!capReached || capActions.isEmpty()) {
            return List.of();
        }
        List<Runnable> actions = new ArrayList<>(capActions);
        capActions.clear();
        return actions;
    }

    /** Under the lock: what {@code read} gets now, or null to stay parked. */
    private Due answer(Parked read, long size) {
        if (deleted) {
            return new Due(read, 0, 0, deletedError());
        }
        long end = Math.min(size, cap);
        if (read.offset < end) {
            return new Due(read, read.offset, (int) Math.min(read.count, end - read.offset), null);
        }
        if (capReached && read.offset >= cap) {
            return new Due(read, 0, 0, new NinePException(name + ": spool cap of " + cap + " bytes reached"));
        }
        if (finished && cutAt >= 0 && read.offset >= cutAt) {
            return new Due(read, 0, 0, new NinePException(name + ": output cut at " + cutAt + " bytes: "
                    + cutBecause));
        }
        if (finished || read.count == 0) {
            return new Due(read, 0, 0, null);
        }
        return null;
    }

    /** Outside the lock: the bytes below the cap never change, so reading them needs no lock. */
    private void complete(Due due) {
        if (due.error != null) {
            due.read.future.completeExceptionally(due.error);
            return;
        }
        if (due.count == 0) {
            due.read.future.complete(new byte[0]);
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(due.count);
            while (buffer.hasRemaining() && channel.read(buffer, due.offset + buffer.position()) > 0) {
                // read until full or the end of the file
            }
            byte[] bytes = buffer.position() == due.count ? buffer.array()
                    : Arrays.copyOf(buffer.array(), buffer.position());
            due.read.future.complete(bytes);
        } catch (IOException e) {
            due.read.future.completeExceptionally(deleted ? deletedError()
                    : new NinePException(name + ": cannot read " + file + ": " + e.getMessage(), e));
        }
    }

    private NinePException deletedError() {
        return new NinePException(name + ": spool deleted (the session was wiped)");
    }
}
