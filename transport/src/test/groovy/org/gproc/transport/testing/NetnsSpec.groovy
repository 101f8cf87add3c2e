package org.gproc.transport.testing

import spock.lang.IgnoreIf
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Path

/** The namespace fixture itself: sites joined only where a link says, and nothing left behind. */
@Timeout(300)
@IgnoreIf({ !Netns.usable() })
class NetnsSpec extends Specification {
    @TempDir Path dir

    def "two namespaces joined by a veth pair reach each other; a third, not linked, reaches neither"() {
        given:
        Netns net = Netns.create()
        String a = net.namespace('a'), b = net.namespace('b'), c = net.namespace('c')
        net.link(a, '10.77.9.1/24', b, '10.77.9.2/24', rate: '100mbit')

        expect:
        net.probe(a, '10.77.9.2', 5999) == 'refused'
        net.probe(c, '10.77.9.2', 5999, 2) == 'unreachable'
        net.run(a, ['tc', 'qdisc', 'show']).out.contains('tbf')

        cleanup:
        net?.close()
    }

    def "close removes every namespace and kills what ran inside, even a process started behind its back"() {
        given:
        Netns net = Netns.create()
        String a = net.namespace('a')
        Process sleeper = net.spawn(a, ['sleep', '600'], dir.resolve('sleep.log'))
        net.run(a, ['sh', '-c', 'nohup sleep 600 >/dev/null 2>&1 &'])

        when:
        net.close()

        then:
        net.existing().isEmpty()
        !sleeper.alive
    }

    def "an address outside 10.77.0.0/16 is refused before anything is made"() {
        given:
        Netns net = Netns.create()
        String a = net.namespace('a'), b = net.namespace('b')

        when:
        net.link(a, '10.0.0.1/24', b, '10.77.9.2/24')

        then:
        def e = thrown(IllegalArgumentException)
        e.message == '10.0.0.1/24 is outside 10.77.0.0/16, the only range these specs may use'

        cleanup:
        net?.close()
    }
}
