package org.gproc.cli

import groovy.json.JsonSlurper
import org.gproc.client.DaemonCluster
import org.gproc.client.GprocRunner
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** exec, ps, kill, status, push and run through the real command line against real daemons. */
@Timeout(300)
class ClusterCliSpec extends Specification {
    @Shared @AutoCleanup DaemonCluster daemons = new DaemonCluster(3)
    @Shared GprocRunner cli = GprocRunner.against(daemons)
    @TempDir Path dir

    GprocRunner.Result gproc(String... args) {
        cli.run(args)
    }

    def "exec prints one node-prefixed line per node and exits 0"() {
        when:
        def r = gproc('exec', '-w', 'n[1-3]', '--', '/bin/echo', 'hello')

        then:
        r.code == 0
        r.out.readLines().sort() == ['n1: hello', 'n2: hello', 'n3: hello']
        r.err == ''
    }

    def "exec finds a bare command name in the node's PATH"() {
        expect:
        gproc('exec', '-w', 'n1', '--', 'echo', 'found').out == 'n1: found\n'
    }

    def "exec -b folds identical outputs under their node set"() {
        when:
        def r = gproc('exec', '-w', 'n[1-3]', '-b', '--', '/bin/echo', 'same')

        then:
        r.code == 0
        r.out == '---------------\nn[1-3] (3)\n---------------\nsame\n'
    }

    def "exec exits with the largest remote code and reports every failed node"() {
        when:
        def r = gproc('exec', '-w', 'n[1-2]', 'exit 3')

        then:
        r.code == 3
        r.err.readLines().sort() == ['gproc: n1: exit 3', 'gproc: n2: exit 3']
    }

    def "exec -t ends a command that runs too long"() {
        when:
        def r = gproc('exec', '-w', 'n1', '-t', '1', '--', '/bin/sleep', '60')

        then:
        r.code == 128 + 15
        r.err.contains('n1: signal 15 (timed out)')
    }

    def "exec --push runs the control node's program"() {
        given:
        Path script = dir.resolve('whoami.sh')
        Files.writeString(script, '#!/bin/sh\necho pushed $1\n')
        script.toFile().setExecutable(true)

        expect:
        gproc('exec', '-w', 'n2', '--push', '--', script.toString(), 'ok').out == 'n2: pushed ok\n'
    }

    def "exec on a node not in the inventory is an error naming it"() {
        when:
        def r = gproc('exec', '-w', 'n[3-4]', '--', '/bin/true')

        then:
        r.code == 1
        r.err.contains('n4')
    }

    def "exec without a command is a usage error"() {
        expect:
        gproc('exec', '-w', 'n1').code == 2
    }

    def "exec of a missing program says what the node said"() {
        when:
        def r = gproc('exec', '-w', 'n1', '--', '/no/such/program')

        then:
        r.code != 0
        r.err.contains('n1')
        r.err.contains('/no/such/program')
    }

    def "ps lists a running session as a table and as JSON; kill by node:session ends it"() {
        given:
        def started = Thread.start { gproc('exec', '-w', 'n3', '--', '/bin/sleep', '300') }
        Map row = null
        for (int i = 0; i < 100 && row == null; i++) {
            def json = gproc('--json', 'ps', '-w', 'n3')
            row = json.out.readLines().collect { new JsonSlurper().parseText(it) }
                    .find { it.argv.contains('sleep 300') }
            if (row == null) sleep(200)
        }

        expect:
        row.node == 'n3'
        gproc('ps').out.readLines()[0].startsWith('NODE')

        when:
        def k = gproc('kill', '-s', 'KILL', "n3:${row.session}")
        started.join(60_000)

        then:
        k.code == 0
        !started.isAlive()
    }

    def "kill refuses a malformed target and an unknown signal"() {
        expect:
        gproc('kill', 'n1').code == 2
        gproc('kill', '-s', 'BOGUS', 'n1:424242').code == 1
    }

    def "status shows every node up with its architecture"() {
        when:
        def r = gproc('status')

        then:
        r.code == 0
        r.out.readLines().size() == 4
        r.out.readLines()[0].split(/\s+/) as List == ['NODE', 'STATUS', 'ARCH', 'UNAME', 'LOAD', 'MEM_AVAIL',
                                                      'MEM_TOTAL', 'RUNNING', 'SESSIONS', 'VERSION']
        r.out.readLines().drop(1).every { it =~ /^n\d\s+up\s+\S+/ }
    }

    def "status --json reads each node's state file into its fields"() {
        when:
        def r = gproc('--json', 'status')
        def rows = r.out.readLines().collect { new JsonSlurper().parseText(it) }

        then:
        r.code == 0
        rows*.node.sort() == ['n1', 'n2', 'n3']
        rows.every { it.status == 'up' && it.load.size() == 3 && it.load.every { l -> l instanceof Number } }
        rows.every { it.mem_avail instanceof Number && it.mem_total instanceof Number && it.mem_avail <= it.mem_total }
        rows.every { it.running instanceof Number && it.sessions instanceof Number && it.reason == null }
        rows.every { !it.version.isEmpty() && !it.version.startsWith('gprocd') }
    }

    def "push stages a file once: the second push sends nothing"() {
        given:
        Path data = dir.resolve('data.bin')
        Files.write(data, new byte[4096])

        when:
        def first = gproc('--json', 'push', '-w', 'n[1-2]', data.toString())
        def second = gproc('--json', 'push', '-w', 'n[1-2]', data.toString())

        then:
        first.code == 0
        first.out.readLines().every { it.contains('"bytes_sent":4096') }
        second.out.readLines().every { it.contains('"bytes_sent":0') }
    }

    def "push of a missing file names it"() {
        when:
        def r = gproc('push', '-w', 'n1', dir.resolve('absent').toString())

        then:
        r.code == 2
        r.err.contains('absent')
    }
}
