package org.gproc.daemon.tree

import org.gproc.daemon.session.Limits
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.time.Duration

@Timeout(60)
class LifecycleSpec extends Specification {
    @AutoCleanup
    TreeFixture t = new TreeFixture(Limits.DEFAULTS.withGrace(Duration.ofMillis(300)))
    PollingConditions conditions = new PollingConditions(timeout: 20, delay: 0.05)

    boolean listed(int n, String principal = 'alice@lab') {
        t.root(principal).list()*.name().contains(n as String)
    }

    def "a normal session nobody holds open is reaped after the grace period, files and all"() {
        given:
        int n = t.newSession()
        def dir = t.node.sessions().visible(n, 'alice@lab').fsRoot().parent

        expect:
        conditions.eventually {
            assert !listed(n)
            assert !Files.exists(dir)
        }
    }

    def "an open fid keeps a session from being reaped"() {
        given:
        int held = t.newSession()
        def ctl = t.open("$held/ctl")
        int loose = t.newSession()

        when: 'the loose one, idle as long, is reaped'
        conditions.eventually { assert !listed(loose) }

        then:
        listed(held)

        when:
        ctl.clunk()

        then:
        conditions.eventually { assert !listed(held) }
    }

    def "a persistent session is never reaped"() {
        given:
        def clone = t.cloneFile()
        int persistent = TreeFixture.text(clone) as int
        TreeFixture.await(clone.write(0, 'type persistent'.bytes))
        clone.clunk()
        int normal = t.newSession()

        when:
        conditions.eventually { assert !listed(normal) }

        then:
        listed(persistent)
    }

    def "switching back to normal makes an idle session reapable again"() {
        given:
        int n = t.newSession()
        def ctl = t.open("$n/ctl", Message.OWRITE)
        TreeFixture.await(ctl.write(0, 'type persistent'.bytes))
        TreeFixture.await(ctl.write(0, 'type normal'.bytes))
        ctl.clunk()

        expect:
        conditions.eventually { assert !listed(n) }
    }

    def "a session reaped while a client was away is gone for it too"() {
        given:
        int n = t.newSession()
        def stale = t.walk("$n/ctl")
        conditions.eventually { assert !listed(n) }

        when:
        stale.open(Message.OREAD)

        then:
        def e = thrown(NinePException)
        e.message == "session $n is gone (wiped or reaped)"
    }
}
