package org.gproc.cli

import org.gproc.client.DaemonCluster
import org.gproc.client.GprocRunner
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Path

/** gproc attach (recovering a dead control node's sessions) and gproc run's exit status, against real daemons. */
@Timeout(180)
class AttachAndRunSpec extends Specification {
    @Shared @AutoCleanup DaemonCluster daemons = new DaemonCluster(2)
    @TempDir Path dir

    GprocRunner.Result gproc(String... args) {
        GprocRunner.against(daemons, dir).run(args)
    }

    Path script(String name, String text) {
        def file = dir.resolve(name)
        file.text = text
        file
    }

    def "attach lists the sessions that ran and follows one again: its whole output and its exit code"() {
        given: 'a control node that started a job and died (its connections are closed)'
        def earlier = daemons.connect()
        def p = earlier.node('n2').run('/bin/sh', '-c', 'echo first; echo second; exit 4')
        p.waitFor()
        String id = "n2:${p.session()}"
        and: 'one still running, with a child of its own'
        def parent = earlier.node('n2').run('/bin/sh', '-c', 'sleep 302; echo x')
        String parentId = "n2:${parent.session()}"
        new PollingConditions(timeout: 60).eventually { assert earlier.ps('n2').count { it.id == parentId } == 2 }
        earlier.close()

        when:
        def listed = gproc('attach')
        def followed = gproc('attach', id)

        then:
        listed.code == 0
        listed.out.readLines()[0].split(/\s+/) as List == ['NODE', 'SESSION', 'PID', 'STATE', 'ARGV']
        listed.out.readLines().any { it ==~ /n2\s+${p.session()}\s+\d+\s+exited\s+.*exit 4.*/ }
        followed.code == 4
        followed.out == 'n2: first\nn2: second\n'
        followed.err.contains("gproc: ${id}: exit 4")
        listed.out.readLines().findAll { it ==~ /n2\s+${parent.session()}\s.*/ }.size() == 1
        listed.out.readLines().any { it ==~ /n2\s+${parent.session()}\s+\d+\s+running\s+.*sh -c.*/ }

        cleanup:
        daemons.connect().withCloseable { it.kill(parentId, 'KILL') }
    }

    def "attach --all follows every session; a running one is waited for"() {
        given:
        def earlier = daemons.connect()
        def p = earlier.node('n1').run('/bin/sh', '-c', 'sleep 1; echo late')
        String id = "n1:${p.session()}"
        earlier.close()

        when:
        def r = gproc('attach', '--all', '-w', 'n1')

        then:
        r.code == 0
        r.out.readLines().contains('n1: late')
    }

    def "attach refuses what is not NODE:SESSION and names a session that never ran"() {
        expect:
        with(gproc('attach', 'n1')) {
            code == 2
            err.contains("gproc attach: 'n1' is not NODE:SESSION (e.g. n3:12)")
        }
        with(gproc('attach', 'n1:99999')) {
            code == 255
            err.contains('gproc attach: n1:99999: no session of yours there that ran a process')
        }
        with(gproc('attach', '--all', 'n1:1')) {
            code == 2
            err.contains('name sessions or give --all, not both')
        }
    }

    def "samples/ps-kill.groovy passes twice in a row on the same cluster: the first run's exited sleepers are not killed again"() {
        given:
        String sample = "${System.getProperty('gproc.root')}/samples/ps-kill.groovy"

        when:
        def first = gproc('run', sample)
        def second = gproc('run', sample)

        then:
        [first, second].every { r ->
            r.code == 0 && r.out.readLines().count { it =~ /^n\d:\d+ +pid \d+ +running .*sleep 300/ } == 2 &&
                    r.out.contains('n[1-2] signal 15')
        }
        !second.err.contains('exited')
    }

    def "gproc run exits with the number the script returns"() {
        expect:
        gproc('run', script('three.groovy', "nodes.run('/bin/true').waitFor()\nreturn 3\n").toString()).code == 3
    }

    def "a number that is no exit status fails the run naming the rule"() {
        when:
        def r = gproc('run', script('big.groovy', 'return 300').toString())

        then:
        r.code == 1
        r.err.contains('big.groovy returned 300: an exit status is a whole number from 0 to 255')
    }

    def "a run whose failed processes the script handled and whose returned job succeeded exits 0"() {
        given:
        def retry = script('retry.groovy', '''
            def job = nodes.run('/bin/sh', '-c', 'exit 1').waitFor()
            return (nodes - job.failed + job.failed).run('/bin/true').waitFor()
        ''')

        expect:
        gproc('run', retry.toString()).code == 0
    }

    def "a run that returns a job that failed, or ignores a failed process, exits 2"() {
        expect:
        gproc('run', script('fails.groovy', "return nodes.run('/bin/false').waitFor()").toString()).code == 2
        gproc('run', script('ignores.groovy', "nodes.run('/bin/false').waitFor(); 'done'").toString()).code == 2
    }

    def "a script named like a Java keyword runs, and its errors still name the file"() {
        expect:
        with(gproc('run', script('long.groovy', "println 'ran'").toString())) {
            code == 0
            out.contains('ran')
        }
        with(gproc('run', script('int.groovy', "def x = 1\nthrow new IllegalStateException('no quorum')").toString())) {
            code == 1
            err.contains('int.groovy:2: IllegalStateException: no quorum')
        }
    }
}
