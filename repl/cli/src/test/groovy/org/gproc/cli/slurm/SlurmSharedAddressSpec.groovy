package org.gproc.cli.slurm

import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Path

/**
 * gproc slurm up where every allocated node has the same address (SLURM_LB_ADDR=shared: all NodeAddr=127.0.0.1, the
 * node names resolve nowhere): the daemons must take different ports, and the client reaches each at its address.
 */
@Timeout(600)
@IgnoreIf({ SlurmCluster.unavailable() != null })
class SlurmSharedAddressSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared SlurmCluster slurm

    def setupSpec() {
        slurm = new SlurmCluster(dir, 'shared', 'ss', 28817)
        slurm.start()
    }

    def cleanupSpec() {
        slurm?.stop()
    }

    def "with --port P, nodes sharing one address get P..P+3, and gproc exec reaches each of them"() {
        given:
        Path script = dir.resolve('shared.sh')
        script.text = """\
            set -u
            gproc slurm up --port 28900 || exit 10
            cp "\$HOME/.gproc/slurm/\$SLURM_JOB_ID/inventory.groovy" '${dir}/seen.groovy'
            gproc exec -w 'ss[1-4]' 'echo \$SLURMD_NODENAME' || exit 12
            gproc slurm down || exit 13
            """.stripIndent()

        when:
        def r = slurm.run(['salloc', '-N', '4', 'bash', script.toString()])
        def nodes = SlurmCluster.nodesOf(dir.resolve('seen.groovy'))

        then:
        r.code == 0
        nodes == [ss1: ['127.0.0.1', 28900], ss2: ['127.0.0.1', 28901], ss3: ['127.0.0.1', 28902],
                  ss4: ['127.0.0.1', 28903]]
        r.out.readLines().findAll { it =~ /^ss(\d): ss\1$/ }.size() == 4
    }

    def "with the default free ports, each node reports its own port and gproc exec reaches all four"() {
        given:
        Path script = dir.resolve('free.sh')
        script.text = """\
            set -u
            gproc slurm up || exit 10
            cp "\$HOME/.gproc/slurm/\$SLURM_JOB_ID/inventory.groovy" '${dir}/free.groovy'
            gproc exec -w 'ss[1-4]' -- /bin/echo up || exit 12
            gproc slurm down || exit 13
            """.stripIndent()

        when:
        def r = slurm.run(['salloc', '-N', '4', 'bash', script.toString()])
        def nodes = SlurmCluster.nodesOf(dir.resolve('free.groovy'))

        then:
        r.code == 0
        nodes.size() == 4
        nodes.values()*.get(1).unique().size() == 4
        r.out.readLines().findAll { it =~ /^ss\d: up$/ }.size() == 4
    }
}
