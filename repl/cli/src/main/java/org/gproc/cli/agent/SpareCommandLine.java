package org.gproc.cli.agent;

import org.gproc.cli.GprocCli;
import picocli.CommandLine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The next request's command line, built while the agent is idle: picocli's model of every command and option takes
 * tens of milliseconds to build even in a warm JVM, which would otherwise be on every request's path. One is kept
 * ready; a request that finds it still being built waits for it, and one that finds none (another took it) builds
 * its own. Each serves a single request.
 */
final class SpareCommandLine implements AutoCloseable {
    /** A command line not yet bound to a caller (see {@link GprocCli#bind}). */
    record Unbound(GprocCli cli, CommandLine line) {
    }

    private final ExecutorService builder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gproc-agent-commandline");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<Unbound> spare;

    /** The spare (waiting for it if it is being built), or a new one. */
    Unbound take() {
        CompletableFuture<Unbound> ready;
        synchronized (this) {
            ready = spare;
            spare = null;
        }
        return ready != null ? ready.join() : build();
    }

    /** Starts building a spare unless one is kept already; called when the agent starts and after each request. */
    synchronized void refill() {
        if (spare == null && !builder.isShutdown()) {
            spare = CompletableFuture.supplyAsync(SpareCommandLine::build, builder);
        }
    }

    private static Unbound build() {
        GprocCli cli = GprocCli.unbound();
        return new Unbound(cli, GprocCli.commandLine(cli));
    }

    @Override
    public void close() {
        builder.shutdownNow();
    }
}
