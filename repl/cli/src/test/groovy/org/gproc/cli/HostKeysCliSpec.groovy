package org.gproc.cli

import org.gproc.client.GprocRunner
import org.gproc.daemon.GprocDaemon
import org.gproc.transport.cert.CertificateAuthority
import org.gproc.transport.ssh.KnownHosts
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
 * Host key bootstrap against real daemons: gproc keys scan (ssh-keyscan's job, no login attempted), --accept-new
 * (first use recorded, a changed key still refused), and the errors a user reads when a key is unknown or changed.
 */
@Timeout(180)
class HostKeysCliSpec extends Specification {
    @Shared @TempDir Path home
    @Shared @AutoCleanup GprocDaemon daemon
    @Shared @AutoCleanup GprocDaemon certified
    @Shared Path inventory, identity, audit, hostKey

    static GprocRunner.Result gproc(Path home, String... args) {
        new GprocRunner(home).run(args)
    }

    def setupSpec() {
        identity = home.resolve('.gproc/id_ed25519')
        def user = Keys.loadOrGenerate(identity, 'alice@lab')
        Path authorized = home.resolve('authorized_keys')
        authorized.text = Keys.publicKeyLine(user.public) + ' alice@lab\n'
        hostKey = home.resolve('host_key')
        audit = home.resolve('audit.log')
        daemon = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(hostKey).authorizedKeys(authorized)
                .stateDir(home.resolve('state')).auditLog(audit).instances(2).start()
        def ca = CertificateAuthority.init(home.resolve('ca'))
        Path certKey = home.resolve('cert_host_key')
        Keys.loadOrGenerate(certKey, 'certified')
        ca.signHostKeyFile(Path.of("${certKey}.pub"), ['127.0.0.1'], Duration.ofHours(1), 9, 'loopback-cert')
        certified = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(certKey).authorizedKeys(authorized)
                .hostCertificate(home.resolve('cert_host_key-cert.pub')).stateDir(home.resolve('state2')).start()
        inventory = home.resolve('cluster.groovy')
        inventory.text = """\
            nodes {
                'n[1-2]' { host = '127.0.0.1'; port = ${daemon.port()} }
                c1 { host = '127.0.0.1'; port = ${certified.port()} }
                gone { host = '127.0.0.1'; port = ${freePort()} }
            }
            """.stripIndent()
    }

    static int freePort() {
        new ServerSocket(0).withCloseable { it.localPort }
    }

    GprocRunner.Result exec(Path knownHosts, String nodes, String... extra) {
        gproc(home, *(['-i', inventory.toString(), '--known-hosts', knownHosts.toString()] + extra.toList()
                + ['exec', '-w', nodes, '--', '/bin/echo', 'hi']) as String[])
    }

    def "keys scan prints each node's key in known_hosts format with its fingerprint, logs in nowhere, and the output works as known_hosts"() {
        given:
        String fp = Keys.fingerprint(Keys.loadPrivateKey(hostKey).public)
        long auditBefore = Files.exists(audit) ? audit.readLines().size() : 0

        when:
        def scan = gproc(home, '-i', inventory.toString(), 'keys', 'scan', '-w', 'n[1-2]')
        List<String> auditedByScan = Files.exists(audit) ? audit.readLines().drop((int) auditBefore) : []
        Path known = home.resolve('scanned_known_hosts')
        known.text = scan.out
        def run = exec(known, 'n[1-2]')

        then:
        scan.code == 0
        scan.err == ''
        scan.out.readLines().findAll { !it.startsWith('#') } == [
                KnownHosts.line('127.0.0.1', daemon.port(1), Keys.loadPrivateKey(hostKey).public),
                KnownHosts.line('127.0.0.1', daemon.port(2), Keys.loadPrivateKey(hostKey).public)]
        scan.out.readLines().findAll { it.startsWith('# n') }.every { it.contains(fp) }
        auditedByScan.findAll { it.contains('"auth"') }.isEmpty()   // no login attempted, so none audited
        run.code == 0
        run.out.readLines().sort() == ['n1: hi', 'n2: hi']
    }

    def "keys scan shows a node's host certificate and its CA in comments"() {
        when:
        def scan = gproc(home, '-i', inventory.toString(), 'keys', 'scan', '-w', 'c1')

        then:
        scan.code == 0
        scan.out.contains("# c1 presents a host certificate 'loopback-cert' (serial 9) for 127.0.0.1, signed by CA "
                + Keys.fingerprint(CertificateAuthority.load(home.resolve('ca')).publicKey()))
        scan.out.readLines().any { it.startsWith('#   ssh-ed25519-cert-v01@openssh.com AAAA') }
        scan.out.readLines().last().startsWith("[127.0.0.1]:${certified.port()} ssh-ed25519 AAAA")
    }

    def "keys scan names an unreachable node and why on stderr, prints the others, and exits 1"() {
        when:
        def scan = gproc(home, '-i', inventory.toString(), 'keys', 'scan', '-w', 'n1,gone')

        then:
        scan.code == 1
        scan.out.readLines().count { !it.startsWith('#') } == 1
        scan.err.readLines().size() == 1
        scan.err =~ /^gproc keys scan: gone \(127\.0\.0\.1:\d+\): cannot connect: .*refused/
    }

    def "without --accept-new an unknown node is refused naming the flag and keys scan; with it the key is recorded and used"() {
        given:
        Path known = home.resolve('first_use_known_hosts')

        when:
        def refused = exec(known, 'n[1-2]')

        then:
        refused.code != 0
        refused.err.contains('--accept-new')
        refused.err.contains('gproc keys scan')
        !refused.err.contains('HostKeyPolicy')
        !Files.exists(known) || known.text.isBlank()

        when:
        def accepted = exec(known, 'n[1-2]', '--accept-new')
        def again = exec(known, 'n[1-2]')

        then:
        accepted.code == 0
        accepted.out.readLines().sort() == ['n1: hi', 'n2: hi']
        known.readLines().findAll { !it.startsWith('#') && !it.isBlank() }.size() == 2
        again.code == 0
    }

    def "a changed key is refused even with --accept-new, naming host, port, both fingerprints and the file:line to fix"() {
        given:
        Path known = home.resolve('stale_known_hosts')
        def old = Keys.generate().public
        known.text = KnownHosts.line('127.0.0.1', daemon.port(1), old) + '\n'

        when:
        def r = exec(known, 'n1', '--accept-new')

        then:
        r.code != 0
        r.err.contains("127.0.0.1 port ${daemon.port(1)}: HOST KEY MISMATCH")
        r.err.contains(Keys.fingerprint(old))
        r.err.contains(Keys.fingerprint(Keys.loadPrivateKey(hostKey).public))
        r.err.contains("${known}:1")
        known.readLines().size() == 1
    }
}
