package org.gproc.repl

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

import org.gproc.client.Cluster
import org.gproc.client.ClusterOptions
import org.gproc.client.Inventory
import org.gproc.client.ProcessTracker
import org.gproc.daemon.GprocDaemon
import org.gproc.transport.ssh.Keys
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

/**
 * The REPL against a real cluster: four node daemons in-process on loopback (real SSH with keys trusted only through
 * the known_hosts file the daemon writes, real 9P, real processes), driven through a terminal as a user would.
 */
@Timeout(300)
class ClusterReplSpec extends Specification {

    @Shared Path dir = Files.createTempDirectory('gproc-cluster-repl')
    @Shared @AutoCleanup GprocDaemon daemon
    @Shared Path inventory
    @Shared Path identity = dir.resolve('id_ed25519')

    def tracker = new ProcessTracker()
    @AutoCleanup Cluster cluster
    @AutoCleanup TerminalDriver repl
    def conditions = new PollingConditions(timeout: 60, delay: 0.1)

    def setupSpec() {
        def key = Keys.loadOrGenerate(identity, 'alice@lab')
        Path authorized = dir.resolve('authorized_keys')
        authorized.text = Keys.publicKeyLine(key.public) + ' alice@lab\n'
        daemon = GprocDaemon.builder()
                .listen('127.0.0.1', 0)
                .hostKey(dir.resolve('host_key'))
                .authorizedKeys(authorized)
                .stateDir(dir.resolve('state'))
                .stopTimeout(Duration.ofSeconds(2))
                .instances(4)
                .start()
        inventory = daemon.writeInventory(dir.resolve('cluster.groovy'))
    }

    def cleanupSpec() {
        dir.toFile().deleteDir()
    }

    def setup() {
        repl = new TerminalDriver('xterm-256color', [:], tracker, dir.resolve('history'))
        cluster = Cluster.connect(Inventory.load(inventory), ClusterOptions.defaults()
                .withIdentity(identity)
                .withKnownHosts(dir.resolve('cluster.groovy.known_hosts'))
                .withTracker(tracker)
                .withProgress(repl.repl.progress()))
        assert cluster.down.empty
        repl.repl.bind('cluster', cluster).bind('nodes', cluster.nodes)
        repl.start()
        conditions.eventually { assert repl.prompts() == 1 }
    }

    private void typeAndWait(String line) {
        int before = repl.prompts()
        repl.type(line + '\n')
        conditions.eventually { assert repl.prompts() > before }
    }

    def "the canonical line pushes /bin/date everywhere and prints one line per node, then the prompt returns"() {
        when:
        typeAndWait("nodes.each { it.push('/bin/date').run() }")

        then:
        def lines = repl.text().readLines()
        ['n1', 'n2', 'n3', 'n4'].every { node -> lines.count { it ==~ /$node: \w{3} .*\d{4}/ } == 1 }
        tracker.background().empty
    }

    def "Ctrl-C stops sleep 300 on every node and the prompt returns"() {
        when:
        repl.type("nodes.each { it.run('/bin/sh', '-c', 'echo started; exec sleep 300') }\n")
        conditions.eventually { assert (1..4).every { repl.text().contains("n$it: started") } }
        repl.type(TerminalDriver.CTRL_C)

        then:
        conditions.eventually { assert repl.prompts() == 2 }
        repl.text().contains('^C: sent SIGINT to 4 processes')
        repl.text().contains('4 of 4 processes failed')
        cluster.ps().every { it.state != 'running' || !it.argv.contains('sleep') }
    }

    def "/nodes lists the four nodes with their architecture, /ps the sessions"() {
        when:
        typeAndWait('/nodes')
        typeAndWait("nodes.n2.command('/bin/sleep').args(300).start().pid()")
        typeAndWait('/ps')

        then: '/ps lists running processes, as cluster.ps() does'
        repl.text().contains('4 nodes: n[1-4]')
        repl.text() =~ /(?m)^n3\s+\S+$/
        repl.text() =~ /(?m)^NODE\s+SESSION\s+PID\s+STATE\s+OWNER\s+CPU\s+RSS\s+START\s+ARGV$/
        repl.text() =~ /(?m)^n2\s+\d+\s+\d+\s+running\s+.*sleep 300$/

        cleanup:
        cluster?.ps()?.each { it.kill('KILL') }
    }

    def "gproc run: the canonical line as a script prints one line per node and exits 0; a failed node makes it 2"() {
        given:
        def script = dir.resolve('hello.groovy')
        script.text = source
        def stdout = new ByteArrayOutputStream()
        def stderr = new ByteArrayOutputStream()
        def runner = new ScriptRunner([cluster: cluster, nodes: cluster.nodes], tracker,
                new PrintStream(stdout, true, 'UTF-8'), new PrintStream(stderr, true, 'UTF-8'), false)

        when:
        int status = runner.run(script, [])

        then:
        status == expected
        stdout.toString('UTF-8').readLines().findAll { it ==~ /n\d: \w{3} .*\d{4}/ }*.take(3).sort() ==
                ['n1:', 'n2:', 'n3:', 'n4:']

        where:
        source                                                                         || expected
        "nodes.each { it.push('/bin/date').run() }"                                     || 0
        "nodes.each { it.push('/bin/date').run() }; nodes.n3.run('/bin/false')"         || ScriptRunner.PROCESS_FAILED
    }

    def "node names and Node methods complete from the live cluster"() {
        when: 'tab after a node name prefix lists the nodes'
        repl.type("nodes['n\t")

        then:
        conditions.eventually { assert (1..4).every { repl.text().contains("n$it") } }

        when: 'a method of a node completes'
        repl.type(TerminalDriver.CTRL_C)
        conditions.eventually { assert repl.prompts() == 2 }
        repl.type('nodes.n1.unam\t')
        typeAndWait('')

        then:
        repl.text() =~ /===> Linux/
    }
}
