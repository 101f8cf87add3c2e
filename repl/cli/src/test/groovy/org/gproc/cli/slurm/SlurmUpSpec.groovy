package org.gproc.cli.slurm

import org.gproc.client.GprocRunner
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path

/**
 * gproc slurm up/down against a real Slurm where every node has its own address (SLURM_LB_ADDR=distinct and
 * /etc/hosts lines: sl1..sl4 are 127.0.1.1..4), driven the way a user drives it: salloc and sbatch running the gproc
 * launcher, which starts gprocd through its launcher in a job step.
 */
@Timeout(600)
@IgnoreIf({ SlurmCluster.unavailable() != null })
class SlurmUpSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared SlurmCluster slurm
    @Shared Path job

    def setupSpec() {
        slurm = new SlurmCluster(dir, 'distinct', 'sl', 27817)
        slurm.start()
        job = dir.resolve('job.groovy')
        job.text = "nodes.each { it.push('/bin/date').run() }\n"
    }

    def cleanupSpec() {
        slurm?.stop()
    }

    def conditions = new PollingConditions(timeout: 60, delay: 0.2)

    def "in salloc -N 4, slurm up starts a daemon per node; gproc run and gproc exec reach all four; slurm down stops them"() {
        given:
        Path script = dir.resolve('allocation.sh')
        script.text = """\
            set -u
            gproc slurm up || exit 10
            cp "\$HOME/.gproc/slurm/\$SLURM_JOB_ID/inventory.groovy" '${dir}/seen-inventory.groovy'
            gproc run '${job}' || exit 11
            gproc exec -w "\$SLURM_JOB_NODELIST" -- /bin/echo hello || exit 12
            gproc slurm down || exit 13
            test ! -e "\$HOME/.gproc/slurm/\$SLURM_JOB_ID" || exit 14
            """.stripIndent()

        when:
        def r = slurm.run(['salloc', '-N', '4', 'bash', script.toString()])
        def nodes = SlurmCluster.nodesOf(dir.resolve('seen-inventory.groovy'))

        then:
        r.code == 0
        r.out.contains('gproc slurm up: job ')
        r.out.readLines().findAll { it =~ /^sl\d: .*\d\d:\d\d:\d\d/ }*.take(3).sort() == ['sl1', 'sl2', 'sl3', 'sl4']
        r.out.readLines().findAll { it =~ /^sl\d: hello$/ }.size() == 4
        nodes.keySet().sort() == ['sl1', 'sl2', 'sl3', 'sl4']
        nodes.every { name, hp -> hp[0] == "127.0.1.${name.substring(2)}".toString() }
        r.out.contains('daemons stopped')
        nodes.every { name, hp -> !SlurmCluster.listening(hp[0], hp[1]) }
    }

    def "scancel of the allocation stops every daemon"() {
        given:
        Path log = dir.resolve('held.log')
        Process held = slurm.spawn(['salloc', '-N', '4', 'bash', '-c', 'gproc slurm up && sleep 600'], log)
        Path inventory = null

        when: 'the daemons serve'
        conditions.within(180) {
            inventory = Files.exists(slurm.jobDirs()) ? Files.list(slurm.jobDirs()).withCloseable { s ->
                s.map { it.resolve('inventory.groovy') }.filter { Files.exists(it) }.findFirst().orElse(null)
            } : null
            assert inventory != null
        }
        String jobId = inventory.parent.fileName.toString()
        def nodes = SlurmCluster.nodesOf(inventory)
        boolean servedBefore = nodes.every { name, hp -> SlurmCluster.listening(hp[0], hp[1]) }
        def cancel = slurm.run(['scancel', jobId])

        then:
        servedBefore
        nodes.size() == 4
        cancel.code == 0
        conditions.within(60) {
            assert nodes.every { name, hp -> !SlurmCluster.listening(hp[0], hp[1]) }
        }

        cleanup:
        held?.descendants()?.each { it.destroyForcibly() }   // salloc waits for its command, even once revoked
        held?.destroyForcibly()
        if (inventory != null) {
            slurm.run(['gproc', 'slurm', 'down', '--job', inventory.parent.fileName.toString()])
        }
    }

    def "sbatch of samples/slurm-job.sh runs the canonical line on its four nodes and stops the daemons"() {
        given:
        Path out = dir.resolve('sbatch.out')

        when:
        def r = slurm.run(['sbatch', '--wait', '-o', out.toString(), 'samples/slurm-job.sh'])
        String text = out.text

        then:
        r.code == 0
        text.readLines().findAll { it =~ /^sl\d: .*\d\d:\d\d:\d\d/ }*.take(3).sort() == ['sl1', 'sl2', 'sl3', 'sl4']
        text.readLines().contains('sl[1-4] (4)')   // exec -b: one uname for all four
        text.contains('daemons stopped')
    }

    def "a node whose daemon cannot start is reported by name, and the others are stopped"() {
        given: 'something else already holds sl2 port 27900'
        def blocker = new ServerSocket()
        blocker.bind(new InetSocketAddress('127.0.1.2', 27900))

        when:
        def r = slurm.run(['salloc', '-N', '4', 'gproc', 'slurm', 'up', '--port', '27900', '--timeout', '120'])

        then:
        r.code != 0
        r.out =~ /gproc slurm up: sl2: gprocd exited before serving: .*(in use|bind)/
        !(r.out =~ /gproc slurm up: sl[134]:/)
        r.out.contains('1 of 4 daemons did not start')
        conditions.within(60) {
            assert !SlurmCluster.listening('127.0.1.1', 27900)
            assert !SlurmCluster.listening('127.0.1.3', 27900)
        }

        cleanup:
        blocker?.close()
        Files.list(slurm.jobDirs()).withCloseable { s -> s.toList() }.each {
            slurm.run(['gproc', 'slurm', 'down', '--job', it.fileName.toString()])
        }
    }

    def "slurm up outside an allocation says so and how to get one"() {
        given:
        def cli = new GprocRunner(dir.resolve('outside'))

        when:
        def r = cli.run('slurm', 'up')

        then:
        r.code == 2
        r.err.startsWith('gproc slurm up: not inside a Slurm allocation (SLURM_JOB_ID is not set)')
        r.err.contains('salloc -N 4')
        !Files.exists(dir.resolve('outside/.gproc'))
    }
}
