package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.ExitStatus;

import java.util.concurrent.CompletableFuture;

/** What both launch back ends share: the exit future, the stdin pipe, and the checks before a signal. */
abstract class LaunchedProcess implements RunningProcess {

    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private volatile StdinPipe stdin;

    /** Sets the stdin pipe once the process exists. */
    final void attachStdin(StdinPipe pipe) {
        this.stdin = pipe;
    }

    /** Records the exit once: pending stdin fails, later signals are refused. */
    final void exited(ExitStatus status) {
        if (!exit.isDone()) {
            stdin.abort("process " + pid() + " has exited (" + status + ")");
            exit.complete(status);
        }
    }

    /** An adopted process's end that nobody recorded: the exit fails with {@code reason}. */
    final void lost(String reason) {
        if (!exit.isDone()) {
            stdin.abort("process " + pid() + " has exited (" + reason + ")");
            exit.completeExceptionally(new NinePException(reason));
        }
    }

    final boolean hasExited() {
        return exit.isDone();
    }

    /** Delivers a checked signal number to every member of the session. */
    abstract void deliver(int sig) throws NinePException;

    @Override
    public final CompletableFuture<ExitStatus> onExit() {
        return exit.copy();
    }

    @Override
    public final void signal(int sig) throws NinePException {
        if (sig < 1 || sig > Signals.MAX) {
            throw new NinePException("signal: no signal number " + sig + " (Linux signals are 1-" + Signals.MAX + ")");
        }
        if (hasExited() && members().isEmpty()) {
            checkRunning();
        }
        deliver(sig);
    }

    final void checkRunning() throws NinePException {
        if (exit.isCompletedExceptionally()) {
            throw new NinePException("signal: process " + pid() + " has already exited (its exit status was lost)");
        }
        ExitStatus status = exit.getNow(null);
        if (status != null) {
            throw new NinePException("signal: process " + pid() + " has already exited (" + status + ")");
        }
    }

    @Override
    public final void writeStdin(byte[] data) throws NinePException {
        CompletableFuture<Integer> written = stdin.write(data);
        if (written.isCompletedExceptionally()) {
            ProcessLauncher.rethrow(written);
        }
    }

    @Override
    public final CompletableFuture<Integer> stdinWrite(byte[] data) {
        return stdin.write(data);
    }

    @Override
    public final void closeStdin() {
        stdin.close();
    }

    @Override
    public String toString() {
        return "process " + pid() + " (" + (exit.isCompletedExceptionally() ? "exit status lost"
                : exit.isDone() ? exit.join() : "running") + ")";
    }
}
