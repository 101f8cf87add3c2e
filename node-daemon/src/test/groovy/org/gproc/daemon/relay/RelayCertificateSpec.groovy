package org.gproc.daemon.relay

import org.gproc.transport.cert.CertificateAuthority
import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * Relays under a cluster CA: the relay presents a user certificate of its host key (principal {@code relay}) and
 * every node trusts that principal as a relay, so no node lists any relay's key.
 */
@Timeout(300)
class RelayCertificateSpec extends Specification {
    @AutoCleanup
    RelayCluster cluster = new RelayCluster()

    CertificateAuthority ca = CertificateAuthority.init(cluster.dir.resolve('ca'))
    Path caPub = cluster.dir.resolve('ca/ca.pub')

    /** A user certificate for r1's host key with principal 'relay', kept apart from any host certificate. */
    Path relayCertificate() {
        Path hostKey = cluster.hostKey('r1')
        Path pub = hostKey.resolveSibling('host_key.pub')
        Path signed = ca.signUserKeyFile(pub, ['relay'], Duration.ofHours(1), 7, 'r1')
        Files.move(signed, hostKey.resolveSibling('relay-cert.pub'))
    }

    def "a relay with a CA-signed user certificate acts for its users on a node that trusts the principal 'relay'"() {
        given:
        cluster.start('c1', [], { it.trustedUserCa(caPub).trustedRelays(['relay']) })
        cluster.start('r1', [], { it.relay(true).relayCertificate(relayCertificate()) })
        def alice = cluster.connect('alice@lab', 'r1')
        RelaySpec.ctl(alice, 'n/ctl', cluster.childLine('c1'))

        when:
        def (int n) = RelaySpec.run(alice, 'n/c1/', 'true', '/bin/true')

        then:
        cluster.daemons.c1.node(1).sessions().visible(n, 'alice@lab').owner() == 'alice@lab'
        RelaySpec.events(cluster.audit('c1')).find { it.event == 'clone' }.with { principal == 'alice@lab' && via == 'relay' }
    }

    def "without the certificate the node does not know the relay's key, and the child line fails saying so"() {
        given:
        cluster.start('c1', [], { it.trustedUserCa(caPub).trustedRelays(['relay']) })
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')

        when:
        RelaySpec.ctl(alice, 'n/ctl', cluster.childLine('c1'))

        then:
        NinePException e = thrown()
        e.message.contains('/n/c1: child c1 (127.0.0.1:')
        e.message.toLowerCase().contains('auth')
    }
}
