package org.gproc.daemon.tree

import org.gproc.daemon.proc.ProcessLauncher
import org.gproc.daemon.session.Limits
import org.gproc.daemon.session.Session
import org.gproc.transport.ninep.NinePException
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * A state dir on a small tmpfs (the tests run as root and mount it; it is unmounted afterwards): a process that fills
 * it still has its exit status recorded, wait answers, and the lost output is reported like the spool cap.
 */
@Timeout(120)
class DiskFullSpec extends Specification {
    Path mount
    TreeFixture t

    def setup() {
        mount = Files.createTempDirectory('gproc-full')
        def mounted = ['mount', '-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount.toString()].execute()
        assert mounted.waitFor() == 0: mounted.err.text
        t = new TreeFixture(Limits.DEFAULTS, ['root@lab'] as Set,
                new ProcessLauncher(TreeFixture.SHARED_DIR, TreeFixture.WATCHER), mount.resolve('state'))
    }

    def cleanup() {
        t?.close()
        ['umount', mount.toString()].execute().waitFor()
        Files.deleteIfExists(mount)
    }

    int run(String script) {
        int n = t.newSession()
        t.write("$n/argv", "sh -c '$script'")
        t.write("$n/ctl", 'exec /bin/sh')
        n
    }

    long usable() {
        Files.getFileStore(mount).usableSpace
    }

    def "a process that fills the disk exits with its status recorded; ctl, wait and a read past the cut say the output was cut"() {
        when:
        int n = run('head -c 10M /dev/zero; echo more >&2; exit 4')
        String wait = t.read("$n/wait")

        then:
        wait.startsWith('exit 4\nspool cut:stdout at ')
        wait.contains(' bytes: the file system of the state dir is full (ENOSPC)')
        t.read("$n/ctl") =~ / exited .*spool=cut:stdout/

        when:
        long size = t.node.sessions().visible(n, 'alice@lab').spoolSize(Session.Stream.STDOUT)
        def out = t.open("$n/stdout")
        TreeFixture.await(out.read(size, 100))

        then:
        def e = thrown(NinePException)
        e.message == "stdout: output cut at $size bytes: the file system of the state dir is full (ENOSPC)"
        size > 0

        when: 'wipe frees the space'
        out.clunk()
        t.write("$n/ctl", 'wipe')

        then:
        usable() > 3L << 20
    }

    def "the same job with room to spare ends in plain EOF and spool=ok"() {
        when:
        int n = run('head -c 100K /dev/zero; exit 4')

        then:
        t.read("$n/wait") == 'exit 4'
        t.read("$n/ctl") =~ / exited .*spool=ok/
        t.read("$n/stdout").length() == 100 * 1024
    }

    def "on a disk already full, exec is refused with the reason instead of running a process whose status could be lost"() {
        given:
        int n = t.newSession()
        t.write("$n/argv", 'true')
        ['sh', '-c', "head -c 10M /dev/zero > ${mount.resolve('filler')}"].execute().waitFor()

        when:
        t.write("$n/ctl", 'exec /bin/true')

        then:
        def e = thrown(NinePException)
        e.message.contains('No space left on device')

        cleanup:
        Files.deleteIfExists(mount.resolve('filler'))
    }
}
