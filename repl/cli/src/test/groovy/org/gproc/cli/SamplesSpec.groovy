package org.gproc.cli

import org.gproc.client.GprocRunner
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Path

/** Every sample runs as the README says: gproc demo --script samples/X.groovy, on a fresh demo directory. */
@Timeout(180)
class SamplesSpec extends Specification {
    @TempDir Path demoDir

    GprocRunner.Result demo(String sample) {
        new GprocRunner(demoDir).run('demo', '--dir', demoDir.toString(), '--script',
                "${System.getProperty('gproc.root')}/samples/${sample}".toString())
    }

    def "hello.groovy prints one dated line per node"() {
        when:
        def r = demo('hello.groovy')

        then:
        r.code == 0
        r.out.readLines().collect { it.take(3) }.sort() == ['n1:', 'n2:', 'n3:', 'n4:']
        r.out.readLines().every { it =~ /^n\d: .*\d\d:\d\d:\d\d/ }
    }

    def "gather.groovy folds the identical uname of all four nodes"() {
        when:
        def r = demo('gather.groovy')

        then:
        r.code == 0
        r.out.contains('---- n[1-4] (4 nodes)')
        r.out.contains('failed: none')
        r.out.contains('ran again on n[1-4]')
    }

    def "ps-kill.groovy finds its sleepers in the process table and kills them"() {
        when:
        def r = demo('ps-kill.groovy')

        then:
        r.code == 0
        r.out.readLines().count { it =~ /^n\d:\d+ +pid \d+ +running .*sleep 300/ } == 4
        r.out.contains('n[1-4] signal 15')
    }

    def "a script that does not exist is refused naming it"() {
        when:
        def r = demo('no-such-sample.groovy')

        then:
        r.code == 1
        r.err.contains('no-such-sample.groovy')
    }
}
