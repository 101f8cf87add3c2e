package org.gproc.daemon.session;

import org.gproc.daemon.audit.AuditLog;
import org.gproc.daemon.proc.RunningProcess;
import org.gproc.daemon.proc.SessionCgroup;
import org.gproc.daemon.proc.Signals;
import org.gproc.daemon.proc.Spool;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.ExitStatus;
import org.gproc.transport.xcpu.Tokens;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One session: a staging directory ({@code fs/}), the settings written before {@code exec} ({@link SessionSettings}),
 * at most one process, its two spools ({@link SessionOutput}) and its exit status. States: new → running → exited;
 * wiped at any point (then the session is gone from its table and every handle on it is stale). This class holds the
 * state machine; {@link SessionExec} starts the process and {@link SessionReaper} times the grace period.
 *
 * <p>Lifecycle: a normal session is reaped {@code grace} after it became idle — no running process and no open fid —
 * so a control node that crashed can come back within the grace period and read everything. A persistent session is
 * never reaped; only {@code wipe} (or daemon shutdown) ends it.
 */
public final class Session {

    public enum State { NEW, RUNNING, EXITED, WIPED }

    public enum Type { NORMAL, PERSISTENT }

    /** Which output spool. */
    public enum Stream { STDOUT, STDERR }

    private final VirtualNode node;
    private final int id;
    private final String owner;
    private final int incarnation = ThreadLocalRandom.current().nextInt();
    private final Path dir;
    private final Instant created = Instant.now();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final CompletableFuture<Void> cleaned = new CompletableFuture<>();
    private final SessionOutput output = new SessionOutput(this);

