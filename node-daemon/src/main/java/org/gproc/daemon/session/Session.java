package org.gproc.daemon.session;

import org.gproc.daemon.audit.AuditLog;
import org.gproc.daemon.proc.RunningProcess;
import org.gproc.daemon.proc.SessionCgroup;
import org.gproc.daemon.proc.Spool;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.ExitStatus;
import org.gproc.transport.xcpu.Tokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One session: a staging directory ({@code fs/}), the settings written before {@code exec} ({@link SessionSettings}),
 * at most one process, its two spools ({@link SessionOutput}) and its exit status. States: new → running → exited;
 * wiped at any point (then the session is gone from its table and every handle on it is stale). This class holds the
 * state machine; around it, {@link SessionExec} starts the process, {@link SessionReaper} times the grace period,
 * {@link SessionMembers} reaches the processes it left, {@link SessionStdin} feeds the process, {@link SessionQuota}
 * charges its files to its owner and {@link SessionStatusText} reports on it.
 *
 * <p>Lifecycle: a normal session is reaped {@code grace} after it became idle — no running process and no open fid —
 * so a control node that crashed can come back within the grace period and read everything. A persistent session is
 * never reaped; only {@code wipe} (or daemon shutdown) ends it.
 */
public final class Session {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    public enum State { NEW, RUNNING, EXITED, WIPED }

    public enum Type { NORMAL, PERSISTENT }

    /** Which output spool. */
    public enum Stream { STDOUT, STDERR }

    private final VirtualNode node;
    private final int id;
    private final String owner;
    private final int incarnation;
    private final Path dir;
    private final Instant created;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final CompletableFuture<Void> cleaned = new CompletableFuture<>();
    private final SessionOutput output = new SessionOutput(this);
    private final SessionQuota quota = new SessionQuota(this);
    private final SessionMembers members = new SessionMembers(this);
    private final SessionStdin stdin = new SessionStdin(this);

    // Everything below is guarded by "this".
    private final SessionSettings settings = new SessionSettings(this);
    private final SessionReaper reaper = new SessionReaper(this);
    private State state = State.NEW;
    private boolean starting;
    private RunningProcess process;
    private long pid;
    private List<String> launchedArgv = List.of();
    private int openFiles;
    private boolean cleanUpStarted;
    private boolean stoppingForCap;
    private String fsClosedBecause;
    private boolean exitRecorded;

    Session(VirtualNode node, int id, String owner, Path dir) {
        this(node, id, owner, dir, ThreadLocalRandom.current().nextInt(), Instant.now());
    }

