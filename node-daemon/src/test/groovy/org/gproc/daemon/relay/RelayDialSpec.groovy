package org.gproc.daemon.relay

import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout

import static org.gproc.daemon.NinePFiles.readFile
import static org.gproc.daemon.NinePFiles.text
import static org.gproc.daemon.relay.RelaySpec.ctl

/**
 * How a relay opens its children's connections: a burst of child lines is dialled a few handshakes at a time, a
 * handshake that fails for a passing reason is tried again, and a child that stays unreachable is reported with the
 * reason and the number of tries.
 */
@Timeout(300)
class RelayDialSpec extends Specification {
    @AutoCleanup
    RelayCluster cluster = new RelayCluster()

    /** {@code count} child lines that all name daemon {@code daemon} (one place, one key, many names). */
    String burst(String daemon, int count) {
        (1..count).collect { cluster.childLine(daemon).replaceFirst("child $daemon ", "child k$it ") }.join('')
    }

    def "a burst of child lines never has more handshakes in flight than the child lets wait, so every child is up"() {
        given: 'a child that drops connections beyond as many unauthenticated ones as a relay has in flight'
        cluster.start('c1', ['r1'], { it.maxStartups(ChildDialer.CONCURRENT) })
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')

        when: 'five times that many lines arrive in one write, as a client announces a relay\'s children'
        ctl(alice, 'n/ctl', burst('c1', 5 * ChildDialer.CONCURRENT))
        def status = text(readFile(alice, 'n/ctl')).readLines()

        then:
        status.size() == 5 * ChildDialer.CONCURRENT
        status.every { it.endsWith(' up') }
    }

    def "a child that is not listening yet is tried again until it answers"() {
        given:
        int port = new ServerSocket(0).withCloseable { it.localPort }
        cluster.start('r1', [], { it.relay(true) })
        cluster.hostKey('c1')
        def alice = cluster.connect('alice@lab', 'r1')
        def line = "child c1 127.0.0.1 $port ${cluster.keySpec('c1')}\n"

        when: 'the line is written before the child listens, and the child starts right after'
        def writing = Thread.start { ctl(alice, 'n/ctl', line) }
        Thread.sleep(100)
        cluster.start('c1', ['r1'], { it.listen('127.0.0.1', port) })
        writing.join(120_000)

        then:
        text(readFile(alice, 'n/ctl')) == "c1 127.0.0.1:$port up\n"
    }

    def "a child that stays unreachable is down with the last reason and how many tries were made"() {
        given:
        int port = new ServerSocket(0).withCloseable { it.localPort }
        cluster.start('r1', [], { it.relay(true) })
        cluster.hostKey('c1')
        def alice = cluster.connect('alice@lab', 'r1')

        when:
        ctl(alice, 'n/ctl', "child c1 127.0.0.1 $port ${cluster.keySpec('c1')}\n")

        then:
        NinePException e = thrown()
        e.message.contains("child c1 (127.0.0.1:$port)")
        e.message.contains("($ChildDialer.ATTEMPTS tries)")
        text(readFile(alice, 'n/ctl')).startsWith("c1 127.0.0.1:$port down: ")
    }

    def "a child that proves another host key is refused at the first try: a verdict is not retried"() {
        given:
        cluster.start('c1', ['r1'])
        cluster.start('other', [])
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')

        when:
        ctl(alice, 'n/ctl', cluster.childLine('c1', cluster.keySpec('other')))

        then:
        NinePException e = thrown()
        e.message.contains('HOST KEY MISMATCH')
        !e.message.contains('tries)')
    }
}
