package org.gproc.daemon.tree

import org.gproc.daemon.proc.Cgroups
import org.gproc.daemon.proc.ProcessLauncher
import org.gproc.daemon.session.Limits
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.xcpu.NodeState
import org.gproc.transport.xcpu.ProcsLine
import spock.lang.Specification
import spock.lang.Timeout
import spock.lang.Unroll
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.ThreadLocalRandom

/**
 * Every process a session starts stays the session's: background children, double forks and setsid escapes are
 * listed in procs, reached by signal, wipe, reaping and shutdown, and a session whose process exited while others
 * run says so. Each case runs twice: with a cgroup per session (this machine's cgroup2 mount) and with the spawn
 * helper's subreaper alone.
 */
@Timeout(180)
class ContainmentSpec extends Specification {
    PollingConditions conditions = new PollingConditions(timeout: 30, delay: 0.1)

    static TreeFixture fixture(String containment, Limits limits = Limits.DEFAULTS) {
        Path state = Files.createTempDirectory('gproc-contain')
        Cgroups cgroups = containment == 'cgroup' ? Cgroups.detect(state, 0, 0).cgroups() : null
        assert containment != 'cgroup' || cgroups != null: 'this machine has a cgroup2 mount the tests may use'
        new TreeFixture(limits, ['root@lab'] as Set,
                new ProcessLauncher(TreeFixture.SHARED_DIR, TreeFixture.WATCHER, cgroups))
    }

    /** A sleep duration no other test uses, to find its processes by argv. */
    static String marker() {
        (100000 + ThreadLocalRandom.current().nextInt(800000)).toString()
    }

    /** Pids of live processes whose argv is exactly {@code sleep <seconds>}. */
    static List<Long> sleepers(String seconds) {
        List<Long> found = []
        Files.list(Path.of('/proc')).withCloseable { dirs ->
            dirs.filter { it.fileName.toString() ==~ /\d+/ }.each { dir ->
                try {
                    String cmd = new String(Files.readAllBytes(dir.resolve('cmdline'))).replace('\0', ' ').trim()
                    String state = Files.readString(dir.resolve('stat')).with { it.substring(it.lastIndexOf(')') + 2, it.lastIndexOf(')') + 3) }
                    if (cmd == "sleep $seconds" && state != 'Z') {
                        found << (dir.fileName.toString() as long)
                    }
                } catch (IOException gone) {
                }
            }
        }
        found
    }

    int run(TreeFixture t, String script) {
        int n = t.newSession()
        t.write("$n/argv", "sh -c '$script'")
        t.write("$n/ctl", 'exec /bin/sh')
        n
    }

    List<ProcsLine> procs(TreeFixture t, int n) {
        t.read('procs').readLines().collect { ProcsLine.parse(it) }.findAll { it.session() == n }
    }

    @Unroll("#containment: a background child outlives its shell: ctl says orphans=1, procs lists it as orphan, kill reaches it")
    def "a background child outlives its shell and stays in the session"() {
        given:
        TreeFixture t = fixture(containment)
        String m = marker()

        when:
        int n = run(t, "sleep $m & echo started")
        t.read("$n/wait")

        then:
        t.read("$n/wait") == 'exit 0'
        conditions.eventually {
            assert t.read("$n/ctl").contains(' exited ') && t.read("$n/ctl").contains(' orphans=1')
        }
        procs(t, n).find { it.argv() == ['sleep', m] }.state() == 'orphan'
        sleepers(m).size() == 1

        when:
        t.write("$n/ctl", 'kill')

        then:
        conditions.eventually {
            assert sleepers(m).isEmpty()
            assert !t.read("$n/ctl").contains('orphans=')
        }

        cleanup:
        t?.close()

        where:
        containment << ['cgroup', 'subreaper']
    }

    @Unroll("#containment: a session whose process exited and left nothing refuses a signal")
    def "a signal to a session with nothing left running is refused"() {
        given:
        TreeFixture t = fixture(containment)

        when:
        int n = run(t, 'exit 0')
        t.read("$n/wait")
        conditions.eventually { assert t.read("$n/ctl").contains(' exited ') }
        t.write("$n/ctl", 'kill')

        then:
        NinePException e = thrown()
        e.message.contains("session $n has already exited (exit 0)")
        procs(t, n)*.state() == ['exited']

        cleanup:
        t?.close()

        where:
        containment << ['cgroup', 'subreaper']
    }

