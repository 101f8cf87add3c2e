package org.gproc.daemon.attack

import org.gproc.daemon.DaemonFixture
import org.gproc.daemon.NinePFiles
import org.gproc.daemon.session.Session
import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path

/**
 * Bob's session that every attack must leave alone: {@code /bin/cat} running in a persistent session, fed and read
 * over bob's own SSH connection. {@link #assertIntact} proves it is still there, still running, its files unchanged,
 * and that it still echoes a fresh line end to end.
 */
class Victim {
    static final String ARGV = "cat -u"
    final DaemonFixture f
    final BlockingNinePClient bob
    final int session
    final long pid
    final Fid stdin
    private long stdoutOffset = 0
    private int pings = 0

    Victim(DaemonFixture f) {
        this.f = f
        bob = f.connect('bob@lab')
        def (Fid ctl, int n) = NinePFiles.clone(bob)
        session = n
        NinePFiles.writeFile(bob, "$n/argv", ARGV)
        bob.write(ctl, 0, 'type persistent\nexec /bin/cat\n'.bytes)
        stdin = bob.open(bob.walk("$n/stdin"), Message.OWRITE)
        pid = node().pid()
        assert pid > 0
        assertIntact()
    }

    Session node() {
        f.daemon.node(1).sessions().visible(session, 'bob@lab')
    }

    /** The session's fs/ on disk. */
    Path fsRoot() {
        node().fsRoot()
    }

    void assertIntact() {
        Session s = node()
        assert s != null: "bob's session ${session} is gone"
        assert s.state() == Session.State.RUNNING: "bob's session ${session} is ${s.state()}"
        assert s.pid() == pid
        assert Files.isDirectory(Path.of("/proc/$pid")): "bob's cat (pid $pid) is gone"
        assert NinePFiles.text(NinePFiles.readFile(bob, "$session/argv")) == ARGV
        String line = "ping ${++pings}\n"
        bob.write(stdin, 0, line.getBytes(StandardCharsets.UTF_8))
        Fid out = bob.open(bob.walk("$session/stdout"), Message.OREAD)
        try {
            def got = new ByteArrayOutputStream()
            while (got.size() < line.length()) { // each read waits for more of cat's echo
                got.write(bob.read(out, stdoutOffset + got.size(), line.length() - got.size()))
            }
            assert NinePFiles.text(got.toByteArray()) == line
            stdoutOffset += got.size()
        } finally {
            bob.clunk(out)
        }
    }
}
