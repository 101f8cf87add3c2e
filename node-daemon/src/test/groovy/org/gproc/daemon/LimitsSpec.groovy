package org.gproc.daemon

import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

/** The daemon's limits, as a client meets them over SSH: clear errors, and the daemon keeps serving. */
@Timeout(120)
class LimitsSpec extends Specification {
    @AutoCleanup
    DaemonFixture f = new DaemonFixture({
        it.maxFids(16).maxSessionsPerPrincipal(2).maxArgvBytes(4096).msize(8192)
    })

    def "fids per connection are limited by --max-fids, and the connection stays usable"() {
        given:
        def c = f.connect()
        List<Fid> fids = []

        when:
        30.times { fids << c.walk('arch') }

        then:
        thrown(NinePException)
        fids.size() < 16

        when:
        fids.each { c.clunk(it) }

        then:
        NinePFiles.text(NinePFiles.readFile(c, 'arch')) ==~ /[a-z0-9_]+/
    }

    def "sessions per principal are limited by --max-sessions; another principal is unaffected"() {
        given:
        def alice = f.connect('alice@lab')
        2.times { alice.open(alice.walk('clone'), Message.ORDWR) }

        when:
        alice.open(alice.walk('clone'), Message.ORDWR)

        then:
        def e = thrown(NinePException)
        e.message == 'clone: alice@lab already has 2 sessions on n1, the limit per principal (--max-sessions); wipe some first'

        when:
        def bob = f.connect('bob@lab')

        then:
        NinePFiles.text(bob.read(bob.open(bob.walk('clone'), Message.ORDWR), 0, 10)) == '3'
    }

    def "at --max-sessions the oldest finished, closed session makes room; open ones never do"() {
        given: 'two sessions that ran /bin/true and have every fid clunked'
        def c = f.connect('alice@lab')
        def exists = { int n -> try { c.clunk(c.walk("$n")); true } catch (NinePException gone) { false } }
        List<Integer> finished = (1..2).collect {
            def (Fid ctl, int n) = NinePFiles.clone(c)
            c.write(ctl, 0, "exec /bin/true\nclose stdin\n".bytes)
            assert NinePFiles.text(NinePFiles.readFile(c, "$n/wait")) == 'exit 0'
            new PollingConditions(timeout: 30).eventually {
                assert NinePFiles.text(NinePFiles.readFile(c, "$n/ctl")).split(' ')[2] == 'exited'
            }
            c.clunk(ctl)
            n
        }

        when:
        def (Fid third, int n3) = NinePFiles.clone(c)

        then: 'the oldest went; the newer one is still there to be read'
        !exists(finished[0])
        exists(finished[1])

        when:
        def (Fid fourth, int n4) = NinePFiles.clone(c)

        then:
        !exists(finished[1])
        exists(n3)

        when: 'both sessions left are open'
        c.open(c.walk('clone'), Message.ORDWR)

        then:
        def e = thrown(NinePException)
        e.message == 'clone: alice@lab already has 2 sessions on n1, the limit per principal (--max-sessions); wipe some first'
        exists(n3) && exists(n4)
    }

    def "a huge argv is refused over the wire with the limit named"() {
        given:
        def c = f.connect()
        def (Fid ctl, int n) = NinePFiles.clone(c)

        when:
        NinePFiles.writeFile(c, "$n/argv", 'x' * 5000)

        then:
        def e = thrown(NinePException)
        e.message == 'argv: 5000 bytes is over the limit of 4096 bytes (--max-argv)'
    }

    def "msize is capped by --msize"() {
        expect:
        f.connect().async().msize() <= 8192
    }
}
