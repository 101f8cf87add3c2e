package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** A process started through the native helper: its monitor writes the exit status file the watcher reports. */
final class NativeProcess implements RunningProcess {

    private static final Logger log = LoggerFactory.getLogger(NativeProcess.class);

    private final NativeSpawner spawner;
    private final Path statusFile;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private volatile long pid = -1;
    private volatile StdinPipe stdin;
    private volatile SpoolWatcher.Watch watch;

    NativeProcess(NativeSpawner spawner, Path statusFile) {
        this.spawner = spawner;
        this.statusFile = statusFile;
    }

    void started(long pid, StdinPipe stdin, SpoolWatcher.Watch watch) {
        this.pid = pid;
        this.stdin = stdin;
        this.watch = watch;
    }

    /** The watcher's call (and one right after the start): the status file may exist now. */
    void statusChanged() {
        if (exit.isDone() || pid < 0) {
            return;
        }
        ExitStatus status;
        try {
            status = ExitStatus.parse(new String(Files.readAllBytes(statusFile), StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            log.error("process {}: unreadable exit status in {}", pid, statusFile, e);
            return;
        }
        watch.close();
        stdin.abort("process " + pid + " has exited (" + status + ")");
        exit.complete(status);
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return exit.copy();
    }

    @Override
    public void signal(int sig) throws NinePException {
        if (sig < 1 || sig > Signals.MAX) {
            throw new NinePException("signal: no signal number " + sig + " (Linux signals are 1-" + Signals.MAX + ")");
        }
        checkRunning();
        if (!spawner.killGroup(sig, pid)) {
            statusChanged();
            checkRunning();
            throw new NinePException("signal: process " + pid + " is gone but left no exit status (its monitor was"
                    + " killed)");
        }
    }

    private void checkRunning() throws NinePException {
        ExitStatus status = exit.getNow(null);
        if (status != null) {
            throw new NinePException("signal: process " + pid + " has already exited (" + status + ")");
        }
    }

    @Override
    public void writeStdin(byte[] data) throws NinePException {
        CompletableFuture<Integer> written = stdin.write(data);
        if (written.isCompletedExceptionally()) {
            ProcessLauncher.rethrow(written);
        }
    }

    @Override
    public CompletableFuture<Integer> stdinWrite(byte[] data) {
        return stdin.write(data);
    }

    @Override
    public void closeStdin() {
        stdin.close();
    }

    @Override
    public String toString() {
        return "process " + pid + (exit.isDone() ? " (" + exit.join() + ")" : " (running)");
    }
}
