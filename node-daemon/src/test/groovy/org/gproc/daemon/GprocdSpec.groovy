package org.gproc.daemon

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

@Timeout(180)
class GprocdSpec extends Specification {
    Path dir = Files.createTempDirectory('gprocd-main')

    def cleanup() {
        dir.toFile().deleteDir()
    }

    static List<String> run(String... args) {
        def out = new StringWriter()
        def err = new StringWriter()
        def cmd = new CommandLine(new Gprocd())
        cmd.out = new PrintWriter(out)
        cmd.err = new PrintWriter(err)
        int code = cmd.execute(args)
        [code as String, out.toString(), err.toString()]
    }

    def "--help lists the contract flags and says what SIGTERM does to running processes"() {
        when:
        def (code, out, err) = run('--help')

        then:
        code == '0'
        ['--listen', '--host-key', '--authorized-keys', '--state-dir', '--admin', '--grace', '--max-sessions',
         '--spool-cap', '--cache-quota', '--msize', '--instances', '--write-inventory', '--trusted-user-ca',
         '--revoked', '--host-cert', '--cert-expiry-grace', '--max-startups'].every { out.contains(it) }
        out.replaceAll(/\s+/, ' ').contains('sends SIGTERM to every running process group, SIGKILL to those still running')
        out.replaceAll(/\s+/, ' ').contains('dropped with RATE% probability, rising to 100% at FULL')
        err == ''   // picocli reports a help text it cannot format on stderr
    }

    def "missing contract flags are named"() {
        when:
        def (code, out, err) = run('--listen', '127.0.0.1:0')

        then:
        code == '2'
        err.contains("Missing required options: '--host-key=FILE', '--state-dir=DIR'")
    }

    def "a size that is not one is named: '#size'"() {
        when:
        def (code, out, err) = run('--listen', '127.0.0.1:0', '--host-key', 'k', '--authorized-keys', 'a',
                '--state-dir', 's', '--spool-cap', size)

        then:
        code == '2'
        err.contains("'$size' is not a size (a number with an optional K, M, G or T suffix)")

        where:
        size << ['12X', 'lots', '']
    }

    def "sizes take binary suffixes"() {
        expect:
        new Gprocd.SizeConverter().convert(text) == bytes

        where:
        text   || bytes
        '512'  || 512L
        '64K'  || 65536L
        '1m'   || 1048576L
        '2G'   || 2147483648L
    }

    def "--help lists the relay flags"() {
        when:
        def (code, out, err) = run('--help')

        then:
        code == '0'
        ['--relay', '--relay-for', '--relay-cert', '--trusted-relay'].every { out.contains(it + ' ') || out.contains(it + '=') }
    }

    def "#flag without --relay is refused, naming both flags"() {
        when:
        def (code, out, err) = run('--listen', '127.0.0.1:0', '--host-key', dir.resolve('k').toString(),
                '--authorized-keys', dir.resolve('a').toString(), '--state-dir', dir.resolve('s').toString(),
                flag, dir.resolve('f').toString())

        then:
        code != '0'
        err.contains("$flag configures relaying: give --relay too")

        where:
        flag << ['--relay-for', '--relay-cert']
    }

    def "a session limit is refused at start, naming the flag and the controller, where the cgroup lacks it"() {
        given:
        def alice = Keys.generate()
        Path authorized = dir.resolve('authorized_keys')
        Files.writeString(authorized, Keys.publicKeyLine(alice.public) + ' alice@lab\n')
        def out = new StringWriter()
        def err = new StringWriter()
        def cmd = Gprocd.commandLine()
        cmd.out = new PrintWriter(out)
        cmd.err = new PrintWriter(err)

        when: 'this machine delegates no memory controller to cgroup v2 (hybrid mount, no controllers)'
        int code = cmd.execute('--listen', '127.0.0.1:0', '--host-key', dir.resolve('host_key').toString(),
                '--authorized-keys', authorized.toString(), '--state-dir', dir.resolve('state').toString(),
                '--session-memory', '64M')

        then:
        code == 1
        err.toString().startsWith('gprocd: --session-memory: ')
        err.toString().contains('memory controller is not available') || err.toString().contains('need a cgroup v2')
    }

    def "a negative --session-pids is refused"() {
        when:
        def (code, out, err) = run('--listen', '127.0.0.1:0', '--host-key', 'k', '--authorized-keys', 'a',
                '--state-dir', 's', '--session-pids', '-1')

        then:
        code == '2'
        err.contains('--session-pids -1 must be 0 (none) or more')
    }

    def "a listen address without a port is refused"() {
        when:
        def (code, out, err) = run('--listen', 'localhost', '--host-key', dir.resolve('k').toString(),
                '--authorized-keys', dir.resolve('a').toString(), '--state-dir', dir.resolve('s').toString())

        then:
        code != '0'
        err.contains("--listen 'localhost' is not HOST:PORT")
    }

    def "gprocd as a process: serves, writes its inventory, and on SIGTERM ends running processes and exits"() {
        given:
        def alice = Keys.generate()
        Path authorized = dir.resolve('authorized_keys')
        Files.writeString(authorized, Keys.publicKeyLine(alice.public) + ' alice@lab\n')
        Path inventory = dir.resolve('inv.groovy')
        String java = Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
        Process daemon = new ProcessBuilder(java, '-cp', System.getProperty('java.class.path'),
                'org.gproc.daemon.Gprocd', '--listen', '127.0.0.1:0', '--host-key', dir.resolve('host_key').toString(),
                '--authorized-keys', authorized.toString(), '--state-dir', dir.resolve('state').toString(),
                '--write-inventory', inventory.toString(), '--stop-timeout', '2')
                .redirectErrorStream(true).redirectOutput(dir.resolve('gprocd.log').toFile()).start()
        new PollingConditions(timeout: 60, delay: 0.2).eventually {
            assert Files.readString(dir.resolve('gprocd.log')).contains(': serving ')
        }
        int port = (Files.readString(inventory) =~ /port = (\d+)/)[0][1] as int
        SshConnector ssh = SshConnector.builder().identity(alice).knownHosts(dir.resolve('inv.groovy.known_hosts')).build()
        NinePClient client = NinePClient.connect(ssh.open('127.0.0.1', port), 1 << 16, 'x', '').get(30, TimeUnit.SECONDS)
        BlockingNinePClient c = client.blocking(Duration.ofSeconds(60))
        Fid ctl = c.open(c.walk('clone'), Message.ORDWR)
        int n = NinePFiles.text(c.read(ctl, 0, 16)) as int
        NinePFiles.writeFile(c, "$n/argv", 'sleep 100')
        c.write(ctl, 0, 'exec /bin/sleep'.bytes)
        long pid = NinePFiles.text(NinePFiles.readFile(c, "$n/ctl")).split(' ')[1] as long

        expect:
        Files.readString(dir.resolve('gprocd.log')).contains("serving n1 on 127.0.0.1:$port")
        ProcessHandle.of(pid).isPresent()

        when:
        daemon.destroy() // SIGTERM

        then:
        daemon.waitFor(60, TimeUnit.SECONDS)
        new PollingConditions(timeout: 30).eventually {
            assert !ProcessHandle.of(pid).map { it.isAlive() }.orElse(false)
        }
        !Files.exists(dir.resolve('state/n1/sessions/' + n))

        cleanup:
        client?.close()
        ssh?.close()
        daemon?.destroyForcibly()
    }
}
