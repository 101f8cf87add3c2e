package org.gproc.client

import org.gproc.daemon.GprocDaemon
import org.gproc.transport.ssh.Keys
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicLong

/** The client API end to end against real daemons over real SSH on loopback. */
@Timeout(120)
class ClusterSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared @AutoCleanup GprocDaemon daemon
    @Shared @AutoCleanup Cluster cluster
    @Shared Inventory inventory
    @Shared Path identity
    @Shared Counting counting = new Counting()

    /** The spec's own counts, through the listener a cluster is given. */
    static class Counting implements ClusterListener {
        final AtomicLong pushedBytes = new AtomicLong()
        final Set<String> started = ConcurrentHashMap.newKeySet()
        final Set<String> ended = ConcurrentHashMap.newKeySet()

        @Override
        void pushed(String node, Path file, long bytes) { pushedBytes.addAndGet(bytes) }

        @Override
        void started(RemoteProcess p) { started << "${p.node()}:${p.session()}".toString() }

        @Override
        void ended(RemoteProcess p) { ended << "${p.node()}:${p.session()}".toString() }
    }

    def setupSpec() {
        identity = dir.resolve('id_ed25519')
        def user = Keys.loadOrGenerate(identity, 'alice@lab')
        Path authorized = dir.resolve('authorized_keys')
        Files.writeString(authorized, Keys.publicKeyLine(user.public) + ' alice@lab\n')
        daemon = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('host_key'))
                .authorizedKeys(authorized).stateDir(dir.resolve('state')).instances(4).start()
        inventory = Inventory.load(daemon.writeInventory(dir.resolve('cluster.groovy'))).withIdentity(identity)
        cluster = Cluster.connect(inventory, ClusterOptions.defaults().withListener(counting))
    }

    def "the canonical line pushes /bin/date to every node and each prints the date"() {
        given:
        def capture = cluster.tracker.capture()

        when:
        cluster.nodes.each { it.push('/bin/date').run() }
        def started = capture.started()
        started*.waitFor()

        then:
        started*.node().sort() == ['n1', 'n2', 'n3', 'n4']
        started.every { it.exitValue() == 0 && it.exitStatus().get() == 'exit 0' }
        started.every { it.text =~ /\d\d:\d\d:\d\d/ }

        cleanup:
        capture?.close()
    }

    def "a second push of the same binary sends no bytes"() {
        given:
        Path script = dir.resolve('hello.sh')
        Files.writeString(script, '#!/bin/sh\necho hello from $(hostname) $1\n')
        script.toFile().setExecutable(true)

        when:
        long before = counting.pushedBytes.get()
        cluster.nodes.push(script).args('one').run().waitFor()
        long first = counting.pushedBytes.get() - before
        def job = cluster.nodes.push(script).args('two').run().waitFor()
        long second = counting.pushedBytes.get() - before - first

        then:
        first == 4 * Files.size(script)
        second == 0
        job.succeeded.size() == 4
        job.processes.every { it.text.trim().endsWith('two') }
    }

    def "the cluster's listener is told of every process that starts and ends"() {
        when:
        def job = cluster.nodes.run('/bin/true').waitFor()
        def ids = job.processes.collect { "${it.node()}:${it.session()}".toString() }

        then:
        ids.size() == 4
        counting.started.containsAll(ids)
        counting.ended.containsAll(ids)
    }

    def "a cluster listener is not told of another cluster's processes"() {
        given:
        def other = new Counting()
        def second = Cluster.connect(inventory, ClusterOptions.defaults().withListener(other))

        when:
        def job = cluster.nodes['n1'].run('/bin/true').waitFor()
        def id = "${job.processes[0].node()}:${job.processes[0].session()}".toString()

        then:
        counting.ended.contains(id)
        !other.ended.contains(id)
        other.started.isEmpty()

        cleanup:
        second?.close()
    }

    def "a closed cluster leaves no timer or stdin thread behind"() {
        given:
        Path input = dir.resolve('input.txt')
        Files.writeString(input, 'x\n')
        def engineThreads = { Thread.allStackTraces.keySet().findAll { it.name in ['gproc-timeouts', 'gproc-stdin'] } }
        def before = engineThreads()
        def closing = Cluster.connect(inventory, ClusterOptions.defaults())
        def p = closing.node('n1').command('/bin/cat').stdin(input).timeout(Duration.ofMinutes(5)).run()
        p.waitFor()
        def mine = engineThreads() - before

        when:
        closing.close()

        then:
        p.text == 'x\n'
        mine*.name.toSet() == ['gproc-timeouts', 'gproc-stdin'] as Set
        new PollingConditions(timeout: 30).eventually {
            assert mine.every { !it.alive }
        }
    }

    def "pushing a file that does not exist names it"() {
        when:
        cluster.nodes.push(dir.resolve('no-such-binary'))

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains('no-such-binary')
    }

    def "every exit code is kept and failures are a node set that can run again"() {
        when:
        def job = cluster.nodes['n[1-2]'].run('/bin/sh', '-c', 'exit 7').waitFor()

        then:
        job.exitCodes == [n1: 7, n2: 7]
        job.failed.toString() == 'n[1-2]'
        job.succeeded.isEmpty()
        job.statuses.n1 == 'exit 7'

        when: 'the failed set runs something else'
        def again = job.failed.run('/bin/true').waitFor()

        then:
        again.succeeded.toString() == 'n[1-2]'
    }

    def "a waitFor deadline returns partial results"() {
        given: 'exactly one node (the first to create the flag directory) sleeps'
        Path flag = dir.resolve('slow-flag')

        when:
        def job = cluster.nodes.run('/bin/sh', '-c', "mkdir '$flag' 2>/dev/null && sleep 60; exit 0")
        new PollingConditions(timeout: 60).eventually { assert job.exitCodes.size() == 3 }
        boolean done = job.waitFor(Duration.ofMillis(200))

        then:
        !done
        job.timedOut.size() == 1
        job.running == job.timedOut
        job.succeeded.size() == 3
        job.exitCodes.size() == 3

        cleanup:
        job?.kill('KILL')
    }

    def "the launch timeout ends a process and marks it timed out"() {
        when:
        def job = cluster.nodes['n3'].command('/bin/sleep').args(60).timeout(1).run()
        job.waitFor(Duration.ofSeconds(30))

        then:
        job.timedOut.toString() == 'n3'
        job.statuses.n3 == 'signal 15 (timed out)'
        job.failed.isEmpty()
    }

    def "identical outputs fold under their node set"() {
        when:
        def groups = cluster.nodes.run('/bin/echo', 'same').byOutput()

        then:
        groups.size() == 1
        groups.keySet().first().toString() == 'n[1-4]'
        groups.values().first() == 'same\n'
    }

    def "kill signals every process of a job"() {
        given:
        def job = cluster.nodes.run('/bin/sleep', '300')
        job.processes*.pid()

        when:
        job.kill('INT')
        boolean ended = job.waitFor(Duration.ofSeconds(30))

        then:
        ended
        job.processes.every { it.exitSignal().get() == 2 }
        job.failed.size() == 4
    }

    def "ps lists a running session and kill by node:session ends it"() {
        given:
        def p = cluster.nodes.n2.run('/bin/sleep', '300')
        p.pid()

        when:
        def row = cluster.ps().find { it.node == 'n2' && it.session == p.session() }

        then:
        row != null
        row.pid == p.pid()
        row.argv.contains('sleep')

        when:
        row.kill('TERM')

        then:
        p.waitFor(Duration.ofSeconds(30))
        p.exitStatus().get() == 'signal 15'
    }

    def "kill of a malformed or unknown target is refused with the reason"() {
        when:
        cluster.kill(target, 'TERM')

        then:
        def e = thrown(RuntimeException)
        e.message.contains(part)

        where:
        target     | part
        'n1'       | 'NODE:SESSION'
        'n1:x'     | "session 'x'"
        'n9:1'     | "no node 'n9'"
        'n1:99999' | 'n1'
    }

    def "an unknown signal name is refused by the node and says so"() {
        given:
        def p = cluster.nodes.n1.run('/bin/sleep', '300')
        p.pid()

        when:
        p.kill('SIGBOGUS')

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains('BOGUS')

        cleanup:
        p?.kill('KILL')
    }

    def "selecting a node that is not in the set names it"() {
        when:
        cluster.nodes['n[4-5]']

        then:
        def e = thrown(NoSuchElementException)
        e.message.contains('n5')
    }

    def "a relative program path without push is refused (a bare name is looked up in the node's PATH instead)"() {
        when:
        cluster.nodes.n1.run('bin/date')

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains("'bin/date' must be an absolute path")
    }

    def "stdin, env and dir reach the process"() {
        when:
        def p = cluster.nodes.n1.command('/bin/sh').args('-c', 'read x; echo "$x $GREETING $(pwd)"')
                .stdin('hi\n').env(GREETING: 'hello').dir('/tmp').run()

        then:
        p.waitFor() == 0
        p.text == 'hi hello /tmp\n'
    }

    def "a second control node reattaches and reads the whole output and the exit status"() {
        given:
        def p = cluster.nodes.n4.run('/bin/sh', '-c', 'echo first; echo second; exit 3')
        p.waitFor()

        when:
        def other = Cluster.connect(inventory, ClusterOptions.defaults())
        def again = other.reattach().find { it.node() == 'n4' && it.session() == p.session() }
        again.waitFor(Duration.ofSeconds(30))

        then:
        again.text == 'first\nsecond\n'
        again.exitValue() == 3

        cleanup:
        other?.close()
    }

    def "a down node is reported while the rest succeed"() {
        given:
        int unused = new ServerSocket(0).withCloseable { it.localPort }
        def addresses = new ArrayList<NodeAddress>(inventory.addresses())
        addresses << new NodeAddress('n5', '127.0.0.1', unused)
        def wider = Inventory.of('test', addresses, [:]).withIdentity(identity)
                .withKnownHosts(inventory.knownHosts().get())

        when:
        def partial = Cluster.connect(wider, ClusterOptions.defaults().withConnectTimeout(Duration.ofSeconds(5)))
        def job = partial.all.run('/bin/true').waitFor()

        then:
        partial.down.toString() == 'n5'
        partial.downReasons.n5.contains(String.valueOf(unused))
        job.succeeded.toString() == 'n[1-4]'
        job.failed.toString() == 'n5'
        job.statuses.n5.contains('down')

        cleanup:
        partial?.close()
    }

    def "a node whose host key does not match known_hosts is refused, naming host and fingerprint"() {
        given:
        Path wrong = dir.resolve('wrong_known_hosts')
        def other = Keys.generate()
        Files.writeString(wrong, "[127.0.0.1]:${daemon.port(1)} ${Keys.publicKeyLine(other.public)}\n")
        def inv = Inventory.of('test', [inventory.address('n1').get()], [:]).withIdentity(identity)
                .withKnownHosts(wrong)

        when:
        def refused = Cluster.connect(inv, ClusterOptions.defaults().withConnectTimeout(Duration.ofSeconds(10)))

        then:
        refused.nodes.isEmpty()
        def reason = refused.downReasons.n1
        reason.contains('127.0.0.1')
        reason.contains(String.valueOf(daemon.port(1)))
        reason.contains(daemon.hostKeyFingerprint())

        cleanup:
        refused?.close()
    }
}
