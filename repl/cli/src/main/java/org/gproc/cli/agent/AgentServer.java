package org.gproc.cli.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control-node agent: one per user, serving {@link AgentRequest}s on a UNIX socket in its {@link AgentPaths}
 * directory, holding the {@link ClusterPool}. Only one runs per directory: it holds {@code agent.lock} for its
 * whole life, so whoever gets the lock knows a socket file already there is stale and replaces it. A connection
 * from another uid is refused and logged. It ends when no request has run for the idle time, on
 * {@code gproc agent stop}, on SIGTERM, when its socket file is removed or replaced, or when the build it runs from
 * changes (the next request is told to run directly).
 */
public final class AgentServer {
    private static final int LOCK_WAIT_SECONDS = 15;
    private final AgentPaths paths;
    private final Path home;
    private final Duration idle;
    private final Path buildStamp;
    private final long buildStampTime;
    private final ClusterPool pool;
    private final SpareCommandLine commandLines = new SpareCommandLine();
    private final PrintStream log;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Instant started = Instant.now();
    private volatile long lastActive = System.nanoTime();
    private volatile boolean stopping;
    private ServerSocketChannel server;
    private Object socketKey;

    public AgentServer(AgentPaths paths, Path home, Duration idle, Path buildStamp, PrintStream log) {
        this.paths = paths;
        this.home = home;
        this.idle = idle;
        this.buildStamp = buildStamp;
        this.buildStampTime = modified(buildStamp);
        this.pool = new ClusterPool(home);
        this.log = log;
    }

    /**
     * Serves until it ends; 0 after a normal end, 3 when another agent already serves this directory.
     *
     * @throws IOException when the directory is unsafe or the socket cannot be made
     */
    public int run() throws IOException {
        paths.prepare();
        try (FileChannel lockFile = FileChannel.open(paths.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = awaitLock(lockFile);
            if (lock == null) {
                log("another agent already serves " + paths.socket());
                return 3;
            }
            if (Files.deleteIfExists(paths.socket())) {
                log("replaced a stale socket " + paths.socket() + " (no agent held " + paths.lock() + ")");
            }
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(paths.socket()));
            Files.setPosixFilePermissions(paths.socket(), PosixFilePermissions.fromString("rw-------"));
            socketKey = Files.readAttributes(paths.socket(), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
            RoutedStreams.install();
            Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp, "gproc-agent-cleanup"));
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gproc-agent-idle");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::checkIdle, 1, 1, TimeUnit.SECONDS);
            commandLines.refill();
            log("serving " + paths.socket() + " (pid " + ProcessHandle.current().pid() + ", ends after "
                    + Idle.format(idle) + " idle)");
            try {
                acceptLoop();
            } finally {
                timer.shutdownNow();
                commandLines.close();
                removeSocket();
                lock.release(); // a new agent may start now, while this one still closes its connections
                pool.close();
            }
            return 0;
        }
    }

    /**
     * The lock; null when another agent holds it and serves. An agent that is still ending (its socket already
     * gone) is waited for, up to {@value #LOCK_WAIT_SECONDS} s: a call made just after {@code agent stop} starts
     * the next agent at once.
     */
    private FileLock awaitLock(FileChannel file) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOCK_WAIT_SECONDS);
        while (true) {
            try {
                FileLock lock = file.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (OverlappingFileLockException heldInThisJvm) {
                // as held by another process
            }
            if (AgentClient.ask(paths.socket(), "status") != null || System.nanoTime() > deadline) {
                return null;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    private void acceptLoop() throws IOException {
        while (!stopping) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (AsynchronousCloseException e) {
                return;
            }
            String stranger;
            try {
                stranger = PeerCheck.stranger(client);
            } catch (IOException | RuntimeException e) {
                stranger = "unknown (" + e.getMessage() + ")";
            }
            if (stranger != null) {
                refused.incrementAndGet();
                log("refused a connection from user " + stranger + ": this agent serves only uid "
                        + PeerCheck.ownUid());
                client.close();
                continue;
            }
            active.incrementAndGet();
            Thread t = new Thread(() -> {
                try {
                    new AgentRequest(client, this).serve();
                } finally {
                    served.incrementAndGet();
                    lastActive = System.nanoTime();
                    active.decrementAndGet();
                    commandLines.refill();
                }
            }, "gproc-agent-request-" + served.get());
            t.setDaemon(true);
            t.start();
        }
    }

    private void checkIdle() {
        if (!socketStillOurs()) {
            log("the socket " + paths.socket() + " was removed or replaced: stopping");
            stopSoon();
        } else if (active.get() == 0 && System.nanoTime() - lastActive > idle.toNanos()) {
            log("idle for " + Idle.format(idle) + ": stopping");
            stopSoon();
        }
    }

    private boolean socketStillOurs() {
        try {
            return socketKey.equals(Files.readAttributes(paths.socket(),
                    BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops accepting; requests under way finish (their threads are daemons only once the JVM is told to exit). */
    void stopSoon() {
        stopping = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** At JVM exit (SIGTERM): the socket goes first, so no client waits on an agent that is ending. */
    private void cleanUp() {
        removeSocket();
        pool.close();
    }

    private synchronized void removeSocket() {
        if (socketKey != null && socketStillOurs()) {
            try {
                Files.deleteIfExists(paths.socket());
            } catch (IOException e) {
                // the directory went; nothing to remove
            }
        }
        socketKey = null;
    }

    /** The answer to a {@code Q} frame. */
    String answer(String query) {
        return switch (query) {
            case "status" -> "pid " + ProcessHandle.current().pid() + ", socket " + paths.socket() + ", up since "
                    + started + ", requests " + served.get() + " (" + active.get() + " running, " + refused.get()
                    + " refused), ends after " + Idle.format(idle) + " idle";
            case "stop" -> "stopping (pid " + ProcessHandle.current().pid() + ")";
            default -> "unknown query '" + query + "' (known: status, stop)";
        };
    }

    boolean buildChanged() {
        return buildStamp != null && modified(buildStamp) != buildStampTime;
    }

    private static long modified(Path file) {
        try {
            return file == null ? 0 : Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return -1;
        }
    }

    Path home() {
        return home;
    }

    ClusterPool pool() {
        return pool;
    }

    SpareCommandLine commandLines() {
        return commandLines;
    }

    void log(String text) {
        synchronized (log) {
            log.println(Instant.now() + " gproc agent: " + text);
            log.flush();
        }
    }
}
