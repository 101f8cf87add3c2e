package org.gproc.cli

import groovy.json.JsonSlurper
import org.gproc.client.DaemonCluster
import org.gproc.client.GprocRunner
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path

/** gproc status and ps for people (units, times, footnoted reasons) and for scripts (JSON numbers), as a child process. */
@Timeout(300)
class StatusPsCliSpec extends Specification {
    @Shared @AutoCleanup DaemonCluster daemons = new DaemonCluster(2)
    @Shared GprocRunner cli
    /** The daemons' nodes plus n9, on a port where nothing listens. */
    @Shared GprocRunner withDown

    def setupSpec() {
        Path identity = daemons.dir.resolve('id_ed25519')
        cli = GprocRunner.against(daemons)
        Path inventory = daemons.dir.resolve('with-down.groovy')
        inventory.text = daemons.inventoryFile.text.replace('nodes {', "nodes {\n    n9 { host = '127.0.0.1'; port = 1 }")
        withDown = new GprocRunner(daemons.dir, ['-i', inventory.toString(), '--identity', identity.toString()])
    }


    def "status shows memory in binary units and notes why a node is down under the table"() {
        when:
        def r = withDown.run('status', '--connect-timeout', '5')
        def lines = r.out.readLines()

        then:
        r.code == 1
        lines[1] ==~ /n1\s+up\s+.*\s\d+\.\d [KMGT]iB\s+\d+\.\d [KMGT]iB\s+\d+\s+\d+\s+\S+/
        lines[3] ==~ /n9\s+down \[1\](\s+-)+/
        lines[4].startsWith('[1] n9: ')
        lines[4].contains('127.0.0.1 port 1')
        !r.out.contains('Exception')
        r.err == ''
    }

    def "status --json has the down node's reason as a field and numbers as numbers"() {
        when:
        def r = withDown.run('--json', 'status', '--connect-timeout', '5')
        def rows = r.out.readLines().collect { new JsonSlurper().parseText(it) }

        then:
        rows*.node == ['n1', 'n2', 'n9']
        rows[0].mem_total instanceof Number
        rows[2].status == 'down'
        rows[2].reason.contains('127.0.0.1 port 1')
    }

    def "a connect timeout that is no time is refused naming the flag"() {
        when:
        def r = cli.run('status', '--connect-timeout', '0')

        then:
        r.code == 2
        r.err.contains("'--connect-timeout'")
        !r.err.contains('PT0S')
    }

    def "ps lists running processes by default with RSS in binary units and the start as a time; -a adds exited ones"() {
        given:
        Process p = cli.start('exec', '-w', 'n1', 'sleep 302')
        cli.run('exec', '-w', 'n2', 'exit 0')

        expect:
        new PollingConditions(timeout: 60, delay: 0.5).eventually {
            def running = cli.run('ps')
            assert running.out.readLines().any { it ==~ /n1\s+\d+\s+\d+\s+running\s+alice@lab\s+[\d.]+\s+[\d.]+ [KMG]?i?B\s+\d\d:\d\d:\d\d\s+\/bin\/sh -c 'sleep 302'/ }
            assert !running.out.readLines().any { it.startsWith('n2') }
        }
        cli.run('ps', '-a').out.readLines().any { it ==~ /n2\s+\d+\s+\d+\s+exited.*exit 0.*/ }

        when:
        def json = cli.run('--json', 'ps', '-w', 'n1').out.readLines().collect { new JsonSlurper().parseText(it) }
        def row = json.find { it.argv.contains('sleep 302') }

        then:
        row.session instanceof Number
        row.pid instanceof Number
        row.cpu instanceof Number
        row.rss instanceof Number && row.rss > 0
        row.start instanceof Number && Math.abs(row.start - System.currentTimeMillis() / 1000) < 3600

        cleanup:
        if (p != null) {
            sendSignal(p, 'TERM')
            p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)
        }
    }

    def "ps of nodes not in the inventory is an error with status 1 naming them"() {
        when:
        def r = cli.run('ps', '-w', 'n[2-3]')

        then:
        r.code == 1
        r.err.contains('n3 is not in the inventory')
    }

    /** Sends {@code signal} (a name such as INT) to the gproc JVM, as a terminal or a supervisor would. */
    static void sendSignal(Process p, String signal) {
        assert new ProcessBuilder('kill', '-s', signal, p.pid().toString()).start().waitFor() == 0
    }

    /** What a started gproc printed and its exit status, once it has ended. */
    static Map ended(Process p) {
        assert p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)
        [code: p.exitValue(), out: p.inputStream.text, err: p.errorStream.text]
    }
}
