package org.gproc.daemon.session;

import org.gproc.daemon.audit.AuditLog;
import org.gproc.daemon.proc.LaunchSpec;
import org.gproc.daemon.proc.RunningProcess;
import org.gproc.daemon.proc.Signals;
import org.gproc.daemon.proc.Spool;
import org.gproc.daemon.proc.SpoolWatcher;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.ExitStatus;
import org.gproc.transport.xcpu.Tokens;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One session: a staging directory ({@code fs/}), the settings written before {@code exec} (argv, env, dir, id, type),
 * at most one process, its two spools and its exit status. States: new → running → exited; wiped at any point (then
 * the session is gone from its table and every handle on it is stale).
 *
 * <p>Lifecycle: a normal session is reaped {@code grace} after it became idle — no running process and no open fid —
 * so a control node that crashed can come back within the grace period and read everything. A persistent session is
 * never reaped; only {@code wipe} (or daemon shutdown) ends it. Reaping uses the node's shared timer, never a thread
 * per session.
 */
public final class Session {

    public enum State { NEW, RUNNING, EXITED, WIPED }

    public enum Type { NORMAL, PERSISTENT }

    /** Which output spool. */
    public enum Stream { STDOUT, STDERR }

    static final int CAP_KILL_DELAY_SECONDS = 5;

    private final VirtualNode node;
    private final int id;
    private final String owner;
    private final int incarnation = ThreadLocalRandom.current().nextInt();
    private final Path dir;
    private final Instant created = Instant.now();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final CompletableFuture<Void> cleaned = new CompletableFuture<>();

    // Everything below is guarded by "this".
    private State state = State.NEW;
    private Type type = Type.NORMAL;
    private byte[] argv = new byte[0];
    private byte[] env = new byte[0];
    private String workDir = "";
    private String jobId = "";
    private boolean starting;
    private RunningProcess process;
    private long pid;
    private List<String> launchedArgv = List.of();
    private Spool stdout;
    private Spool stderr;
    private int openFiles;
    private int stdinFids;
    private boolean stdinClosed;
    private ScheduledFuture<?> reaper;
    private long reaperGeneration;
    private boolean cleanUpStarted;
    private boolean stoppingForCap;
    private String fsClosedBecause;
    private SpoolWatcher.Watch directoryWatch;

    Session(VirtualNode node, int id, String owner, Path dir) {
        this.node = node;
        this.id = id;
        this.owner = owner;
        this.dir = dir;
    }

    public int id() {
        return id;
    }

    public String owner() {
        return owner;
    }

    /** Differs between two sessions that had the same number (qid.vers of every file in the session). */
    public int incarnation() {
        return incarnation;
    }

    public Instant created() {
        return created;
    }

    public Path fsRoot() {
        return dir.resolve("fs");
    }

    public VirtualNode node() {
        return node;
    }

    public synchronized State state() {
        return state;
    }

    public synchronized Type type() {
        return type;
    }

    public synchronized long pid() {
        return pid;
    }

    public synchronized String jobId() {
        return jobId;
    }

    /** The argv the process was started with (argv[0] resolved), empty before exec. */
    public synchronized List<String> launchedArgv() {
        return launchedArgv;
    }

    public synchronized byte[] argvBytes() {
        return argv.clone();
    }

    public synchronized byte[] envBytes() {
        return env.clone();
    }

    public boolean isLive() {
        return state() != State.WIPED;
    }

    /** Throws the stale-handle error if the session was wiped or reaped. */
    public void checkLive() throws NinePException {
        if (!isLive()) {
            throw gone();
        }
    }

    NinePException gone() {
        return new NinePException("session " + id + " is gone (wiped or reaped)");
    }

    /** The exit status, completing when the process exits; fails if the session is wiped first. */
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    /** Completes when a process has been started; fails if the session is wiped first. */
    CompletableFuture<Void> started() {
        return started;
    }