    /** A session taken back from its record after a restart keeps its incarnation (and so its cgroup's name). */
    Session(VirtualNode node, int id, String owner, Path dir, int incarnation, Instant created) {
        this.node = node;
        this.id = id;
        this.owner = owner;
        this.dir = dir;
        this.incarnation = incarnation;
        this.created = created;
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

    /** The name of the session's cgroup: node, number and incarnation, so no two sessions share one. */
    String cgroupName() {
        return node.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + id + "-" + Integer.toHexString(incarnation);
    }

    /** The session's own directory: fs/, the spools, the exit status. */
    Path directory() {
        return dir;
    }

    public VirtualNode node() {
        return node;
    }

    public synchronized State state() {
        return state;
    }

    public synchronized Type type() {
        return settings.type();
    }

    public synchronized long pid() {
        return pid;
    }

    public synchronized String jobId() {
        return settings.jobId();
    }

    /** The argv the process was started with (argv[0] resolved), empty before exec. */
    public synchronized List<String> launchedArgv() {
        return launchedArgv;
    }

    public synchronized byte[] argvBytes() {
        return settings.argv().clone();
    }

    public synchronized byte[] envBytes() {
        return settings.env().clone();
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

    /** An audit event about this session, with the node and session already filled in. */
    AuditLog.Event audit(String name) {
        return node.audit(name).field("session", id);
    }

    // ---- output -------------------------------------------------------------------------------------------------

    Spool spool(Stream stream) {
        return output.spool(stream);
    }

    /** Bytes in a spool so far; 0 before exec. */
    public long spoolSize(Stream stream) {
        return output.size(stream);
    }

    /**
     * Output at {@code offset}: at most {@code count} bytes, an empty array at EOF, parked while there is nothing
     * new yet — also before exec. Cancelling the result unparks it.
     */
    public CompletableFuture<byte[]> read(Stream stream, long offset, int count) {
        synchronized (this) {
            if (state == State.WIPED) {
                return CompletableFuture.failedFuture(gone());
            }
        }
        return output.read(stream, offset, count, started);
    }

    /**
     * The text of {@code wait}: the exit status ({@code exit 0}, {@code signal 9}, {@code signal 11 core}), plus a
     * second line {@code spool capped:stdout at N bytes} if output was cut at the spool cap.
     */
    public CompletableFuture<String> waitText() {
        return SessionStatusText.waitText(this, output);
    }

    public boolean capReached(Stream stream) {
        return output.capReached(stream);
    }

    /** {@code ok} or which spools hit the cap. */
    public String spoolState() {
        return output.state();
    }

    /** See {@link SessionOutput#watchDirectory()}. */
    void watchDirectory() {
        output.watchDirectory();
    }

    // ---- the state quota (see SessionQuota) ---------------------------------------------------------------------

    /** Counts {@code bytes} an upload adds to this session's fs/; refused (nothing counted) over a quota. */
    public void charge(long bytes, String what) throws NinePException {
        quota.charge(bytes, what);
    }

    /** Gives back bytes an upload no longer holds (a failed upload removed, a file shrunk). */
    public void refund(long bytes) {
        quota.refund(bytes);
    }

    SessionQuota quota() {
        return quota;
    }

    // ---- settings written before exec ---------------------------------------------------------------------------

    /** argv as a file: a write at offset 0 replaces it, a later write continues it from that offset. */
    public void writeArgv(long offset, byte[] data) throws NinePException {
        settings.writeArgv(offset, data);
    }

    public void writeEnv(long offset, byte[] data) throws NinePException {
        settings.writeEnv(offset, data);
    }

    void setWorkDir(String path) throws NinePException {
        settings.workDir(path);
    }

    void setJobId(String value) throws NinePException {
        settings.jobId(value);
        saveRecord();
    }

    synchronized void setType(Type value) {
        settings.type(value);
        updateReaper();
        saveRecord();
    }

    /** Whether the settings are fixed: exec has begun (perhaps not finished yet) or is over. */
    synchronized boolean execBegun() {
        return state != State.NEW || starting;
    }

    private void checkLiveLocked() throws NinePException {
        if (state == State.WIPED) {
            throw gone();
        }
    }

    // ---- the process: state changes around SessionExec ----------------------------------------------------------

    /** {@code actor}, perhaps through the relay {@code via} (audited with it), execs {@code path}. */
    void exec(String actor, String via, String path) throws NinePException {
        SessionExec.exec(this, actor, via, path);
    }

    /** Marks exec as begun (refused if it already was) and returns what the settings resolve to. */
    synchronized ExecPlan beginExec(String path) throws NinePException {
        checkLiveLocked();
        if (starting || state != State.NEW) {
            throw new NinePException("ctl: exec: session " + id + " has already been exec'd"
                    + (pid != 0 ? " (pid " + pid + ")" : "") + "; a session runs one process, clone another");
        }
        starting = true;
        updateReaper();
        return new ExecPlan(fsRoot(), path, new String(settings.argv(), StandardCharsets.UTF_8),
                new String(settings.env(), StandardCharsets.UTF_8), settings.workDir());
    }

    /** The process started: it is the session's now. True if the session was wiped meanwhile (kill it). */
    synchronized boolean attach(RunningProcess started, List<String> args, Spool out, Spool err) {
        starting = false;
        process = started;
        pid = started.pid();
        launchedArgv = List.copyOf(args);
        output.attach(out, err);
        boolean wipedMeanwhile = state == State.WIPED;
        if (!wipedMeanwhile) {
            state = State.RUNNING;
        }
        if (stdin.closedLocked() || wipedMeanwhile) {
            started.closeStdin();
        }
        return wipedMeanwhile;
    }

    /** Exec failed after {@link #beginExec}: the spools made so far go, and a wipe meanwhile is finished here. */
    void abandonExec(Spool out, Spool err) {
        boolean wipedMeanwhile;
        synchronized (this) {
            starting = false;
            wipedMeanwhile = state == State.WIPED;
            updateReaper();
        }
        SessionOutput.discard(out);
        SessionOutput.discard(err);
        if (wipedMeanwhile) {
            cleanUp(); // wipe left the files to us, expecting a process whose exit would clean up
        }
    }

    /** The process to stop for a spool cap, or null if it is not running or already being stopped. */
    synchronized RunningProcess beginStopForCap() {
        if (state != State.RUNNING || stoppingForCap) {
            return null;
        }
        stoppingForCap = true;
        return process;
    }

    void exited(ExitStatus status, Throwable failure) {
        boolean logged;
        synchronized (this) {
            logged = exitRecorded;
        }
        if (!logged) { // an adopted session whose exit an earlier daemon saw has logged it
            AuditLog.Event exitEvent = audit("exit").field("owner", owner).field("pid", pid());
            if (failure == null) {
                exitEvent.field("status", status.toString()).log();
            } else {
                exitEvent.field("status", null).field("reason", String.valueOf(failure.getMessage())).log();
            }
        }
        boolean cleanup;
        synchronized (this) {
            cleanup = state == State.WIPED;
            if (!cleanup) {
                state = State.EXITED;
                if (failure == null && !exitRecorded) {
                    exitRecorded = true;
                    saveRecord(status);
                }
            }
        }
        output.finish();
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

    /** {@code actor} signals the session's processes; see {@link SessionMembers#signal}. */
    void signal(String actor, int sig, String cause) throws NinePException {
        members.signal(actor, sig, cause);
    }

    /** The process to signal; refused before exec, and after exit once nothing of the session is left. */
    synchronized RunningProcess signalTarget() throws NinePException {
        checkLiveLocked();
        if (state == State.NEW) {
            throw new NinePException("ctl: signal: session " + id + " has no process yet (write 'exec' first)");
        }
        if (state == State.EXITED && process.members().isEmpty()) {
            throw new NinePException("ctl: signal: session " + id + " has already exited (" + exitText() + ")");
        }
        return process;
    }

    synchronized RunningProcess process() {
        return process;
    }

    /** The live processes of the session: its process and everything it started, also after its process exited. */
    public List<Long> members() {
        return members.pids();
    }

    /** How many of its processes still run after its process exited: 0 while it runs or when none is left. */
    public int orphans() {
        return members.orphans();
    }

    /** The session's cgroup, or null (no cgroup v2 the daemon can manage, or not exec'd yet). */
    public SessionCgroup cgroup() {
        return members.cgroup();
    }

    // ---- the record a restarted daemon reads (see SessionRecord, SessionRecovery) --------------------------------

    /** Rewrites the session's record if it has a process that can outlive the daemon; called under this lock. */
    synchronized void saveRecord() {
        saveRecord(exitRecorded && exit.isDone() && !exit.isCompletedExceptionally() ? exit.join() : null);
    }

    private void saveRecord(ExitStatus exited) {
        if (process == null || process.ids() == null || state == State.WIPED) {
            return;
        }
        SessionCgroup cgroup = process.cgroup();
        SessionRecord record = new SessionRecord(id, incarnation, owner, created, settings.type(), settings.jobId(),
                process.ids(), cgroup == null ? null : cgroup.dir(), stdin.closedLocked(), exited, launchedArgv);
        try {
            record.write(dir);
        } catch (IOException e) {
            LOG.warn("session {} on {}: cannot write its record ({}); a restarted daemon could not take it back",
                    id, node.name(), e.getMessage());
        }
    }

    /**
     * Takes back a process an earlier daemon started ({@link SessionRecovery}): settings from the record, the
     * process, its existing spools; the exit, caps and quota are then watched as after an exec.
     */
    void adopt(SessionRecord record, RunningProcess adopted, Spool out, Spool err) {
        synchronized (this) {
            settings.type(record.type());
            settings.adoptJobId(record.job());
            settings.adoptArgv(Tokens.join(record.argv()).getBytes(StandardCharsets.UTF_8));
            exitRecorded = record.exited() != null;
            if (record.stdinClosed()) {
                stdin.markClosed();
            }
        }
        attach(adopted, record.argv(), out, err);
        started.complete(null);
    }

    // ---- stdin (see SessionStdin) -------------------------------------------------------------------------------

    /** Feeds the process's stdin; see {@link SessionStdin#write}. */
    public CompletableFuture<Integer> writeStdin(byte[] data) {
        return stdin.write(data);
    }

    void closeStdin() throws NinePException {
        stdin.close();
    }

    public void stdinOpened() {
        stdin.opened();
    }

    /** The last stdin fid going away is EOF for the process. */
    public void stdinClunked() {
        stdin.clunked();
    }

    // ---- fid accounting (drives reaping) ------------------------------------------------------------------------

    public synchronized void fileOpened() {
        openFiles++;
        updateReaper();
    }

    public synchronized void fileClosed() {
        openFiles--;
        updateReaper();
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
            reaper.cancel();
            p = process;
        }
        node.sessions().remove(this);
        NinePException wiped = new NinePException("session " + id + " was wiped");
        started.completeExceptionally(wiped);
        exit.completeExceptionally(new NinePException("wait: session " + id + " was wiped before it exited"));
        if (running) {
            if (p != null) {
                SessionMembers.killQuietly(p);
            }
            // cleanUp runs when the process is seen to exit (or exec notices the wipe and kills it)
        } else {
            cleanUp();
        }
        return cleaned;
    }

    private void cleanUp() {
        synchronized (this) {
            if (cleanUpStarted) {
                return;
            }
            cleanUpStarted = true;
            quota.close();
        }
        try {
            members.killOrphans();
            quota.refund(Long.MAX_VALUE);
            output.discard();
            node.releaseCacheReferences(fsRoot());
            FileTrees.deleteRecursively(dir);
        } finally {
            cleaned.complete(null);
        }
    }

    /** Exited, not persistent, and no fid open on it: only kept for a control node that might come back. */
    synchronized boolean finishedAndIdle() {
        return settings.type() == Type.NORMAL && !starting && openFiles == 0 && state == State.EXITED;
    }

    private void updateReaper() {
        reaper.update(settings.type() == Type.NORMAL && !starting && openFiles == 0
                && (state == State.NEW || state == State.EXITED));
    }

    String exitText() {
        return exit.isDone() && !exit.isCompletedExceptionally() ? exit.join().toString() : "exit status pending";
    }

    // ---- fs/ served over 9P -------------------------------------------------------------------------------------

    /**
     * Stops serving {@code fs/} over 9P for the rest of the session: once a process running as a mapped Unix user
     * owns it, the daemon (root) would otherwise follow paths that process can change under it.
     */
    synchronized void closeFs(String because) {
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
     * appears once the process has exited. Then, when they apply: {@code orphans=N}, the processes still running
     * after the session's own process exited; {@code limit=memory} or {@code limit=pids}, a cgroup limit was hit.
     */
    public String statusLine() {
        return SessionStatusText.statusLine(this);
    }

    @Override
    public String toString() {
        return "Session{" + id + ", owner=" + owner + "}";
    }
}
