package org.gproc.daemon

import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ssh.KnownHosts
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files

@Timeout(120)
class MultiInstanceSpec extends Specification {
    @AutoCleanup
    DaemonFixture f = new DaemonFixture({ it.instances(2) })

    def "two instances answer on consecutive ports, each with its own sessions"() {
        given:
        def n1 = f.connect('alice@lab', 1)
        def n2 = f.connect('alice@lab', 2)

        when:
        Fid ctl1 = n1.open(n1.walk('clone'), Message.ORDWR)
        Fid ctl2 = n2.open(n2.walk('clone'), Message.ORDWR)
        Fid ctl1b = n1.open(n1.walk('clone'), Message.ORDWR)

        then:
        f.daemon.port(2) == f.daemon.port(1) + 1
        NinePFiles.text(n1.read(ctl1, 0, 10)) == '1'
        NinePFiles.text(n2.read(ctl2, 0, 10)) == '1'
        NinePFiles.text(n1.read(ctl1b, 0, 10)) == '2'
        n2.readDir(n2.open(n2.walk(''), Message.OREAD))*.name().findAll { it ==~ /\d+/ } == ['1']

        when: 'a file made in n1 session 1 is not in n2 session 1'
        n1.clunk(n1.create(n1.walk('1/fs'), 'only-on-n1', 0644, Message.OWRITE))
        n2.walk('1/fs/only-on-n1')

        then:
        thrown(NinePException)
    }

    def "the inventory names n1..nN compactly and known_hosts has a line per port"() {
        expect:
        Files.readString(f.inventory).contains("'n[1-2]' { host = '127.0.0.1'; port = ${f.daemon.port(1)} }")
        Files.readString(f.inventory).contains("knownHosts = 'cluster.groovy.known_hosts'")
        Files.readAllLines(f.knownHosts()) == [1, 2].collect {
            KnownHosts.line('127.0.0.1', f.daemon.port(it), f.daemon.hostKey())
        }
    }

    def "a node number outside n1..nN is refused"() {
        when:
        f.daemon.port(3)

        then:
        def e = thrown(IllegalArgumentException)
        e.message == 'node 3 is outside n1..n2'
    }
}
