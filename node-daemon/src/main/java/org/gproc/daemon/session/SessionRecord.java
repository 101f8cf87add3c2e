package org.gproc.daemon.session;

import org.gproc.daemon.proc.RunningProcess;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.ExitStatus;
import org.gproc.transport.xcpu.Principal;
import org.gproc.transport.xcpu.Tokens;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a restarted daemon needs to take a session back, as the small text file {@code session} in the session's
 * directory: one {@code key value} line each, the argv last (it may hold newlines inside quotes). Nothing secret: the
 * environment is not kept. Written whenever one of these changes (exec, type, job id, stdin closed, exit), to a
 * temporary file renamed over the old one, so a daemon killed at any moment leaves the old record or the new one,
 * never half of one. No fsync: the record has to outlive the daemon, not the machine (the processes do not either).
 * <pre>
 * gproc-session 1
 * number 7
 * incarnation 5f3a09c1
 * owner alice@lab
 * created 1764644000123
 * type normal
 * job 'j1/0'
 * process 41234 9911823 41233 9911822
 * cgroup /sys/fs/cgroup/.../gprocd-0a1b2c3d4e5f/n1-7-5f3a09c1
 * stdin open
 * state running
 * argv /bin/sh -c 'echo hi'
 * </pre>
 * {@code process} is pid, its start time, the monitor's pid and its start time (see {@link RunningProcess.Ids});
 * {@code cgroup} is {@code -} without one; {@code state} is {@code running} or {@code exited 'exit 0'} once the daemon
 * saw the exit.
 */
record SessionRecord(int number, int incarnation, String owner, Instant created, Session.Type type, String job,
                     RunningProcess.Ids ids, Path cgroup, boolean stdinClosed, ExitStatus exited, List<String> argv) {

    static final String FILE = "session";
    private static final String MAGIC = "gproc-session 1";

    /** The record as its file holds it. */
    String format() {
        return MAGIC + "\n"
                + "number " + number + "\n"
                + "incarnation " + Integer.toHexString(incarnation) + "\n"
                + "owner " + owner + "\n"
                + "created " + created.toEpochMilli() + "\n"
                + "type " + type.name().toLowerCase() + "\n"
                + "job " + Tokens.quote(job) + "\n"
                + "process " + ids.pid() + " " + ids.pidStart() + " " + ids.monitor() + " " + ids.monitorStart() + "\n"
                + "cgroup " + (cgroup == null ? "-" : Tokens.quote(cgroup.toString())) + "\n"
                + "stdin " + (stdinClosed ? "closed" : "open") + "\n"
                + "state " + (exited == null ? "running" : "exited " + Tokens.quote(exited.toString())) + "\n"
                + "argv " + Tokens.join(argv) + "\n";
    }

    /** Writes the record into {@code dir} atomically (temporary file, then rename), 0600. */
    void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, format(), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A record file that cannot be taken back, with the reason (it names the line and the rule). */
    static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message);
        }
    }

    /** Reads a record's text; anything but exactly the format above is refused with the culprit. */
    static SessionRecord parse(String text) throws Unreadable {
        if (!text.startsWith(MAGIC + "\n")) {
            throw new Unreadable("its first line is not '" + MAGIC + "'");
        }
        int argvAt = text.indexOf("\nargv ");
        if (argvAt < 0) {
            throw new Unreadable("no argv line");
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : text.substring(MAGIC.length() + 1, argvAt + 1).split("\n")) {
            int space = line.indexOf(' ');
            if (space <= 0 || fields.put(line.substring(0, space), line.substring(space + 1)) != null) {
                throw new Unreadable("line " + Tokens.shown(line) + " is not one 'key value' line of its own");
            }
        }
        try {
            int number = SessionTable.parseId(field(fields, "number"));
            if (number <= 0) {
                throw new Unreadable("number " + Tokens.shown(fields.get("number")) + " is no session number");
            }
            String owner = field(fields, "owner");
            if (!Principal.isValid(owner)) {
                throw new Unreadable("owner " + Tokens.shown(owner) + ": " + Principal.RULE);
            }
            String[] p = field(fields, "process").split(" ");
            if (p.length != 4) {
                throw new Unreadable("process line needs pid, start, monitor pid, start");
            }
            RunningProcess.Ids ids = new RunningProcess.Ids(positive(p[0]), Long.parseLong(p[1]), positive(p[2]),
                    Long.parseLong(p[3]));
            String cgroupText = field(fields, "cgroup");
            Path cgroup = cgroupText.equals("-") ? null : Path.of(single("cgroup", cgroupText));
            String stdin = field(fields, "stdin");
            if (!stdin.equals("open") && !stdin.equals("closed")) {
                throw new Unreadable("stdin " + Tokens.shown(stdin) + " is neither open nor closed");
            }
            String state = field(fields, "state");
            ExitStatus exited = null;
            if (state.startsWith("exited ")) {
                exited = ExitStatus.parse(single("state", state.substring(7)));
            } else if (!state.equals("running")) {
                throw new Unreadable("state " + Tokens.shown(state) + " is neither running nor exited");
            }
            List<String> argv = Tokens.tokenize("argv", text.substring(argvAt + 6));
            if (argv.isEmpty()) {
                throw new Unreadable("empty argv");
            }
            return new SessionRecord(number, Integer.parseUnsignedInt(field(fields, "incarnation"), 16), owner,
                    Instant.ofEpochMilli(Long.parseLong(field(fields, "created"))),
                    Session.Type.valueOf(field(fields, "type").toUpperCase()), single("job", field(fields, "job")),
                    ids, cgroup, stdin.equals("closed"), exited, argv);
        } catch (NumberFormatException e) {
            throw new Unreadable("a number is malformed (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new Unreadable("type " + Tokens.shown(fields.get("type")) + " is neither normal nor persistent");
        } catch (NinePException e) {
            throw new Unreadable(e.getMessage());
        }
    }

    private static String field(Map<String, String> fields, String key) throws Unreadable {
        String value = fields.get(key);
        if (value == null) {
            throw new Unreadable("no " + key + " line");
        }
        return value;
    }

    private static String single(String key, String text) throws Unreadable, NinePException {
        List<String> tokens = Tokens.tokenize(key, text);
        if (tokens.size() > 1) {
            throw new Unreadable(key + " " + Tokens.shown(text) + " is not one token");
        }
        return tokens.isEmpty() ? "" : tokens.get(0);
    }

    private static long positive(String text) throws Unreadable {
        long n = Long.parseLong(text);
        if (n <= 1) {
            throw new Unreadable("pid " + n + " cannot be a session's process or monitor");
        }
        return n;
    }
}
