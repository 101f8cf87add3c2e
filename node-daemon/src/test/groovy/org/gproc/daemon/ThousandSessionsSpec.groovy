package org.gproc.daemon

import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.util.concurrent.Callable
import java.util.concurrent.Executors

/** 1000 sessions running at once on one daemon, over one SSH connection. */
@Timeout(600)
class ThousandSessionsSpec extends Specification {
    static final int N = 1000

    @AutoCleanup
    DaemonFixture f = new DaemonFixture()

    def "1000 concurrent sessions run, are all seen running, and all exit 0 when their stdin ends"() {
        given:
        BlockingNinePClient c = f.connect()
        def pool = Executors.newFixedThreadPool(8)
        def ctls = Collections.synchronizedMap([:])

        when: 'each session runs cat, which waits on its stdin'
        pool.invokeAll((1..N).collect { i ->
            { ->
                Fid ctl = c.open(c.walk('clone'), Message.ORDWR)
                int n = NinePFiles.text(c.read(ctl, 0, 16)) as int
                NinePFiles.writeFile(c, "$n/argv", 'cat')
                c.write(ctl, 0, 'exec /bin/cat'.bytes)
                ctls[n] = ctl
                n
            } as Callable
        }).each { it.get() }

        then:
        ctls.size() == N
        new PollingConditions(timeout: 60).eventually {
            assert NinePFiles.text(NinePFiles.readFile(c, 'state')).readLines().contains("running $N" as String)
        }
        NinePFiles.text(NinePFiles.readFile(c, 'procs')).readLines().size() == N

        when: 'every stdin is closed'
        def statuses = pool.invokeAll(ctls.collect { n, ctl ->
            { ->
                c.write(ctl, 0, 'close stdin'.bytes)
                NinePFiles.text(NinePFiles.readFile(c, "$n/wait"))
            } as Callable
        }).collect { it.get() }

        then: 'every cat saw its end of input and exited 0'
        statuses.size() == N
        statuses.unique(false) == ['exit 0']
        NinePFiles.text(NinePFiles.readFile(c, 'state')).readLines().contains('running 0')

        cleanup:
        pool?.shutdownNow()
    }
}
