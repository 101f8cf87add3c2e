package org.gproc.daemon.session;

import org.gproc.transport.ninep.NinePException;

/**
 * What a client writes to a session before {@code exec}: argv, env, dir, plus the job id and the type, which may
 * change later. Not thread-safe on its own: every access holds the owning {@link Session}'s lock, which also knows
 * whether exec has begun.
 */
final class SessionSettings {

    private byte[] argv = new byte[0];
    private byte[] env = new byte[0];
    private String workDir = "";
    private String jobId = "";
    private Session.Type type = Session.Type.NORMAL;

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

    void writeArgv(int session, long offset, byte[] data, Limits limits) throws NinePException {
        argv = write(session, "argv", argv, offset, data, limits.maxArgvBytes(), "--max-argv");
    }

    void writeEnv(int session, long offset, byte[] data, Limits limits) throws NinePException {
        env = write(session, "env", env, offset, data, limits.maxEnvBytes(), "--max-env");
    }

    void workDir(String path) {
        workDir = path;
    }

    void jobId(String value) {
        jobId = value;
    }

    void type(Session.Type value) {
        type = value;
    }

    /** A settings file: a write at offset 0 replaces it, a later write continues it from that offset. */
    private static byte[] write(int session, String file, byte[] current, long offset, byte[] data, int limit,
                                String flag) throws NinePException {
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
