package org.gproc.cli

import org.gproc.daemon.GprocDaemon
import org.gproc.transport.ssh.Keys
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** --tree-width through the real command line: four relaying daemons that trust each other's host key. */
@Timeout(120)
class TreeWidthCliSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared @AutoCleanup GprocDaemon daemon
    @Shared Path inventory
    @Shared Path identity

    def setupSpec() {
        identity = dir.resolve('id_ed25519')
        def user = Keys.loadOrGenerate(identity, 'alice@lab')
        def host = Keys.loadOrGenerate(dir.resolve('host_key'), 'host')
        Path authorized = dir.resolve('authorized_keys')
        Files.writeString(authorized, Keys.publicKeyLine(user.public) + ' alice@lab\n'
                + Keys.publicKeyLine(host.public) + ' relay@lab\n')
        daemon = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('host_key'))
                .authorizedKeys(authorized).stateDir(dir.resolve('state')).instances(4)
                .relay(true).trustedRelays(['relay@lab']).start()
        inventory = daemon.writeInventory(dir.resolve('cluster.groovy'))
    }

    Map gproc(String... args) {
        def out = new StringWriter()
        def err = new StringWriter()
        def cl = GprocCli.commandLine(new GprocCli([:], dir, new ByteArrayInputStream(new byte[0])))
        cl.out = new PrintWriter(out)
        cl.err = new PrintWriter(err)
        int code = cl.execute(['-i', inventory.toString(), '--identity', identity.toString(), *args] as String[])
        [code: code, out: out.toString(), err: err.toString()]
    }

    def "exec through a tree of width 2 prints what flat prints and keeps every exit code"() {
        when:
        def flat = gproc('exec', '-w', 'n[1-4]', '--', '/bin/sh', '-c', 'echo $0; exit 3', 'same')
        def tree = gproc('--tree-width', '2', 'exec', '-w', 'n[1-4]', '--', '/bin/sh', '-c', 'echo $0; exit 3', 'same')

        then:
        flat.code == 3
        tree.code == 3
        tree.out.readLines().sort() == flat.out.readLines().sort()
        tree.out.readLines().sort() == ['n1: same', 'n2: same', 'n3: same', 'n4: same']
        tree.err.readLines().sort() == flat.err.readLines().sort()
    }

    def "a tree width below 2 is refused with the rule"() {
        when:
        def r = gproc('--tree-width', '1', 'exec', '-w', 'n1', '--', '/bin/true')

        then:
        r.code == 2
        r.err.contains('tree width 1: a relay tree needs a width of at least 2')
    }
}
