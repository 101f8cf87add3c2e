package org.gproc.cli

import org.gproc.client.DaemonCluster
import org.gproc.client.GprocRunner
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

/** --tree-width through the real command line: four relaying daemons that trust each other's host key. */
@Timeout(180)
class TreeWidthCliSpec extends Specification {
    @Shared @AutoCleanup DaemonCluster daemons = new DaemonCluster(4, relay: true)
    @Shared GprocRunner cli = GprocRunner.against(daemons)

    GprocRunner.Result gproc(String... args) {
        cli.run(args)
    }

    def "exec through a tree of width 2 prints what flat prints and keeps every exit code"() {
        when:
        def flat = gproc('exec', '-w', 'n[1-4]', '--argv', '/bin/sh', '-c', 'echo $0; exit 3', 'same')
        def tree = gproc('--tree-width', '2', 'exec', '-w', 'n[1-4]', '--argv', '/bin/sh', '-c', 'echo $0; exit 3', 'same')

        then:
        flat.code == 3
        tree.code == 3
        tree.out.readLines().sort() == flat.out.readLines().sort()
        tree.out.readLines().sort() == ['n1: same', 'n2: same', 'n3: same', 'n4: same']
        tree.err.readLines().sort() == flat.err.readLines().sort()
    }

    def "a tree width below 2 is refused with the rule"() {
        when:
        def r = gproc('--tree-width', '1', 'exec', '-w', 'n1', '--', '/bin/true')

        then:
        r.code == 2
        r.err.contains('tree width 1: a relay tree needs a width of at least 2')
    }
}