    @Unroll("#containment: double forks and setsid escapes are listed and none survives wipe")
    def "double forks and setsid escapes are listed while they run and none survives wipe"() {
        given:
        TreeFixture t = fixture(containment)
        String m = marker()

        when:
        int n = run(t, "(sleep $m &) ; (setsid sleep $m &) ; setsid sh -c \"sleep $m & sleep $m\" & sleep $m")
        conditions.eventually { assert sleepers(m).size() == 5 }

        then:
        procs(t, n).findAll { it.argv() == ['sleep', m] }.size() == 5
        procs(t, n).findAll { it.argv() == ['sleep', m] }*.state().every { it == 'child' }

        when:
        t.write("$n/ctl", 'wipe')

        then:
        conditions.eventually { assert sleepers(m).isEmpty() }

        cleanup:
        t?.close()

        where:
        containment << ['cgroup', 'subreaper']
    }

    @Unroll("#containment: grace reaping and daemon shutdown reach escaped processes")
    def "grace reaping and shutdown reach what escaped"() {
        given:
        TreeFixture t = fixture(containment, Limits.DEFAULTS.withGrace(Duration.ofMillis(300)))
        String reaped = marker()
        String shutdown = marker()

        when:
        int a = run(t, "setsid sleep $reaped & exit 3")
        t.write("${t.newSession()}/ctl", 'type persistent')
        int b = t.newSession()
        t.write("$b/ctl", 'type persistent')
        t.write("$b/argv", "sh -c '(setsid sleep $shutdown &); sleep $shutdown'")
        t.write("$b/ctl", 'exec /bin/sh')
        conditions.eventually { assert sleepers(shutdown).size() == 2 }

        then: 'session a is reaped after its grace period, with its escaped sleep'
        conditions.eventually {
            assert !t.node.sessions().exists(a)
            assert sleepers(reaped).isEmpty()
        }
        sleepers(shutdown).size() == 2

        when: 'the node shuts down'
        t.node.terminate()
        t.node.wipeAll()

        then:
        conditions.eventually { assert sleepers(shutdown).isEmpty() }

        cleanup:
        t?.close()

        where:
        containment << ['cgroup', 'subreaper']
    }

    def "with cgroups a session's processes are in its own cgroup, which is removed when the session ends"() {
        given:
        TreeFixture t = fixture('cgroup')
        String m = marker()

        when:
        int n = run(t, "setsid sleep $m & sleep $m")
        conditions.eventually { assert sleepers(m).size() == 2 }
        def cgroup = t.node.sessions().visible(n, 'alice@lab').cgroup()

        then:
        cgroup != null
        cgroup.dir().startsWith(t.launcher.cgroups().base())
        cgroup.procs().containsAll(sleepers(m))
        NodeState.parse(t.read('state')).usage().find { it.session() == n }.processes() == 3 // sh and two sleeps
        procs(t, n).size() == 3

        when:
        t.write("$n/ctl", 'wipe')

        then:
        conditions.eventually { assert !Files.exists(cgroup.dir()) }
        sleepers(m).isEmpty()

        cleanup:
        t?.close()
    }

    def "without cgroups, state has no session lines"() {
        given:
        TreeFixture t = fixture('subreaper')

        when:
        int n = run(t, "sleep 30")

        then:
        NodeState.parse(t.read('state')).usage().isEmpty()
        t.node.sessions().visible(n, 'alice@lab').cgroup() == null

        cleanup:
        t?.close()
    }

    def "a session limit on a machine without that controller is refused with the flag and the controller named"() {
        when:
        Cgroups.detect(Files.createTempDirectory('gproc-contain'), 64L << 20, 0)

        then:
        IOException e = thrown()
        e.message.startsWith('--session-memory: ')
        e.message.contains('memory controller is not available') || e.message.contains('need a cgroup v2')
    }
}