    synchronized Spool spool(Stream stream) {
        return stream == Stream.STDOUT ? stdout : stderr;
    }

    /** Bytes in a spool so far; 0 before exec. */
    public long spoolSize(Stream stream) {
        Spool spool = spool(stream);
        return spool == null ? 0 : spool.size();
    }

    /**
     * Output at {@code offset}: at most {@code count} bytes, an empty array at EOF, parked while there is nothing
     * new yet — also before exec. Cancelling the result unparks it.
     */
    public CompletableFuture<byte[]> read(Stream stream, long offset, int count) {
        Spool spool;
        synchronized (this) {
            if (state == State.WIPED) {
                return CompletableFuture.failedFuture(gone());
            }
            spool = spool(stream);
        }
        if (spool != null) {
            return spool.read(offset, count);
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        started.whenComplete((ignored, failure) -> {
            if (result.isDone()) {
                return;
            }
            if (failure != null) {
                result.completeExceptionally(gone());
            } else {
                Futures.relay(spool(stream).read(offset, count), result);
            }
        });
        return result;
    }

    /**
     * The text of {@code wait}: the exit status ({@code exit 0}, {@code signal 9}, {@code signal 11 core}), plus a
     * second line {@code spool capped:stdout at N bytes} if output was cut at the spool cap.
     */
    public CompletableFuture<String> waitText() {
        return Futures.map(exit, status -> {
            String spools = spoolState();
            return spools.equals("ok") ? status.toString()
                    : status + "\nspool " + spools + " at " + node.limits().spoolCapBytes() + " bytes";
        });
    }

    public synchronized boolean capReached(Stream stream) {
        Spool spool = spool(stream);
        return spool != null && spool.capReached();
    }

    /**
     * Registers the session directory with the spool watcher now, at clone, rather than in exec: a registration
     * waits for the JDK's inotify thread, and exec is on the critical path of every run (with a spare session, the
     * clone is not). Held until clean-up; if it fails, exec registers the directory itself.
     */
    void watchDirectory() {
        try {
            SpoolWatcher.Watch watch = node.services().spoolWatcher().watch(fsRoot(), () -> { });
            synchronized (this) {
                if (!cleanUpStarted) {
                    directoryWatch = watch;
                    return;
                }
            }
            watch.close();
        } catch (IOException | RuntimeException e) {
            // exec's spools register the directory themselves
        }
    }

    // ---- settings written before exec -------------------------------------------------------------------------

    /** argv as a file: a write at offset 0 replaces it, a later write continues it from that offset. */
    public void writeArgv(long offset, byte[] data) throws NinePException {
        synchronized (this) {
            argv = writeSetting("argv", argv, offset, data, node.limits().maxArgvBytes(), "--max-argv");
        }
    }

    public void writeEnv(long offset, byte[] data) throws NinePException {
        synchronized (this) {
            env = writeSetting("env", env, offset, data, node.limits().maxEnvBytes(), "--max-env");
        }
    }

    private byte[] writeSetting(String file, byte[] current, long offset, byte[] data, int limit, String flag)
            throws NinePException {
        checkLiveLocked();
        if (state != State.NEW || starting) {
            throw new NinePException(file + ": session " + id + " has already been exec'd; " + file
                    + " is fixed at exec");
        }
        if (offset > current.length) {
            throw new NinePException(file + ": write at offset " + offset + " is past the end (" + current.length
                    + " bytes)");
        }
        long length = offset + data.length;
        if (length > limit) {
            throw new NinePException(file + ": " + length + " bytes is over the limit of " + limit + " bytes ("
                    + flag + ")");
        }
        byte[] next = new byte[(int) length];
        System.arraycopy(current, 0, next, 0, (int) offset);
        System.arraycopy(data, 0, next, (int) offset, data.length);
        return next;
    }

    synchronized void setWorkDir(String path) throws NinePException {
        checkBeforeExec("dir");
        workDir = path;
    }

    synchronized void setJobId(String value) throws NinePException {
        checkLiveLocked();
        jobId = value;
    }

    synchronized void setType(Type value) {
        type = value;
        updateReaper();
    }

    private void checkBeforeExec(String verb) throws NinePException {
        checkLiveLocked();
        if (state != State.NEW || starting) {
            throw new NinePException("ctl: " + verb + ": session " + id + " has already been exec'd");
        }
    }

    private void checkLiveLocked() throws NinePException {
        if (state == State.WIPED) {
            throw gone();
        }
    }

    // ---- the process ------------------------------------------------------------------------------------------

    /**
     * {@code actor} (the owner or an admin) starts the one process of this session; see {@link ExecPlan} for how path,
     * argv, env and dir resolve and {@link ExecChecks} for what the policy allows. Every attempt is audited.
     */
    void exec(String actor, String path) throws NinePException {
        exec(actor, (String) null, path);
    }

    /** {@link #exec(String, String)} by {@code actor} acting through the relay {@code via} (audited with it). */
    void exec(String actor, String via, String path) throws NinePException {
        AuditLog.Event event = SessionTable.viaRelay(audit("exec").field("principal", actor), via)
                .field("owner", owner).field("path", path);
        try {
            exec(path, event, actor); // logs the accepted event itself, before the exit can be logged
        } catch (ExecChecks.Refused e) {
            event.refused(e.getMessage()).log();
            throw e;
        } catch (NinePException | RuntimeException e) {
            event.field("outcome", "failed").field("reason", String.valueOf(e.getMessage())).log();
            throw e;
        }
    }

    /** An audit event about this session, with the node and session already filled in. */
    AuditLog.Event audit(String name) {
        return node.audit(name).field("session", id);
    }

    private long exec(String path, AuditLog.Event event, String actor) throws NinePException {
        ExecPlan plan;
        synchronized (this) {
            checkLiveLocked();
            if (starting || state != State.NEW) {
                throw new NinePException("ctl: exec: session " + id + " has already been exec'd"
                        + (pid != 0 ? " (pid " + pid + ")" : "") + "; a session runs one process, clone another");
            }
            starting = true;
            updateReaper();
            plan = new ExecPlan(fsRoot(), path, new String(argv, StandardCharsets.UTF_8),
                    new String(env, StandardCharsets.UTF_8), workDir);
        }
        RunningProcess started;
        Spool out = null;
        Spool err = null;
        try {
            List<String> args = plan.argv();
            event.field("argv", args);
            ExecChecks.Checked checked = ExecChecks.check(this, actor, plan, event);
            Map<String, String> fullEnv = new LinkedHashMap<>(node.env().snapshot());
            fullEnv.putAll(plan.env());
            Path wd = plan.workingDirectory();
            if (checked.runAs() != null) {
                closeFs("its process runs as unix user '" + checked.runAs().user() + "'");
                ExecChecks.handOver(fsRoot(), checked.runAs());
            }
            Path outFile = freshFile(dir.resolve("stdout"));
            Path errFile = freshFile(dir.resolve("stderr"));
            out = new Spool(outFile, node.limits().spoolCapBytes(), node.services().spoolWatcher());
            err = new Spool(errFile, node.limits().spoolCapBytes(), node.services().spoolWatcher());
            started = node.services().launcher().start(new LaunchSpec(args, fullEnv, wd, outFile, errFile,
                    checked.program(), checked.runAs(), checked.runAs() == null ? null : fsRoot()));
            boolean wipedMeanwhile;
            synchronized (this) {
                starting = false;
                process = started;
                pid = started.pid();
                launchedArgv = List.copyOf(args);
                stdout = out;
                stderr = err;
                wipedMeanwhile = state == State.WIPED;
                if (!wipedMeanwhile) {
                    state = State.RUNNING;
                }
                if (stdinClosed || wipedMeanwhile) {
                    started.closeStdin();
                }
            }
            if (wipedMeanwhile) {
                killQuietly(started);
            }
        } catch (NinePException | RuntimeException e) {
            abandonSpools(out, err);
            throw e;
        } catch (IOException e) {
            abandonSpools(out, err);
            throw new NinePException("exec: session " + id + ": cannot create the output spools: " + e.getMessage(), e);
        }
        this.started.complete(null);
        long startedPid = started.pid();
        event.field("pid", startedPid).accepted().log(); // before onExit: a process that ends at once logs exit after
        started.onExit().whenComplete(this::exited);
        out.onCapReached(this::stopForCap);
        err.onCapReached(this::stopForCap);
        return startedPid;
    }

    /**
     * A spool hit its cap: output past it is being discarded, so the process is stopped rather than left running
     * blind — SIGTERM to the group, SIGKILL {@link #CAP_KILL_DELAY_SECONDS} later if it is still there. The cap shows
     * in ctl's status line, in wait, and as an error on reads past it.
     */
    private void stopForCap() {
        RunningProcess p;
        synchronized (this) {
            if (state != State.RUNNING || stoppingForCap) {
                return;
            }
            stoppingForCap = true;
            p = process;
        }
        try {
            p.signal(15);
            audit("signal").field("principal", null).field("cause", "spool cap (--spool-cap)")
                    .field("signal", Signals.name(15)).field("pid", p.pid()).accepted().log();
        } catch (NinePException exitedMeanwhile) {
            return;
        }
        node.services().timer().schedule(() -> {
            if (state() == State.RUNNING) {
                killQuietly(p);
            }
        }, CAP_KILL_DELAY_SECONDS, TimeUnit.SECONDS);
    }

    private void abandonSpools(Spool out, Spool err) {
        boolean wipedMeanwhile;
        synchronized (this) {
            starting = false;
            wipedMeanwhile = state == State.WIPED;
            updateReaper();
        }
        discard(out);
        discard(err);
        if (wipedMeanwhile) {
            cleanUp(); // wipe left the files to us, expecting a process whose exit would clean up
        }
    }

    /** Ends a spool: parked reads are released and its file removed. */
    private static void discard(Spool spool) {
        if (spool != null) {
            spool.finish();
            try {
                spool.delete();
            } catch (RuntimeException e) {
                // the session directory is removed with the session anyway
            }
        }
    }

    private static Path freshFile(Path file) throws IOException {
        Files.deleteIfExists(file);
        return Files.createFile(file);
    }

    private void exited(ExitStatus status, Throwable failure) {
        boolean cleanup;
        Spool out;
        Spool err;
        AuditLog.Event exitEvent = audit("exit").field("owner", owner).field("pid", pid());
        if (failure == null) {
            exitEvent.field("status", status.toString()).log();
        } else {
            exitEvent.field("status", null).field("reason", String.valueOf(failure.getMessage())).log();
        }
        synchronized (this) {
            out = stdout;
            err = stderr;
            cleanup = state == State.WIPED;
            if (!cleanup) {
                state = State.EXITED;
            }
        }
        out.finish();
        err.finish();
        if (failure != null) {
            exit.completeExceptionally(new NinePException("wait: session " + id + ": exit status lost: "
                    + failure.getMessage(), failure));
        } else {
            exit.complete(status);
        }
        if (cleanup) {
            cleanUp();
        } else {
            synchronized (this) {
                updateReaper();
            }
        }
    }

    /** {@code actor} signals the process group; audited, also when refused. */
    void signal(String actor, int sig, String cause) throws NinePException {
        AuditLog.Event event = audit("signal").field("principal", actor).field("owner", owner)
                .field("signal", Signals.name(sig)).field("pid", pid());
        if (cause != null) {
            event.field("cause", cause);
        }
        try {
            signal(sig);
            event.accepted().log();
        } catch (NinePException e) {
            event.refused(e.getMessage()).log();
            throw e;
        }
    }

    void signal(int sig) throws NinePException {
        RunningProcess p;
        synchronized (this) {
            checkLiveLocked();
            if (state == State.NEW) {
                throw new NinePException("ctl: signal: session " + id + " has no process yet (write 'exec' first)");
            }
            if (state == State.EXITED) {
                throw new NinePException("ctl: signal: session " + id + " has already exited (" + exitText() + ")");
            }
            p = process;
        }
        p.signal(sig);
    }

    /**
     * Feeds the process's stdin; completes once the bytes are in the pipe, so a client waiting for its Rwrite is
     * flow-controlled by the process's reading.
     */
    public CompletableFuture<Integer> writeStdin(byte[] data) {
        RunningProcess p;
        synchronized (this) {
            NinePException refused = null;
            if (state == State.WIPED) {
                refused = gone();
            } else if (stdinClosed) {
                refused = new NinePException("stdin: session " + id + ": stdin is closed");
            } else if (process == null) {
                refused = new NinePException("stdin: session " + id + " has no process yet (write 'exec' to ctl first)");
            } else if (state == State.EXITED) {
                refused = new NinePException("stdin: session " + id + " has exited (" + exitText() + ")");
            }
            if (refused != null) {
                return CompletableFuture.failedFuture(refused);
            }
            p = process;
        }
        return p.stdinWrite(data);
    }

    void closeStdin() throws NinePException {
        RunningProcess p;
        synchronized (this) {
            checkLiveLocked();
            stdinClosed = true;
            p = process;
        }
        if (p != null) {
            p.closeStdin();
        }
    }

    // ---- fid accounting (drives reaping and stdin EOF) -----------------------------------------------------------

    public synchronized void fileOpened() {
        openFiles++;
        updateReaper();
    }

    public synchronized void fileClosed() {
        openFiles--;
        updateReaper();
    }

    public synchronized void stdinOpened() {
        stdinFids++;
    }

    /** The last stdin fid going away is EOF for the process. */
    public void stdinClunked() {
        boolean last;
        synchronized (this) {
            last = --stdinFids == 0 && state != State.WIPED;
        }
        if (last) {
            try {
                closeStdin();
            } catch (NinePException goneMeanwhile) {
                // wiped between the two locks: nothing left to close
            }
        }
    }

    // ---- wipe and reaping ---------------------------------------------------------------------------------------

    /**
     * Kills the process group if running and removes the session from its table at once; the returned future
     * completes when its files are gone (after the process has exited).
     */
    CompletableFuture<Void> wipe(String actor, String cause) {
        synchronized (this) {
            if (state == State.WIPED) {
                return cleaned;
            }
        }
        audit("wipe").field("principal", actor).field("owner", owner).field("cause", cause).field("pid", pid())
                .accepted().log();
        return wipe();
    }

    CompletableFuture<Void> wipe() {
        RunningProcess p;
        boolean running;
        synchronized (this) {
            if (state == State.WIPED) {
                return cleaned;
            }
            running = state == State.RUNNING || starting;
            state = State.WIPED;
            cancelReaper();
            p = process;
        }
        node.sessions().remove(this);
        NinePException wiped = new NinePException("session " + id + " was wiped");
        started.completeExceptionally(wiped);
        exit.completeExceptionally(new NinePException("wait: session " + id + " was wiped before it exited"));
        if (running) {
            if (p != null) {
                killQuietly(p);
            }
            // cleanUp runs when the process is seen to exit (or exec notices the wipe and kills it)
        } else {
            cleanUp();
        }
        return cleaned;
    }

    private static void killQuietly(RunningProcess p) {
        try {
            p.signal(9);
        } catch (NinePException alreadyGone) {
            // exited between our check and the signal: nothing to kill
        }
    }

    private void cleanUp() {
        Spool out;
        Spool err;
        synchronized (this) {
            if (cleanUpStarted) {
                return;
            }
            cleanUpStarted = true;
            out = stdout;
            err = stderr;
        }
        SpoolWatcher.Watch held;
        synchronized (this) {
            held = directoryWatch;
            directoryWatch = null;
        }
        try {
            discard(out);
            discard(err);
            if (held != null) {
                held.close();
            }
            node.releaseCacheReferences(fsRoot());
            FileTrees.deleteRecursively(dir);
        } finally {
            cleaned.complete(null);
        }
    }

    /** Exited, not persistent, and no fid open on it: only kept for a control node that might come back. */
    synchronized boolean finishedAndIdle() {
        return type == Type.NORMAL && !starting && openFiles == 0 && state == State.EXITED;
    }

    private void updateReaper() {
        boolean idle = type == Type.NORMAL && !starting && openFiles == 0
                && (state == State.NEW || state == State.EXITED);
        if (idle && reaper == null) {
            long generation = ++reaperGeneration;
            reaper = node.services().timer().schedule(() -> reapIfStillIdle(generation),
                    node.limits().grace().toMillis(), TimeUnit.MILLISECONDS);
        } else if (!idle) {
            cancelReaper();
        }
    }

    private void cancelReaper() {
        if (reaper != null) {
            reaper.cancel(false);
            reaper = null;
            reaperGeneration++;
        }
    }

    private void reapIfStillIdle(long generation) {
        synchronized (this) {
            if (generation != reaperGeneration) {
                return;
            }
            reaper = null;
        }
        wipe(null, "idle for --grace " + node.limits().grace().toSeconds() + " s (reaped)");
    }

    private String exitText() {
        return exit.isDone() && !exit.isCompletedExceptionally() ? exit.join().toString() : "exit status pending";
    }

    // ---- fs/ served over 9P ----------------------------------------------------------------------------------

    /**
     * Stops serving {@code fs/} over 9P for the rest of the session: once a process running as a mapped Unix user
     * owns it, the daemon (root) would otherwise follow paths that process can change under it.
     */
    private synchronized void closeFs(String because) {
        fsClosedBecause = because;
    }

    /** Throws unless fs/ may be served: the session is live and no mapped user owns fs/. */
    public void checkFsServed() throws NinePException {
        String because;
        synchronized (this) {
            checkLiveLocked();
            because = fsClosedBecause;
        }
        if (because != null) {
            throw new NinePException("fs/ of session " + id + " is closed to 9P since exec: " + because
                    + " (read its output from stdout/stderr)");
        }
    }

    // ---- status -------------------------------------------------------------------------------------------------

    /**
     * The ctl status line: {@code N pid state type=T owner=P spool=S id=J/R status='exit 0'}, where pid is 0 before
     * exec, S is {@code ok} or {@code capped:stdout}, {@code capped:stderr}, {@code capped:stdout+stderr}, and status
     * appears once the process has exited.
     */
    public String statusLine() {
        StringBuilder line = new StringBuilder();
        synchronized (this) {
            line.append(id).append(' ').append(pid).append(' ').append(state.name().toLowerCase())
                    .append(" type=").append(type.name().toLowerCase())
                    .append(" owner=").append(Tokens.quote(owner))
                    .append(" spool=").append(spoolState())
                    .append(" id=").append(Tokens.quote(jobId));
        }
        if (exit.isDone() && !exit.isCompletedExceptionally()) {
            line.append(" status=").append(Tokens.quote(exit.join().toString()));
        }
        return line.append('\n').toString();
    }

    /** {@code ok} or which spools hit the cap. */
    public synchronized String spoolState() {
        List<String> capped = new ArrayList<>(2);
        if (stdout != null && stdout.capReached()) {
            capped.add("stdout");
        }
        if (stderr != null && stderr.capReached()) {
            capped.add("stderr");
        }
        return capped.isEmpty() ? "ok" : "capped:" + String.join("+", capped);
    }

    @Override
    public String toString() {
        return "Session{" + id + ", owner=" + owner + "}";
    }
}
