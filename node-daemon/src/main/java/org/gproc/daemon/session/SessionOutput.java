package org.gproc.daemon.session;

import org.gproc.daemon.proc.Spool;
import org.gproc.daemon.proc.SpoolWatcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A session's two output spools (created at exec) and the watch on its directory (held from clone). Reads before
 * exec park until the spools exist; once the session ends, the spools are finished and their files removed.
 */
final class SessionOutput {

    private final Session session;
    // guarded by "this"
    private Spool stdout;
    private Spool stderr;
    private SpoolWatcher.Watch directoryWatch;
    private boolean discarded;

    SessionOutput(Session session) {
        this.session = session;
    }

    synchronized Spool spool(Session.Stream stream) {
        return stream == Session.Stream.STDOUT ? stdout : stderr;
    }

    /** Empty spool files for a new process, replacing any left from before. */
    static Spool create(Path file, VirtualNode node) throws IOException {
        Files.deleteIfExists(file);
        return new Spool(Files.createFile(file), node.limits().spoolCapBytes(), node.services().spoolWatcher());
    }

    /** The spool file an earlier daemon's process writes, kept as it is (created empty if it is missing). */
    static Spool reopen(Path file, VirtualNode node) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
        return new Spool(file, node.limits().spoolCapBytes(), node.services().spoolWatcher());
    }

    synchronized void attach(Spool out, Spool err) {
        stdout = out;
        stderr = err;
    }

    long size(Session.Stream stream) {
        Spool spool = spool(stream);
        return spool == null ? 0 : spool.size();
    }

    /** See {@link Session#read}: the spool's read, or parked on {@code started} before exec. */
    CompletableFuture<byte[]> read(Session.Stream stream, long offset, int count, CompletableFuture<Void> started) {
        Spool spool = spool(stream);
        if (spool != null) {
            return spool.read(offset, count);
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        started.whenComplete((ignored, failure) -> {
            if (result.isDone()) {
                return;
            }
            if (failure != null) {
                result.completeExceptionally(session.gone());
            } else {
                Futures.relay(spool(stream).read(offset, count), result);
            }
        });
        return result;
    }

    boolean capReached(Session.Stream stream) {
        Spool spool = spool(stream);
        return spool != null && spool.capReached();
    }

    /**
     * {@code ok}, or which spools hit the cap and which lost output otherwise (a full disk, the state quota),
     * comma-separated: {@code capped:stdout}, {@code capped:stdout+stderr}, {@code cut:stderr},
     * {@code capped:stdout,cut:stderr}.
     */
    synchronized String state() {
        List<String> capped = new ArrayList<>(2);
        List<String> full = new ArrayList<>(2);
        for (Session.Stream stream : Session.Stream.values()) {
            Spool spool = stream == Session.Stream.STDOUT ? stdout : stderr;
            if (spool != null && spool.capReached()) {
                capped.add(stream.name().toLowerCase());
            } else if (spool != null && spool.isCut()) {
                full.add(stream.name().toLowerCase());
            }
        }
        List<String> parts = new ArrayList<>(2);
        if (!capped.isEmpty()) {
            parts.add("capped:" + String.join("+", capped));
        }
        if (!full.isEmpty()) {
            parts.add("cut:" + String.join("+", full));
        }
        return parts.isEmpty() ? "ok" : String.join(",", parts);
    }

    /** Whether some spool hit its cap. */
    synchronized boolean capped() {
        return (stdout != null && stdout.capReached()) || (stderr != null && stderr.capReached());
    }

    /**
     * The process exited: parked reads see EOF once they have everything. If the spools' file system is (nearly) full
     * now, the process's last writes failed there, so the spools are marked cut first.
     */
    void finish() {
        Spool out;
        Spool err;
        synchronized (this) {
            out = stdout;
            err = stderr;
        }
        if (diskFull(out.file())) {
            String because = "the file system of the state dir is full (ENOSPC)";
            out.cut(because);
            err.cut(because);
        }
        out.finish();
        err.finish();
    }

    /** Less room left than one write of a pipe's worth: a writer there has been refused. */
    private static boolean diskFull(Path file) {
        try {
            return Files.getFileStore(file).getUsableSpace() < DISK_FULL_BYTES;
        } catch (IOException e) {
            return false;
        }
    }

    private static final long DISK_FULL_BYTES = 64 * 1024;

    /**
     * Registers the session directory with the spool watcher now, at clone, rather than in exec: a registration
     * waits for the JDK's inotify thread, and exec is on the critical path of every run (with a spare session, the
     * clone is not). Held until {@link #discard()}; if it fails, exec's spools register the directory themselves.
     */
    void watchDirectory() {
        try {
            SpoolWatcher.Watch watch = session.node().services().spoolWatcher().watch(session.fsRoot(), () -> { });
            synchronized (this) {
                if (!discarded) {
                    directoryWatch = watch;
                    return;
                }
            }
            watch.close();
        } catch (IOException | RuntimeException e) {
            // exec's spools register the directory themselves
        }
    }

    /** The session ends: parked reads are released, the spool files removed, the directory watch dropped. */
    void discard() {
        Spool out;
        Spool err;
        SpoolWatcher.Watch held;
        synchronized (this) {
            discarded = true;
            out = stdout;
            err = stderr;
            held = directoryWatch;
            directoryWatch = null;
        }
        discard(out);
        discard(err);
        if (held != null) {
            held.close();
        }
    }

    /** Ends one spool: parked reads are released and its file removed. */
    static void discard(Spool spool) {
        if (spool != null) {
            spool.finish();
            try {
                spool.delete();
            } catch (RuntimeException e) {
                // the session directory is removed with the session anyway
            }
        }
    }
}
