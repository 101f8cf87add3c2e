package org.gproc.daemon.tree

import org.gproc.daemon.session.Limits
import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout

@Timeout(60)
class OwnershipSpec extends Specification {
    @AutoCleanup
    TreeFixture t = new TreeFixture(Limits.DEFAULTS.withMaxSessionsPerPrincipal(3), ['root@lab'] as Set)

    def "a session belongs to the principal that cloned it"() {
        given:
        int n = t.newSession('alice@lab')

        expect:
        t.walk("$n", 'alice@lab').stat().uid() == 'alice@lab'
        t.read("$n/ctl", 'alice@lab').contains('owner=alice@lab')
    }

    def "another principal cannot see it in / nor walk into it"() {
        given:
        int n = t.newSession('alice@lab')

        when:
        def bobSees = t.root('bob@lab').list()*.name()
        t.walk("$n", 'bob@lab')

        then:
        !bobSees.contains("$n" as String)
        def e = thrown(NinePException)
        e.message == "'$n' does not exist (or belongs to another principal)"
    }

    def "another principal cannot signal or wipe it through the node ctl"() {
        given:
        int n = t.newSession('alice@lab')

        when:
        t.write('ctl', "wipe $n", 'bob@lab')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: no session '$n' on n1"
        t.root('alice@lab').list()*.name().contains("$n" as String)

        when:
        t.write('ctl', "kill 9 $n", 'bob@lab')

        then:
        e = thrown(NinePException)
        e.message == "ctl: no session '$n' on n1"
    }

    def "an admin sees, walks into and wipes every session"() {
        given:
        int n = t.newSession('alice@lab')

        expect:
        t.root('root@lab').list()*.name().contains("$n" as String)
        t.read("$n/ctl", 'root@lab').startsWith("$n 0 new")

        when:
        t.write("$n/ctl", 'wipe', 'root@lab')

        then:
        !t.root('alice@lab').list()*.name().contains("$n" as String)
    }

    def "the uname in attach grants nothing"() {
        given:
        int n = t.newSession('alice@lab')

        when:
        t.tree.attach('bob@lab', 'alice@lab', '').walk("$n")

        then:
        thrown(NinePException)
    }

    def "sessions per principal are limited, with the limit named; others are unaffected"() {
        given:
        3.times { t.newSession('alice@lab') }

        when:
        t.newSession('alice@lab')

        then:
        def e = thrown(NinePException)
        e.message == 'clone: alice@lab already has 3 sessions on n1, the limit per principal (--max-sessions); wipe some first'
        t.newSession('bob@lab') == 4
    }

    def "wiping a session frees its slot"() {
        given:
        def ids = (1..3).collect { t.newSession('alice@lab') }

        when:
        t.write("${ids[0]}/ctl", 'wipe', 'alice@lab')

        then:
        t.newSession('alice@lab') == 4
    }

    def "a handle walked before the session was wiped does not reach a later session with the same content"() {
        given:
        int n = t.newSession('alice@lab')
        def old = t.walk("$n/ctl", 'alice@lab')
        t.write("$n/ctl", 'wipe', 'alice@lab')
        int m = t.newSession('alice@lab')

        expect:
        m != n
        old.qid() != t.walk("$m/ctl", 'alice@lab').qid()
    }
}
