package org.gproc.daemon;

import org.gproc.daemon.proc.ProcessTable;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * One gprocd per state dir: {@code <state-dir>/gprocd.pid}, locked for the daemon's life and holding its pid and start
 * time. A second daemon on the same state dir would take the first one's sessions as its own; the lock refuses it.
 * The kernel drops the lock when the process ends however it ends (kill -9 too), so a stale file never blocks a start.
 * {@code gprocd --restart} finds the running daemon here.
 */
final class StateLock implements AutoCloseable {

    static final String FILE = "gprocd.pid";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private StateLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** The running daemon found through a state dir's lock: its pid and start time. */
    record Holder(long pid, long startTicks) {
        /** Whether the pid is still that daemon (not a pid reused since). */
        boolean alive() {
            return ProcessTable.isSame(pid, startTicks);
        }
    }

    /** Locks {@code stateDir} for this process, or refuses naming the daemon that holds it. */
    static StateLock acquire(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            Holder holder = read(file);
            throw new IOException("--state-dir " + stateDir + " is in use by another gprocd"
                    + (holder == null ? "" : " (pid " + holder.pid() + ")") + "; stop it first, or give --restart to"
                    + " take over its sessions");
        }
        long pid = ProcessHandle.current().pid();
        ProcessTable.Identity self = ProcessTable.identity(pid);
        channel.truncate(0);
        channel.write(StandardCharsets.US_ASCII.encode(pid + " " + (self == null ? -1 : self.startTicks()) + "\n"),
                0);
        return new StateLock(stateDir, channel, lock);
    }

    /** The daemon holding {@code stateDir}'s lock now, or null when none does. */
    static Holder holder(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe;
            try {
                probe = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                probe = null;
            }
            if (probe != null) {
                probe.release();
                return null; // nobody holds it: the daemon that wrote it is gone
            }
        }
        return read(file);
    }

    /**
     * Waits up to {@code seconds} for the daemon holding {@code stateDir} to let go (it exits); true once it has.
     */
    static boolean awaitRelease(Path stateDir, long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (holder(stateDir) != null) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    private static Holder read(Path file) {
        try {
            String[] f = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
            return f.length == 2 ? new Holder(Long.parseLong(f[0]), Long.parseLong(f[1])) : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** After {@link #close()}: removes the lock file, and the state dir if that leaves it empty. */
    void removeEmpty() {
        Path file = dir.resolve(FILE);
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        } catch (IOException notEmpty) {
            // the daemon made something there before it failed: left as it is
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the process is exiting; the kernel drops the lock with it
        }
    }
}
