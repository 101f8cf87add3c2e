package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.ExitStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** A process started through the native helper: its monitor writes the exit status file the watcher reports. */
final class NativeProcess extends LaunchedProcess {

    private static final Logger log = LoggerFactory.getLogger(NativeProcess.class);

    private final NativeSpawner spawner;
    private final Path statusFile;
    private volatile long pid = -1;
    private volatile long monitor = -1;
    private volatile Ids ids;
    private final SessionCgroup cgroup;
    private volatile SpoolWatcher.Watch watch;
    private boolean early;

    NativeProcess(NativeSpawner spawner, Path statusFile, SessionCgroup cgroup) {
        this.spawner = spawner;
        this.statusFile = statusFile;
        this.cgroup = cgroup;
    }

    /** The helper said the process runs; looks at the status file now only if the watcher already called. */
    void started(Ids ids, StdinPipe stdin, SpoolWatcher.Watch watch) {
        boolean calledEarly;
        synchronized (this) {
            attachStdin(stdin);
            this.watch = watch;
            this.ids = ids;
            this.monitor = ids.monitor();
            this.pid = ids.pid();
            calledEarly = early;
        }
        if (calledEarly) {
            statusChanged();
        }
    }

    /** The watcher's call: the status file may exist now. */
    void statusChanged() {
        synchronized (this) {
            if (pid < 0) {
                early = true;
                return;
            }
        }
        if (hasExited()) {
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
        exited(status);
    }

    /**
     * For an adopted process whose monitor is gone: if it left no status file by now, it never will (the monitor writes
     * the status before it exits), so the exit is lost.
     */
    void monitorGone() {
        statusChanged();
        if (!hasExited()) {
            watch.close();
            lost("exit status lost: its monitor (pid " + monitor + ") was killed while no daemon ran");
        }
    }

    /** The daemon closed its end of stdin: the monitor drops its own, so the command sees EOF. */
    void stdinClosed() {
        spawner.dropStdin(ids);
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public Ids ids() {
        return ids;
    }

    @Override
    public SessionCgroup cgroup() {
        return cgroup;
    }

    @Override
    public List<Long> members() {
        if (pid < 0) {
            return List.of();
        }
        if (cgroup != null) {
            return cgroup.procs();
        }
        return monitorIsOurs() ? ProcessTable.members(monitor, pid) : List.of();
    }

    /**
     * Without a cgroup, the members are the monitor's descendants and the command's process group, which means
     * something only while the monitor lives: it reaps every member before it exits, so once it is gone none is left,
     * and its pid, or the group's, may by then be another process's.
     */
    private boolean monitorIsOurs() {
        Ids known = ids;
        return known == null || known.monitorStart() < 0 || ProcessTable.isSame(known.monitor(), known.monitorStart());
    }

    /** The monitor's pid: the members' subreaper. */
    long monitor() {
        return monitor;
    }

    @Override
    void deliver(int sig) throws NinePException {
        if ((cgroup == null && !monitorIsOurs()) || !spawner.killSession(sig, ids, cgroup)) {
            statusChanged();
            checkRunning();
            throw new NinePException("signal: process " + pid + " is gone but left no exit status (its monitor was"
                    + " killed)");
        }
    }
}
