package org.gproc.daemon

import org.gproc.transport.cert.CertificateAuthority
import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePClient
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.SshConnector
import picocli.CommandLine
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * gprocd with a cluster CA: certificate-only logins (--trusted-user-ca without --authorized-keys), a host
 * certificate (--host-cert), revocation (--revoked) and the pre-auth cap (--max-startups); every file error names
 * its flag.
 */
@Timeout(240)
class CertificateDaemonSpec extends Specification {
    Path dir = Files.createTempDirectory('gprocd-cert')
    CertificateAuthority ca = CertificateAuthority.init(dir.resolve('ca'))
    Path caPub = dir.resolve('ca/ca.pub')

    def cleanup() {
        dir.toFile().deleteDir()
    }

    /** A user key (KEY) with a certificate (KEY-cert.pub) for {@code principals}. */
    Path userKey(String name, List<String> principals, long serial = 1) {
        Path key = dir.resolve(name)
        Keys.write(Keys.generate(), key, "$name@laptop")
        ca.signUserKeyFile(Path.of("${key}.pub"), principals, Duration.ofHours(1), serial, name)
        key
    }

    /** A host key with a host certificate for 127.0.0.1 beside it. */
    Path hostKey() {
        Path key = dir.resolve('host_key')
        Keys.write(Keys.generate(), key, 'node')
        ca.signHostKeyFile(Path.of("${key}.pub"), ['127.0.0.1'], Duration.ofHours(1), 1000, 'n1')
        key
    }

    Path caKnownHosts(int port) {
        Path kh = dir.resolve('known_hosts_ca')
        Files.writeString(kh, "@cert-authority [127.0.0.1]:${port} ${ca.publicKeyLine()}\n")
        kh
    }

    static BlockingNinePClient nineP(SshConnector ssh, int port) {
        NinePClient.connect(ssh.open('127.0.0.1', port), 1 << 16, 'x', '').get(60, TimeUnit.SECONDS)
                .blocking(Duration.ofSeconds(60))
    }

    /** Clones a session and returns its ctl line (which names the owner). */
    static String cloneAndReadCtl(BlockingNinePClient c) {
        Fid ctl = c.open(c.walk('clone'), Message.ORDWR)
        int n = NinePFiles.text(c.read(ctl, 0, 16)) as int
        NinePFiles.text(NinePFiles.readFile(c, "$n/ctl"))
    }

    static List<String> run(String... args) {
        def out = new StringWriter()
        def err = new StringWriter()
        CommandLine cmd = Gprocd.commandLine()
        cmd.out = new PrintWriter(out)
        cmd.err = new PrintWriter(err)
        int code = cmd.execute(args)
        [code as String, out.toString(), err.toString()]
    }

    def "gprocd with only --trusted-user-ca and --host-cert serves; user bob with alice's certificate owns sessions as alice"() {
        given:
        Path host = hostKey()
        Path alice = userKey('alice', ['alice'])
        Path revoked = dir.resolve('revoked')
        Files.writeString(revoked, '# none\n')
        String java = Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
        Path log = dir.resolve('gprocd.log')
        Path inventory = dir.resolve('inv.groovy')
        Process daemon = new ProcessBuilder(java, '-cp', System.getProperty('java.class.path'),
                'org.gproc.daemon.Gprocd', '--listen', '127.0.0.1:0', '--host-key', host.toString(),
                '--host-cert', "${host}-cert.pub".toString(), '--trusted-user-ca', caPub.toString(),
                '--revoked', revoked.toString(), '--cert-expiry-grace', '5', '--max-startups', '8:50:16',
                '--per-source-max-startups', '4', '--per-source-penalties', 'authfail:5s min:15s',
                '--per-source-netblock-size', '24:64',
                '--state-dir', dir.resolve('state').toString(), '--write-inventory', inventory.toString(),
                '--stop-timeout', '2')
                .redirectErrorStream(true).redirectOutput(log.toFile()).start()
        new PollingConditions(timeout: 90, delay: 0.2).eventually {
            assert Files.readString(log).contains(': serving ')
        }
        int port = (Files.readString(inventory) =~ /port = (\d+)/)[0][1] as int
        SshConnector ssh = SshConnector.builder().identity(alice).knownHosts(caKnownHosts(port)).username('bob').build()

        when:
        def c = nineP(ssh, port)

        then: 'the host certificate was accepted through the CA line alone, and the session owner is alice'
        cloneAndReadCtl(c).contains('owner=alice ')

        when: 'a plain key (no certificate) is refused: there is no authorized_keys'
        SshConnector plain = SshConnector.builder().identity(alice).noCertificate().knownHosts(caKnownHosts(port)).build()
        plain.open('127.0.0.1', port)

        then:
        thrown(IOException)

        cleanup:
        ssh?.close()
        plain?.close()
        daemon?.destroy()
        daemon?.waitFor(60, TimeUnit.SECONDS)
        daemon?.destroyForcibly()
    }

    def "in-process: a revoked certificate serial is refused by the daemon while another certificate still works"() {
        given:
        Path revoked = dir.resolve('revoked')
        Files.writeString(revoked, 'serial: 66\n')
        Path good = userKey('carol', ['carol'], 65)
        Path bad = userKey('mallory', ['alice'], 66)
        GprocDaemon d = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('hk'))
                .trustedUserCa(caPub).revoked(revoked).stateDir(dir.resolve('state')).start()
        Path kh = d.writeInventory(dir.resolve('c.groovy')).resolveSibling('c.groovy.known_hosts')