    // Everything below is guarded by "this".
    private final SessionSettings settings = new SessionSettings();
    private final SessionReaper reaper = new SessionReaper(this);
    private State state = State.NEW;
    private boolean starting;
    private RunningProcess process;
    private long pid;
    private List<String> launchedArgv = List.of();
    private int openFiles;
    private int stdinFids;
    private boolean stdinClosed;
    private boolean cleanUpStarted;
    private boolean stoppingForCap;
    private String fsClosedBecause;
    private long charged;
    private final long[] spoolCharged = new long[Stream.values().length];

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
        return Futures.map(exit, status -> {
            StringBuilder text = new StringBuilder(status.toString());
            if (output.capped()) {
                text.append("\nspool capped:").append(cappedStreams()).append(" at ")
                        .append(node.limits().spoolCapBytes()).append(" bytes");
            }
            for (Stream stream : Stream.values()) {
                Spool spool = output.spool(stream);
                if (spool != null && !spool.capReached() && spool.isCut()) {
                    text.append("\nspool cut:").append(stream.name().toLowerCase()).append(' ')
                            .append(spool.cutText());
                }
            }
            SessionCgroup cgroup = cgroup();
            String limit = cgroup == null ? null : cgroup.limitHitText();
            if (limit != null) {
                text.append("\nlimit ").append(limit);
            }
            return text.toString();
        });
    }

    /** The streams that hit the cap: {@code stdout}, {@code stdout+stderr}. */
    private String cappedStreams() {
        List<String> names = new ArrayList<>(2);
        for (Stream stream : Stream.values()) {
            if (output.capReached(stream)) {
                names.add(stream.name().toLowerCase());
            }
        }
        return String.join("+", names);
    }

    public boolean capReached(Stream stream) {
        return output.capReached(stream);
    }

    /** {@code ok} or which spools hit the cap. */
    public String spoolState() {
        return output.state();
    }

    // ---- the state quota -------------------------------------------------------------------------------------

    /** Counts {@code bytes} an upload adds to this session's fs/; refused (nothing counted) over a quota. */
    public void charge(long bytes, String what) throws NinePException {
        node.services().quota().charge(owner, bytes, what);
        synchronized (this) {
            charged += bytes;
        }
    }

    /** Gives back bytes an upload no longer holds (a failed upload removed, a file shrunk). */
    public void refund(long bytes) {
        long back;
        synchronized (this) {
            back = Math.min(bytes, charged);
            charged -= back;
        }
        node.services().quota().refund(owner, back);
    }

    /** A spool grew: counted anyway (the process wrote it); past a quota the output is cut and the process stopped. */
    void spoolGrew(Stream stream, long size) {
        long delta;
        synchronized (this) {
            delta = size - spoolCharged[stream.ordinal()];
            if (delta <= 0 || cleanUpStarted) {
                return;
            }
            spoolCharged[stream.ordinal()] = size;
            charged += delta;
        }
        String over = node.services().quota().record(owner, delta);
        if (over != null) {
            Spool spool = output.spool(stream);
            spool.cut(over);
            SessionExec.stop(this, over);
        }
    }

    /** See {@link SessionOutput#watchDirectory()}. */
    void watchDirectory() {
        output.watchDirectory();
    }

    // ---- settings written before exec -------------------------------------------------------------------------

    /** argv as a file: a write at offset 0 replaces it, a later write continues it from that offset. */
    public synchronized void writeArgv(long offset, byte[] data) throws NinePException {
        checkSettingWritable("argv");
        settings.writeArgv(id, offset, data, node.limits());
    }

    public synchronized void writeEnv(long offset, byte[] data) throws NinePException {
        checkSettingWritable("env");
        settings.writeEnv(id, offset, data, node.limits());
    }

    private void checkSettingWritable(String file) throws NinePException {
        checkLiveLocked();
        if (state != State.NEW || starting) {
            throw new NinePException(file + ": session " + id + " has already been exec'd; " + file
                    + " is fixed at exec");
        }
    }

    synchronized void setWorkDir(String path) throws NinePException {
        checkBeforeExec("dir");
        settings.workDir(path);
    }

    synchronized void setJobId(String value) throws NinePException {
        checkLiveLocked();
        settings.jobId(value);
    }

    synchronized void setType(Type value) {
        settings.type(value);
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

    // ---- the process: state changes around SessionExec ------------------------------------------------------

    /** {@code actor} execs {@code path}; see {@link SessionExec}. */
    void exec(String actor, String path) throws NinePException {
        SessionExec.exec(this, actor, null, path);
    }

    /** {@link #exec(String, String)} by {@code actor} acting through the relay {@code via} (audited with it). */
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
        if (stdinClosed || wipedMeanwhile) {
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
        AuditLog.Event exitEvent = audit("exit").field("owner", owner).field("pid", pid());
        if (failure == null) {
            exitEvent.field("status", status.toString()).log();
        } else {
            exitEvent.field("status", null).field("reason", String.valueOf(failure.getMessage())).log();
        }
        boolean cleanup;
        synchronized (this) {
            cleanup = state == State.WIPED;
            if (!cleanup) {
                state = State.EXITED;
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
            p = process;
            if (state == State.EXITED && p.members().isEmpty()) {
                throw new NinePException("ctl: signal: session " + id + " has already exited (" + exitText() + ")");
            }
        }
        p.signal(sig);
    }

    /** The live processes of the session: its process and everything it started, also after its process exited. */
    public List<Long> members() {
        RunningProcess p;
        synchronized (this) {
            p = process;
        }
        return p == null ? List.of() : p.members();
    }

    /** How many of its processes still run after its process exited: 0 while it runs or when none is left. */
    public int orphans() {
        return state() == State.EXITED ? members().size() : 0;
    }

    /** The session's cgroup, or null (no cgroup v2 the daemon can manage, or not exec'd yet). */
    public SessionCgroup cgroup() {
        RunningProcess p;
        synchronized (this) {
            p = process;
        }
        return p == null ? null : p.cgroup();
    }

    static void killQuietly(RunningProcess p) {
        try {
            p.signal(9);
        } catch (NinePException alreadyGone) {
            // exited between our check and the signal: nothing to kill
        }
    }

    // ---- stdin --------------------------------------------------------------------------------------------------

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
            reaper.cancel();
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

    /** What the session's process left behind: killed, and the cgroup removed once they are gone. */
    private void killOrphans() {
        RunningProcess p;
        synchronized (this) {
            p = process;
        }
        if (p == null) {
            return;
        }
        if (!p.members().isEmpty()) {
            killQuietly(p);
        }
        SessionCgroup cgroup = p.cgroup();
        if (cgroup != null) {
            SessionCgroups.removeWhenEmpty(cgroup, node.services().timer());
        }
    }

    private void cleanUp() {
        synchronized (this) {
            if (cleanUpStarted) {
                return;
            }
            cleanUpStarted = true;
        }
        try {
            killOrphans();
            refund(Long.MAX_VALUE);
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

    private String exitText() {
        return exit.isDone() && !exit.isCompletedExceptionally() ? exit.join().toString() : "exit status pending";
    }

    // ---- fs/ served over 9P ----------------------------------------------------------------------------------

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
        StringBuilder line = new StringBuilder();
        synchronized (this) {
            line.append(id).append(' ').append(pid).append(' ').append(state.name().toLowerCase())
                    .append(" type=").append(settings.type().name().toLowerCase())
                    .append(" owner=").append(Tokens.quote(owner))
                    .append(" spool=").append(spoolState())
                    .append(" id=").append(Tokens.quote(jobId()));
        }
        if (exit.isDone() && !exit.isCompletedExceptionally()) {
            line.append(" status=").append(Tokens.quote(exit.join().toString()));
        }
        int orphans = orphans();
        if (orphans > 0) {
            line.append(" orphans=").append(orphans);
        }
        SessionCgroup cgroup = cgroup();
        String limit = cgroup == null ? null : cgroup.limitHit();
        if (limit != null) {
            line.append(" limit=").append(limit);
        }
        return line.append('\n').toString();
    }

    @Override
    public String toString() {
        return "Session{" + id + ", owner=" + owner + "}";
    }
}
