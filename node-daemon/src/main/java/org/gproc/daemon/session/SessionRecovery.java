package org.gproc.daemon.session;

import org.gproc.daemon.proc.ProcessTable;
import org.gproc.daemon.proc.RunningProcess;
import org.gproc.daemon.proc.SessionCgroup;
import org.gproc.daemon.proc.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A daemon starting on a state dir an earlier one used takes its sessions back instead of deleting them. For each
 * directory under {@code sessions/}:
 * <ul>
 * <li>a record ({@link SessionRecord}) whose monitor still runs (the same pid and start time, named
 *     {@code gproc-monitor}) is a running session again: its spools as they are, its stdin reopened, its exit
 *     watched; if the monitor has gone, the status file it wrote says how the process ended (or, missing, that the
 *     status was lost); either way the session is exited and kept for {@code --grace} like any other;</li>
 * <li>no record and nothing but {@code fs/}: a session that was never exec'd, removed (logged);</li>
 * <li>anything else (no record beside output, a record that does not parse, a directory or record not owned by the
 *     daemon alone): reported in the log and moved to {@code <node>/unadopted/}, never deleted.</li>
 * </ul>
 * Every adopted session is owned by the principal of its record, counted in its owner's sessions and the state
 * quota, and new sessions are numbered above every directory found.
 */
final class SessionRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRecovery.class);
    private static final String MONITOR_NAME = "gproc-monitor";
    private static final int DAEMON_UID = uidOf(Path.of("/proc/self"));

    private final VirtualNode node;
    private int adopted;
    private int running;

    private SessionRecovery(VirtualNode node) {
        this.node = node;
    }

    /** Takes back what {@code sessionsDir} holds; logs one line with the counts when it held anything. */
    static void recover(VirtualNode node, Path sessionsDir) {
        long t0 = System.nanoTime();
        SessionRecovery recovery = new SessionRecovery(node);
        List<Path> dirs;
        try (Stream<Path> entries = Files.list(sessionsDir)) {
            dirs = entries.sorted().toList();
        } catch (IOException e) {
            LOG.warn("{}: cannot list {} ({}); no session taken back", node.name(), sessionsDir, e.getMessage());
            return;
        }
        for (Path dir : dirs) {
            recovery.one(dir);
        }
        if (recovery.adopted > 0) {
            LOG.info("{}: took back {} session(s) from {} ({} running) in {} ms", node.name(), recovery.adopted,
                    sessionsDir, recovery.running, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private void one(Path dir) {
        String name = dir.getFileName().toString();
        int id = SessionTable.parseId(name);
        if (id <= 0) {
            keepAside(dir, "'" + name + "' is no session number");
            return;
        }
        node.sessions().reserve(id);
        String why = privateToDaemon(dir);
        if (why != null) {
            keepAside(dir, why);
            return;
        }
        Path recordFile = dir.resolve(SessionRecord.FILE);
        if (!Files.exists(recordFile, LinkOption.NOFOLLOW_LINKS)) {
            if (neverExecd(dir)) {
                FileTrees.deleteRecursively(dir);
                LOG.info("{}: session {} was never exec'd before the restart: removed", node.name(), id);
            } else {
                keepAside(dir, "it has output but no record (an exec under way when the daemon stopped, or a"
                        + " daemon too old to write records)");
            }
            return;
        }
        SessionRecord record;
        try {
            why = privateToDaemon(recordFile);
            if (why != null) {
                keepAside(dir, why);
                return;
            }
            record = SessionRecord.parse(Files.readString(recordFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            keepAside(dir, "its record cannot be read: " + e.getMessage());
            return;
        } catch (SessionRecord.Unreadable e) {
            keepAside(dir, "its record is malformed: " + e.getMessage());
            return;
        }
        if (record.number() != id) {
            keepAside(dir, "its record is for session " + record.number());
            return;
        }
        try {
            adopt(dir, record);
        } catch (IOException | RuntimeException e) {
            keepAside(dir, "it could not be taken back: " + e.getMessage());
        }
    }

    private void adopt(Path dir, SessionRecord record) throws IOException {
        RunningProcess.Ids ids = record.ids();
        boolean monitorAlive = isMonitor(ids);
        var launcher = node.services().launcher();
        SessionCgroup cgroup = launcher.existingCgroup(record.cgroup());
        Session s = new Session(node, record.number(), record.owner(), dir, record.incarnation(), record.created());
        RunningProcess process = launcher.adopt(dir, ids, cgroup, !record.stdinClosed(), monitorAlive);
        Spool out = SessionOutput.reopen(dir.resolve("stdout"), node);
        Spool err = SessionOutput.reopen(dir.resolve("stderr"), node);
        node.sessions().adopt(s);
        s.adopt(record, process, out, err);
        SessionExec.watch(s, process, out, err);
        s.quota().adopted(FileTrees.uniqueBytes(s.fsRoot()));
        s.watchDirectory();
        adopted++;
        if (monitorAlive && s.state() == Session.State.RUNNING) {
            running++;
        }
        s.audit("adopt").field("owner", record.owner()).field("pid", ids.pid())
                .field("state", s.state().name().toLowerCase()).log();
    }

    /** Whether the record's monitor is still that very process: same pid, same start time, the monitor's name. */
    private static boolean isMonitor(RunningProcess.Ids ids) {
        ProcessTable.Identity now = ProcessTable.identity(ids.monitor());
        return now != null && now.startTicks() == ids.monitorStart() && now.name().equals(MONITOR_NAME);
    }

    /** Only fs/ in it (or nothing): a session that was cloned and never ran anything. */
    private static boolean neverExecd(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.allMatch(p -> p.getFileName().toString().equals("fs"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Null if {@code path} is the daemon's and nobody else may write it; else why it is not trusted. */
    private static String privateToDaemon(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            if (uid != DAEMON_UID) {
                return path.getFileName() + " is owned by uid " + uid + ", not gprocd's (" + DAEMON_UID + ")";
            }
            if ((mode & 0022) != 0) {
                return path.getFileName() + " may be written by others (mode " + Integer.toOctalString(mode & 07777)
                        + ")";
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot stat " + path.getFileName() + ": " + e.getMessage();
        }
    }

    /** Moves {@code dir} to {@code <node>/unadopted/} for an administrator to look at; logged. */
    private void keepAside(Path dir, String why) {
        Path aside = dir.getParent().resolveSibling("unadopted");
        try {
            Files.createDirectories(aside);
            Path target = aside.resolve(dir.getFileName().toString());
            for (int n = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
                target = aside.resolve(dir.getFileName() + "." + n);
            }
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.warn("{}: {} not taken back: {}; moved to {}", node.name(), dir, why, target);
            node.audit("adopt").field("dir", dir.toString()).refused(why).log();
        } catch (IOException e) {
            LOG.warn("{}: {} not taken back: {}; left where it is ({} cannot be moved: {})", node.name(), dir, why,
                    dir, e.getMessage());
        }
    }

    private static int uidOf(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }
}
