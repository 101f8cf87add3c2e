package org.gproc.cli

import org.gproc.client.GprocRunner
import org.gproc.daemon.GprocDaemon
import org.gproc.transport.cert.CertificateAuthority
import org.gproc.transport.ssh.Keys
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * A cluster trusted through its CA alone, made with the gproc keys commands: daemons with --trusted-user-ca and
 * --host-cert and no authorized_keys, a client whose known_hosts holds one @cert-authority line. Every good path
 * has its refusal twin.
 */
@Timeout(180)
class CaTrustCliSpec extends Specification {
    @Shared @TempDir Path home
    @Shared @AutoCleanup GprocDaemon daemon
    @Shared Path inventory, identity, caOnly

    static GprocRunner.Result gproc(Path home, String... args) {
        new GprocRunner(home).run(args)
    }

    /** The keys commands touch only files: in-process, a JVM start cheaper each. */
    static GprocRunner.Result keys(Path home, String... args) {
        new GprocRunner(home).runInProcess(['keys'] + args.toList() as String[])
    }

    def setupSpec() {
        assert keys(home, 'ca', 'init').code == 0
        identity = home.resolve('.gproc/id_ed25519')
        Keys.loadOrGenerate(identity, 'alice@lab')
        Path hostKey = home.resolve('host_key')
        Keys.loadOrGenerate(hostKey, 'gprocd host key')
        Files.writeString(home.resolve('trusted_user_ca'), keys(home, 'ca', 'show').out)
        assert keys(home, 'sign-host', '--principal', '127.0.0.1', '--key-id', 'loopback-nodes',
                "${hostKey}.pub").code == 0
        daemon = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(hostKey)
                .trustedUserCa(home.resolve('trusted_user_ca')).hostCertificate(home.resolve('host_key-cert.pub'))
                .stateDir(home.resolve('state')).instances(2).start()
        inventory = daemon.writeInventory(home.resolve('cluster.groovy'))
        caOnly = home.resolve('known_hosts')
        Files.writeString(caOnly, keys(home, 'ca', 'show', '--cert-authority', '127.0.0.1,[127.0.0.1]:*').out)
    }

    GprocRunner.Result exec(Path knownHosts = caOnly) {
        gproc(home, '-i', inventory.toString(), '--identity', identity.toString(), '--known-hosts',
                knownHosts.toString(), 'exec', '-w', 'n[1-2]', '--', '/bin/echo', 'hi')
    }

    def "a signed user reaches nodes known only by their CA, and a user without a certificate does not"() {
        when: 'no certificate yet'
        def before = exec()

        then:
        before.code != 0
        before.err.contains('the node refused our key')

        when:
        def signed = keys(home, 'sign-user', '--principal', 'alice@lab', '--validity', '1h',
                "${identity}.pub")
        def after = exec()

        then:
        signed.code == 0
        after.code == 0
        after.out.readLines().sort() == ['n1: hi', 'n2: hi']
    }

    def "a node whose certificate comes from another CA is refused before login, naming the rule and certificate"() {
        given:
        Path otherHome = home.resolve('other')
        assert keys(otherHome, 'ca', 'init').code == 0
        Path otherCa = home.resolve('known_hosts_other_ca')
        Files.writeString(otherCa, keys(otherHome, 'ca', 'show', '--cert-authority', '*').out)

        when:
        def r = exec(otherCa)

        then:
        r.code != 0
        r.err.contains('host certificate refused (UNTRUSTED_CA)')
        r.err.contains("certificate 'loopback-nodes' (serial ")
        !Files.readString(otherCa).contains('[127.0.0.1]')   // nothing learnt on first use
    }
}
