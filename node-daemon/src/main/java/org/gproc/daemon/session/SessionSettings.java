package org.gproc.daemon.session;

import org.gproc.transport.ninep.NinePException;

/**
 * What a client writes to a session before {@code exec}: argv, env, dir, plus the job id and the type, which may
 * change later. Guarded by the owning {@link Session}'s lock: whether a setting may still change depends on whether
 * exec has begun, and exec reads them all at once.
 */
final class SessionSettings {

    private final Session session;
    private byte[] argv = new byte[0];
    private byte[] env = new byte[0];
    private String workDir = "";
    private String jobId = "";
    private Session.Type type = Session.Type.NORMAL;

    SessionSettings(Session session) {
        this.session = session;
    }

    byte[] argv() {
        return argv;
    }

    byte[] env() {
        return env;
    }

    String workDir() {
        return workDir;
    }

    String jobId() {
        return jobId;
    }

    Session.Type type() {
        return type;
    }

    void writeArgv(long offset, byte[] data) throws NinePException {
        synchronized (session) {
            checkWritable("argv");
            argv = write("argv", argv, offset, data, session.node().limits().maxArgvBytes(), "--max-argv");
        }
    }

    void writeEnv(long offset, byte[] data) throws NinePException {
        synchronized (session) {
            checkWritable("env");
            env = write("env", env, offset, data, session.node().limits().maxEnvBytes(), "--max-env");
        }
    }

    void workDir(String path) throws NinePException {
        synchronized (session) {
            session.checkLive();
            if (session.execBegun()) {
                throw new NinePException("ctl: dir: session " + session.id() + " has already been exec'd");
            }
            workDir = path;
        }
    }

    void jobId(String value) throws NinePException {
        synchronized (session) {
            session.checkLive();
            jobId = value;
        }
    }

    /** A restarted daemon's: the job id its record holds. Called under the session's lock. */
    void adoptJobId(String value) {
        jobId = value;
    }

    /** A restarted daemon's: the argv file shows the launched argv (the bytes written before exec are not kept). */
    void adoptArgv(byte[] value) {
        argv = value;
    }

    /** Called under the session's lock, which also re-arms its reaper for the new type. */
    void type(Session.Type value) {
        type = value;
    }

    private void checkWritable(String file) throws NinePException {
        session.checkLive();
        if (session.execBegun()) {
            throw new NinePException(file + ": session " + session.id() + " has already been exec'd; " + file
                    + " is fixed at exec");
        }
    }

    /** A settings file: a write at offset 0 replaces it, a later write continues it from that offset. */
    private static byte[] write(String file, byte[] current, long offset, byte[] data, int limit, String flag)
            throws NinePException {
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
}