        when:
        SshConnector carol = SshConnector.builder().identity(good).knownHosts(kh).build()
        String ctl = cloneAndReadCtl(nineP(carol, d.port(1)))

        then:
        ctl.contains('owner=carol ')

        when:
        SshConnector mallory = SshConnector.builder().identity(bad).knownHosts(kh).build()
        mallory.open('127.0.0.1', d.port(1))

        then:
        thrown(IOException)

        cleanup:
        carol?.close()
        mallory?.close()
        d?.close()
    }

    def "gprocd refuses to start without --authorized-keys or --trusted-user-ca"() {
        when:
        def (code, out, err) = run('--listen', '127.0.0.1:0', '--host-key', dir.resolve('k').toString(),
                '--state-dir', dir.resolve('s').toString())

        then:
        code == '2'
        err.contains('give --authorized-keys FILE, --trusted-user-ca FILE or both')
    }

    def "gprocd names the flag when #flag is #what"() {
        given:
        Path host = hostKey()
        Path file = dir.resolve('the-file')
        if (content == 'OTHER_HOST_CERT') {
            Path other = dir.resolve('other_key')
            Keys.write(Keys.generate(), other, 'x')
            file = ca.signHostKeyFile(Path.of("${other}.pub"), ['127.0.0.1'], Duration.ofHours(1), 5, 'other')
        } else if (content == 'USER_CERT') {
            file = Path.of("${userKey('u', ['alice'])}-cert.pub")
        } else if (content != null) {
            Files.writeString(file, content)
        }
        List<String> args = ['--listen', '127.0.0.1:0', '--host-key', host.toString(),
                             '--state-dir', dir.resolve('s').toString(), '--trusted-user-ca',
                             flag == '--trusted-user-ca' ? file.toString() : caPub.toString()]
        if (flag != '--trusted-user-ca') {
            args += [flag, file.toString()]
        }

        when:
        def (code, out, err) = run(args as String[])

        then:
        code == '1'
        err.startsWith("gprocd: $flag $file: ")
        err.contains(words)

        where:
        flag                | what                     | content            | words
        '--trusted-user-ca' | 'missing'                | null               | 'the-file'
        '--trusted-user-ca' | 'not a key file'         | 'hello\n'          | 'expected an ssh-ed25519 public key line'
        '--revoked'         | 'missing'                | null               | 'the-file'
        '--revoked'         | 'unparseable'            | 'serial: soon\n'   | 'line 1'
        '--host-cert'       | 'missing'                | null               | 'the-file'
        '--host-cert'       | 'garbage'                | 'not a cert\n'     | 'the-file'
        '--host-cert'       | 'for another key'        | 'OTHER_HOST_CERT'  | 'not the --host-key'
        '--host-cert'       | 'a user certificate'     | 'USER_CERT'        | 'is a user certificate'
    }

    def "gprocd refuses --host-cert when the host key does not exist yet"() {
        given:
        Path host = hostKey()
        Path cert = Path.of("${host}-cert.pub")

        when:
        def (code, out, err) = run('--listen', '127.0.0.1:0', '--host-key', dir.resolve('new_key').toString(),
                '--host-cert', cert.toString(), '--trusted-user-ca', caPub.toString(),
                '--state-dir', dir.resolve('s').toString())

        then:
        code == '1'
        err.contains("--host-cert $cert: --host-key ${dir.resolve('new_key')} does not exist yet")
    }

    def "gprocd refuses #args"() {
        when:
        def (code, out, err) = run((['--listen', '127.0.0.1:0', '--host-key', dir.resolve('k').toString(),
                                     '--state-dir', dir.resolve('s').toString(), '--trusted-user-ca',
                                     caPub.toString()] + args) as String[])

        then:
        code == '2'
        err.contains(words)

        where:
        args                                  | words
        ['--max-startups', '0']               | '--max-startups 0: max startups must be at least 1, not 0'
        ['--max-startups', 'many']            | "--max-startups many: 'many' is neither N nor START:RATE:FULL (e.g. 10:30:100)"
        ['--max-startups', '30:10:10']        | '--max-startups 30:10:10: max startups 30:10:10 must have 1 <= START <= FULL'
        ['--max-startups', '10:0:100']        | 'RATE between 1 and 100'
        ['--per-source-max-startups', '0']    | "--per-source-max-startups 0: must be at least 1, or 'none'"
        ['--per-source-max-startups', 'x']    | "--per-source-max-startups x: 'x' is not a number"
        ['--per-source-penalties', 'authfail'] | "--per-source-penalties authfail: 'authfail' is not KEY:VALUE (e.g. authfail:5s)"
        ['--per-source-penalties', 'crash:90s'] | "'crash:90s': unknown penalty 'crash' (authfail, noauth, grace-exceeded, min, max, max-sources4, max-sources6)"
        ['--per-source-penalties', 'authfail:soon'] | "'authfail:soon': 'soon' is not a duration (e.g. 5s, 10m)"
        ['--per-source-penalties', 'min:20m'] | 'max:600s is below min:1200s'
        ['--per-source-netblock-size', '33'] | '--per-source-netblock-size 33: prefix lengths must be 0-32 (IPv4) and 0-128 (IPv6)'
        ['--per-source-netblock-size', '24:x'] | "--per-source-netblock-size 24:x: '24:x' is not a number"
        ['--cert-expiry-grace', '-1']         | '--cert-expiry-grace -1 must be zero or more seconds'
        ['--cert-expiry-grace', 'soon']       | "'soon' is not a long"
    }
}
