package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Talks to one long-lived {@code gproc-spawn} process (see its source for the protocol): spawn and group-kill
 * requests, one at a time. A spawn costs the helper a fork, the monitor a vfork and the command its exec; the daemon
 * waits only for the exec to succeed or fail. If the helper dies, the next request starts a new one; processes it
 * started keep running and their monitors still record their exit status.
 */
final class NativeSpawner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NativeSpawner.class);

    static final String STATUS_FILE = "exit-status";
    static final String FIFO_FILE = "stdin.fifo";

    private static final byte[] ACK = frame(List.of("A"));

    private final Path binary;
    private final SpoolWatcher watcher;
    private final Executor stdinExecutor;
    private Process helper;
    private OutputStream requests;
    private BufferedReader replies;
    private boolean closed;

    NativeSpawner(Path binary, SpoolWatcher watcher, Executor stdinExecutor) {
        this.binary = binary;
        this.watcher = watcher;
        this.stdinExecutor = stdinExecutor;
    }

    RunningProcess start(LaunchSpec spec) throws NinePException {
        Path dir = spec.spoolDir();
        Path status = dir.resolve(STATUS_FILE);
        Path fifo = dir.resolve(FIFO_FILE);
        List<String> fields = new ArrayList<>();
        LaunchSpec.RunAs as = spec.runAs();
        fields.addAll(List.of("S", spec.dir().toString(), spec.stdoutFile().toString(), spec.stderrFile().toString(),
                fifo.toString(), status.toString(),
                spec.program() == null ? "" : spec.program().dev() + ":" + spec.program().ino(),
                as == null ? "" : as.user(), as == null ? "" : Integer.toString(as.uid()),
                as == null ? "" : Integer.toString(as.gid()),
                spec.privateRoot() == null ? "" : spec.privateRoot().toString(),
                spec.cgroup() == null ? "" : spec.cgroup().dir().toString(),
                Integer.toString(spec.argv().size())));
        fields.addAll(spec.argv());
        fields.add(Integer.toString(spec.env().size()));
        for (Map.Entry<String, String> e : spec.env().entrySet()) {
            fields.add(e.getKey() + "=" + e.getValue());
        }
        NativeProcess process = new NativeProcess(this, status, spec.cgroup());
        SpoolWatcher.Watch watch;
        try {
            watch = watcher.watch(status, process::statusChanged);
        } catch (IOException e) {
            throw new NinePException("exec: cannot watch " + dir + ": " + e.getMessage(), e);
        }
        try {
            synchronized (this) {
                String reply = request(frame(fields));
                if (!reply.startsWith("P ")) {
                    throw new NinePException(reply.startsWith("E ") ? reply.substring(2) : "exec: spawn helper said '"
                            + reply + "'");
                }
                String[] pids = reply.substring(2).trim().split(" ");
                long pid = Long.parseLong(pids[0]);
                long monitor = Long.parseLong(pids[1]);
                RunningProcess.Ids ids = new RunningProcess.Ids(pid, startOf(pid), monitor, startOf(monitor));
                FileChannel stdin;
                try {
                    stdin = FileChannel.open(fifo, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    send(ACK);
                    killSession(Signals.KILL, ids, spec.cgroup());
                    throw new NinePException("exec: cannot open stdin of process " + pid + " (killed it): "
                            + e.getMessage(), e);
                }
                send(ACK);
                process.started(ids, new StdinPipe(pid, stdin, stdinExecutor, process::stdinClosed), watch);
            }
        } catch (NinePException | RuntimeException e) {
            watch.close();
            throw e;
        }
        return process;
    }

    private static long startOf(long pid) {
        ProcessTable.Identity identity = ProcessTable.identity(pid);
        return identity == null ? -1 : identity.startTicks();
    }

    /**
     * A process a daemon before this one started, found again in {@code dir} (its session directory): its exit is
     * watched as at start; with {@code stdinOpen} its fifo is reopened (the helper holds a reader meanwhile, so the
     * open cannot block); {@code monitorAlive} false means its monitor is gone, so the status file is all there is.
     */
    RunningProcess adopt(Path dir, RunningProcess.Ids ids, SessionCgroup cgroup, boolean stdinOpen,
                         boolean monitorAlive) throws NinePException {
        Path status = dir.resolve(STATUS_FILE);
        NativeProcess process = new NativeProcess(this, status, cgroup);
        SpoolWatcher.Watch watch;
        try {
            watch = watcher.watch(status, process::statusChanged);
        } catch (IOException e) {
            throw new NinePException("adopt: cannot watch " + dir + ": " + e.getMessage(), e);
        }
        StdinPipe stdin = StdinPipe.closed(ids.pid(), stdinExecutor);
        if (stdinOpen && monitorAlive) {
            Path fifo = dir.resolve(FIFO_FILE);
            synchronized (this) {
                String reply = request(frame(List.of("F", fifo.toString())));
                if (reply.equals("OK")) {
                    try {
                        stdin = new StdinPipe(ids.pid(), FileChannel.open(fifo, StandardOpenOption.WRITE),
                                stdinExecutor, process::stdinClosed);
                    } catch (IOException e) {
                        log.warn("process {}: cannot reopen its stdin {}: {}", ids.pid(), fifo, e.getMessage());
                    } finally {
                        send(ACK);
                    }
                } else {
                    log.warn("process {}: cannot reopen its stdin: {}", ids.pid(), reply.replaceFirst("^E ", ""));
                }
            }
        }
        process.started(ids, stdin, watch);
        if (monitorAlive) {
            process.statusChanged(); // it may have ended while no daemon watched
        } else {
            process.monitorGone();
        }
        return process;
    }

    /** Tells the monitor in {@code ids} to drop its write end of the fifo (see the helper's "C" request). */
    void dropStdin(RunningProcess.Ids ids) {
        if (ids == null || ids.monitorStart() < 0) {
            return;
        }
        try {
            synchronized (this) {
                String reply = request(frame(List.of("C", Long.toString(ids.monitor()),
                        Long.toString(ids.monitorStart()))));
                if (!reply.equals("OK")) {
                    log.debug("process {}: monitor {} did not take the end of stdin: {}", ids.pid(), ids.monitor(),
                            reply);
                }
            }
        } catch (NinePException e) {
            log.debug("process {}: end of stdin not passed to its monitor: {}", ids.pid(), e.getMessage());
        }
    }

    /**
     * {@code sig} to every member of the session led by {@code ids.pid()} (its cgroup, or the descendants of the
     * monitor and the group while the monitor is still that process), each through a checked pidfd; false if none is
     * left.
     */
    synchronized boolean killSession(int sig, RunningProcess.Ids ids, SessionCgroup cgroup) throws NinePException {
        long pgid = ids.pid();
        String reply = request(frame(List.of("K", Integer.toString(sig), Long.toString(pgid),
                Long.toString(ids.monitor()), cgroup == null ? "" : cgroup.dir().toString(),
                Long.toString(ids.monitorStart()))));
        if (reply.startsWith("OK")) {
            return true;
        }
        if (reply.equals("E No such process")) {
            return false;
        }
        throw new NinePException("signal " + Signals.name(sig) + " to process group " + pgid + ": "
                + (reply.startsWith("E ") ? reply.substring(2) : reply));
    }

    /**
     * Sends one request and reads its reply line. A helper found dead when writing never saw the request, so it is
     * restarted and the request sent again once; a helper that dies after taking a request is an error (a spawn may
     * or may not have happened, and must not happen twice).
     */
    private String request(byte[] frame) throws NinePException {
        try {
            send(frame);
        } catch (NinePException deadBeforeRequest) {
            send(frame);
        }
        try {
            String reply = replies.readLine();
            if (reply == null) {
                throw new IOException("it exited");
            }
            return reply;
        } catch (IOException e) {
            stopHelper();
            throw new NinePException("exec: the spawn helper failed (" + e.getMessage() + "); it is restarted on the"
                    + " next request", e);
        }
    }

    private void send(byte[] frame) throws NinePException {
        ensureHelper();
        try {
            requests.write(frame);
            requests.flush();
        } catch (IOException e) {
            stopHelper();
            throw new NinePException("exec: the spawn helper failed (" + e.getMessage() + ")", e);
        }
    }

    /** A request as the helper reads it: a 4-byte big-endian length, then NUL-terminated UTF-8 fields. */
    private static byte[] frame(List<String> fields) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.writeBytes(new byte[4]);
        for (String field : fields) {
            frame.writeBytes(field.getBytes(StandardCharsets.UTF_8));
            frame.write(0);
        }
        byte[] bytes = frame.toByteArray();
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4);
        return bytes;
    }

    private void ensureHelper() throws NinePException {
        if (closed) {
            throw new NinePException("exec: the process launcher is closed (the daemon is shutting down)");
        }
        if (helper != null) {
            return;
        }
        try {
            helper = new ProcessBuilder(binary.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new NinePException("exec: cannot start the spawn helper " + binary + ": " + e.getMessage(), e);
        }
        requests = helper.getOutputStream();
        replies = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.UTF_8));
        log.debug("spawn helper {} started as pid {}", binary, helper.pid());
    }

    private void stopHelper() {
        if (helper != null) {
            helper.destroyForcibly();
            helper = null;
            requests = null;
            replies = null;
        }
    }

    /** Stops the helper (it exits on EOF); running processes and their monitors carry on. */
    @Override
    public synchronized void close() {
        closed = true;
        if (helper != null) {
            try {
                requests.close();
            } catch (IOException ignored) {
                // it is exiting either way
            }
            helper = null;
        }
    }

    /** The helper's pid, or -1 when none runs (for tests that look for zombies). */
    synchronized long helperPid() {
        return helper == null ? -1 : helper.pid();
    }
}
