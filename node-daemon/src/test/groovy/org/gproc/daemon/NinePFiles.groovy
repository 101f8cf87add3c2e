package org.gproc.daemon

import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException

import java.nio.charset.StandardCharsets
import java.security.MessageDigest

/**
 * The daemon's file tree as the daemon specs drive it through the transport's blocking 9P client: whole-file reads
 * and writes, clone, a push into cache/, and one run in a new session.
 */
final class NinePFiles {
    private NinePFiles() {
    }

    static String text(byte[] b) {
        new String(b, StandardCharsets.UTF_8)
    }

    static String sha256(byte[] data) {
        MessageDigest.getInstance('SHA-256').digest(data).encodeHex().toString()
    }

    /** Opens clone; returns the ctl fid and the session number. */
    static List clone(BlockingNinePClient c) {
        Fid ctl = c.open(c.walk('clone'), Message.ORDWR)
        [ctl, text(c.read(ctl, 0, 64)) as int]
    }

    static void writeFile(BlockingNinePClient c, String path, String data) {
        Fid fid = c.open(c.walk(path), Message.OWRITE)
        c.writeAll(fid, 0, data.getBytes(StandardCharsets.UTF_8))
        c.clunk(fid)
    }

    static byte[] readFile(BlockingNinePClient c, String path) {
        Fid fid = c.open(c.walk(path), Message.OREAD)
        try {
            c.readAll(fid)
        } finally {
            c.clunk(fid)
        }
    }

    /** Pushes a blob as a client does: walk cache/<hash>, and only if that fails create + write + clunk. */
    static String push(BlockingNinePClient c, byte[] data) {
        String hash = sha256(data)
        try {
            c.clunk(c.walk("cache/$hash"))
        } catch (NinePException missing) {
            Fid blob = c.create(c.walk('cache'), hash, 0444, Message.OWRITE)
            c.writeAll(blob, 0, data)
            c.clunk(blob)
        }
        hash
    }

    /** Runs argv with program in a new session; returns [session, wait text]. */
    static List run(BlockingNinePClient c, String argv, String program, String extraCtl = '') {
        def (Fid ctl, int n) = clone(c)
        writeFile(c, "$n/argv", argv)
        c.write(ctl, 0, (extraCtl + "exec $program\nclose stdin\n").bytes)
        [n, text(readFile(c, "$n/wait"))]
    }
}
