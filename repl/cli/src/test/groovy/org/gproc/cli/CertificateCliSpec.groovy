package org.gproc.cli

import org.gproc.client.DaemonCluster
import org.gproc.client.GprocRunner
import org.gproc.client.Inventory
import org.gproc.client.InventoryException
import org.gproc.transport.cert.CertificateAuthority
import org.gproc.transport.ssh.Keys
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.time.Duration

/**
 * The user certificate on the client side of gproc: the inventory's {@code cluster.certificate}, {@code --certificate},
 * and IDENTITY-cert.pub beside the identity; against real daemons that know only the plain key, a certificate must
 * never lock the user out, and a certificate for another key is an error naming both files.
 */
@Timeout(180)
class CertificateCliSpec extends Specification {
    @Shared @AutoCleanup DaemonCluster daemons = new DaemonCluster(2)
    @Shared Path dir = daemons.dir
    @Shared Path inventory = daemons.inventoryFile
    @Shared Path identity = daemons.identity()
    @Shared GprocRunner cli = new GprocRunner(dir)
    @Shared CertificateAuthority ca
    @Shared Path otherKey

    def setupSpec() {
        ca = CertificateAuthority.init(dir.resolve('ca'))
        otherKey = dir.resolve('other/id_ed25519')
        Files.createDirectories(otherKey.parent)
        Keys.loadOrGenerate(otherKey, 'mallory@lab')
    }

    GprocRunner.Result gproc(String... args) {
        cli.run(args)
    }

    /** Our CA's user certificate for the key at {@code key}, written as {@code key-cert.pub} (or moved to {@code to}). */
    Path certify(Path key, String id, Path to = null) {
        Path cert = ca.signUserKeyFile(Path.of("${key}.pub"), ['alice@lab'], Duration.ofHours(1), 1, id)
        if (to == null) {
            return cert
        }
        Files.createDirectories(to.parent)
        Files.move(cert, to, StandardCopyOption.REPLACE_EXISTING)
    }

    def "a certificate beside the identity does not lock the user out of nodes that know only the plain key"() {
        given:
        Path cert = certify(identity, 'alice-beside')

        when:
        def r = gproc('-i', inventory.toString(), '--identity', identity.toString(), 'exec', '-w', 'n[1-2]', '--',
                '/bin/echo', 'hi')

        then:
        r.code == 0
        r.out.readLines().sort() == ['n1: hi', 'n2: hi']

        cleanup:
        Files.deleteIfExists(cert)
    }

    def "--certificate for another key is an error naming both files, exit 1, and nothing runs"() {
        given:
        Path foreign = certify(otherKey, 'mallory', dir.resolve('mallory-cert.pub'))

        when:
        def r = gproc('-i', inventory.toString(), '--identity', identity.toString(), '--certificate',
                foreign.toString(), 'exec', '-w', 'n1', '--', '/bin/echo', 'hi')

        then:
        r.code == 1
        r.err.contains("certificate ${foreign}")
        r.err.contains("not identity ${identity}")
        r.out.isEmpty()
    }

    def "the inventory's cluster.certificate is used, relative to the file; --identity drops it for the new key's own"() {
        given:
        Path foreign = certify(otherKey, 'mallory-inv', dir.resolve('inv/mallory-cert.pub'))
        Path inv = dir.resolve('inv/cluster.groovy')
        Files.writeString(inv, Files.readString(inventory).replace('cluster {',
                "cluster {\n    certificate = 'mallory-cert.pub'\n    identity = '${identity}'"))
        Files.copy(Path.of("${inventory}.known_hosts"), dir.resolve('inv/cluster.groovy.known_hosts'),
                StandardCopyOption.REPLACE_EXISTING)

        expect:
        Inventory.load(inv).certificate().get() == foreign
        Inventory.load(inv).withIdentity(identity).certificate().isEmpty()

        when:
        def withFileCert = gproc('-i', inv.toString(), 'exec', '-w', 'n1', '--', '/bin/echo', 'hi')

        then:
        withFileCert.code == 1
        withFileCert.err.contains("certificate ${foreign}")

        when:
        def withOwnIdentity = gproc('-i', inv.toString(), '--identity', identity.toString(), 'exec', '-w', 'n1', '--',
                '/bin/echo', 'hi')

        then:
        withOwnIdentity.code == 0
        withOwnIdentity.out.strip() == 'n1: hi'
    }

    def "an inventory round-trips its certificate path"() {
        given:
        Path f = dir.resolve('rt/cluster.groovy')
        Files.createDirectories(f.parent)
        Files.writeString(f, "cluster { certificate = 'keys/me-cert.pub' }\nnodes { n1 { } }\n")

        when:
        Inventory inv = Inventory.load(f)
        inv.write(dir.resolve('rt/copy.groovy'))

        then:
        inv.certificate().get() == dir.resolve('rt/keys/me-cert.pub')
        Inventory.load(dir.resolve('rt/copy.groovy')).certificate().get() == dir.resolve('rt/keys/me-cert.pub')
    }

    def "a misspelt or non-path cluster.certificate is refused naming the file and line"() {
        when:
        Inventory.parse(text, dir.resolve('bad.groovy'))

        then:
        InventoryException e = thrown()
        e.message == "${dir.resolve('bad.groovy')}:${message}".toString()

        where:
        text                                                      | message
        "cluster {\n  certificat = 'x'\n}\nnodes { n1 { } }"      | "2: unknown setting 'cluster.certificat' (did you mean 'certificate'?)"
        "cluster {\n  certificate = 3\n}\nnodes { n1 { } }"       | "2: cluster.certificate must be a path in quotes"
    }
}
