package org.gproc.daemon.tree

import org.gproc.daemon.proc.ProcessLauncher
import org.gproc.daemon.session.Limits
import org.gproc.daemon.session.StateQuota
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.Stat
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.security.MessageDigest

/** --state-quota and --principal-quota: uploads past them are refused and removed at once, output past them is cut. */
@Timeout(120)
class QuotaSpec extends Specification {
    static final int K = 1024
    PollingConditions conditions = new PollingConditions(timeout: 30, delay: 0.05)

    StateQuota quota = new StateQuota(200 * K, 100 * K)
    TreeFixture t = fixture(quota)

    static TreeFixture fixture(StateQuota quota) {
        new TreeFixture(Limits.DEFAULTS, ['root@lab'] as Set,
                new ProcessLauncher(TreeFixture.SHARED_DIR, TreeFixture.WATCHER), null, quota)
    }

    def cleanup() {
        t.close()
    }

    static byte[] chunk() {
        new byte[40 * K]
    }

    def "an fs/ upload within the principal's quota is written and counted"() {
        given:
        int n = t.newSession()
        def f = t.walk("$n/fs").create('data', 0644, Message.OWRITE)

        when:
        TreeFixture.await(f.write(0, chunk()))
        TreeFixture.await(f.write(40 * K, chunk()))
        f.clunk()

        then:
        Files.size(t.node.sessions().visible(n, 'alice@lab').fsRoot().resolve('data')) == 80 * K
        quota.used('alice@lab') == 80 * K
    }

    def "an fs/ upload past --principal-quota is refused naming it, and leaves nothing behind while its fid is open"() {
        given:
        int n = t.newSession()
        def path = t.node.sessions().visible(n, 'alice@lab').fsRoot().resolve('data')
        def f = t.walk("$n/fs").create('data', 0644, Message.OWRITE)
        TreeFixture.await(f.write(0, chunk()))
        TreeFixture.await(f.write(40 * K, chunk()))

        when:
        TreeFixture.await(f.write(80 * K, chunk()))

        then:
        def e = thrown(NinePException)
        e.message.contains('over the quota of 102400 bytes per principal (--principal-quota; alice@lab uses 81920)')
        !Files.exists(path)
        quota.used('alice@lab') == 0

        when: 'the same fid writes again'
        TreeFixture.await(f.write(0, 'x'.bytes))

        then:
        e = thrown(NinePException)
        e.message.contains('the file was removed when an earlier write passed a quota')
        !Files.exists(path)

        cleanup:
        f?.clunk()
    }

    def "a wstat that grows an fs/ file is counted, and one past --principal-quota is refused naming it"() {
        given:
        int n = t.newSession()
        def f = t.walk("$n/fs").create('sparse', 0644, Message.OWRITE)
        f.clunk()
        def keep = Stat.dontTouch()

        when:
        t.walk("$n/fs/sparse").wstat(new Stat(keep.type(), keep.dev(), keep.qid(), -1, -1, -1, 60L * K, '', '', '', ''))

        then:
        quota.used('alice@lab') == 60 * K

        when:
        t.walk("$n/fs/sparse").wstat(new Stat(keep.type(), keep.dev(), keep.qid(), -1, -1, -1, 120L * K, '', '', '', ''))

        then:
        def e = thrown(NinePException)
        e.message.contains("wstat '$n/fs/sparse': over the quota of 102400 bytes per principal (--principal-quota")
        Files.size(t.node.sessions().visible(n, 'alice@lab').fsRoot().resolve('sparse')) == 60 * K
        quota.used('alice@lab') == 60 * K

        when: 'a cut and a remove give the bytes back'
        t.walk("$n/fs/sparse").wstat(new Stat(keep.type(), keep.dev(), keep.qid(), -1, -1, -1, 20L * K, '', '', '', ''))
        def cut = quota.used('alice@lab')
        t.walk("$n/fs/sparse").remove()

        then:
        cut == 20 * K
        quota.used('alice@lab') == 0
    }

    def "--state-quota caps all principals together"() {
        given:
        int a = t.newSession('alice@lab')
        int b = t.newSession('bob@lab')
        def fa = t.walk("$a/fs", 'alice@lab').create('a', 0644, Message.OWRITE)
        def fb = t.walk("$b/fs", 'bob@lab').create('b', 0644, Message.OWRITE)
        def fc = t.walk("$b/fs", 'bob@lab').create('c', 0644, Message.OWRITE)
        TreeFixture.await(fa.write(0, new byte[90 * K]))
        TreeFixture.await(fb.write(0, new byte[90 * K]))

        when:
        TreeFixture.await(fc.write(0, new byte[30 * K]))

        then:
        def e = thrown(NinePException)
        e.message.contains('over the state quota of 204800 bytes (--state-quota; 184320 in use on this node)')

        cleanup:
        [fa, fb, fc]*.clunk()
    }

    def "a blob push past the quota is refused and its partial file removed at once"() {
        given:
        byte[] data = new byte[150 * K]
        String hash = MessageDigest.getInstance('SHA-256').digest(data).encodeHex().toString()
        def f = t.walk('cache').create(hash, 0444, Message.OWRITE)
        TreeFixture.await(f.write(0, Arrays.copyOf(data, 60 * K)))

        when:
        TreeFixture.await(f.write(60 * K, Arrays.copyOfRange(data, 60 * K, 150 * K)))

        then:
        def e = thrown(NinePException)
        e.message.contains('--principal-quota')
        quota.used('alice@lab') == 0
        Files.walk(t.stateDir.resolve('n1/cache')).withCloseable { s -> s.filter { Files.isRegularFile(it) }.count() } == 0

        cleanup:
        try { f?.clunk() } catch (NinePException ignored) { }
    }

    def "output past the state quota is cut and its session stopped, like at the spool cap; wipe gives the bytes back"() {
        given: 'no per-principal cap, which alice would otherwise pass first whenever the spool is seen growing in small steps'
        t.close()
        quota = new StateQuota(200 * K, 0)
        t = fixture(quota)
        int n = t.newSession()
        t.write("$n/argv", "sh -c 'head -c 10M /dev/zero; sleep 60'")
        t.write("$n/ctl", 'exec /bin/sh')

        when:
        String wait = t.read("$n/wait")

        then:
        wait.startsWith('signal 15\nspool cut:stdout at ')
        wait.contains('over the state quota of 204800 bytes (--state-quota')
        t.read("$n/ctl").contains(' spool=cut:stdout ')

        when:
        t.write("$n/ctl", 'wipe')

        then:
        conditions.eventually { assert quota.used() == 0 }
    }

    def "output within the quota is not cut"() {
        given:
        int n = t.newSession()
        t.write("$n/argv", "sh -c 'head -c 50K /dev/zero'")
        t.write("$n/ctl", 'exec /bin/sh')

        expect:
        t.read("$n/wait") == 'exit 0'
        t.read("$n/ctl").contains(' spool=ok ')
        t.read("$n/stdout").length() == 50 * K
    }
}
