package org.gproc.daemon

import org.gproc.transport.ninep.NinePClient
import org.gproc.transport.ssh.JumpHost
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.KnownHosts
import org.gproc.transport.ssh.SshConnector
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit

/** gprocd --gateway-for FILE: a daemon that forwards to FILE's nodes, audits each jump, and refuses a broken FILE. */
@Timeout(180)
class GatewayDaemonSpec extends Specification {
    @TempDir Path dir

    Path authorized(KeyPair alice) {
        Path file = dir.resolve('authorized_keys')
        Files.writeString(file, Keys.publicKeyLine(alice.public) + ' alice@lab\n')
        file
    }

    def "a daemon started with --gateway-for forwards to the file's node and audits the jump"() {
        given:
        def alice = Keys.generate()
        Path keys = authorized(alice)
        GprocDaemon node = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('node_key'))
                .authorizedKeys(keys).stateDir(dir.resolve('node')).start()
        Path file = dir.resolve('site.groovy')
        Files.writeString(file, "nodes { b1 { host = '127.0.0.1'; port = ${node.port()} } }\n")
        GprocDaemon gateway = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('gw_key'))
                .authorizedKeys(keys).stateDir(dir.resolve('gw')).auditLog(dir.resolve('audit.log'))
                .gatewayFor(file).start()
        Path knownHosts = dir.resolve('known_hosts')
        Files.write(knownHosts, [KnownHosts.line('127.0.0.1', node.port(), node.hostKey()),
                                 KnownHosts.line('127.0.0.1', gateway.port(), gateway.hostKey())])
        SshConnector ssh = SshConnector.builder().identity(alice).knownHosts(knownHosts).build()

        when:
        NinePClient c = NinePClient.connect(ssh.connect([new JumpHost('127.0.0.1', gateway.port())], '127.0.0.1',
                node.port()).get(60, TimeUnit.SECONDS), 8192, 'alice', '').get(60, TimeUnit.SECONDS)

        then:
        c.msize() == 8192
        new PollingConditions(timeout: 30).eventually {
            assert Files.readAllLines(dir.resolve('audit.log')).any {
                it.contains('"event":"jump"') && it.contains('"principal":"alice@lab"') && it.contains('"target":"b1"') &&
                        it.contains("\"address\":\"127.0.0.1:${node.port()}\"") && it.contains('"outcome":"accepted"')
            }
        }

        when: 'a port the file does not list'
        ssh.connect([new JumpHost('127.0.0.1', gateway.port())], '127.0.0.1', gateway.port()).get(60, TimeUnit.SECONDS)

        then:
        def e = thrown(ExecutionException)
        e.cause.message.contains('administratively prohibited')
        new PollingConditions(timeout: 30).eventually {
            assert Files.readAllLines(dir.resolve('audit.log')).any {
                it.contains('"event":"jump"') && it.contains('"outcome":"refused"') &&
                        it.contains("is not a node this gateway forwards to")
            }
        }

        cleanup:
        c?.close()
        ssh?.close()
        gateway?.close()
        node?.close()
    }

    def "a --gateway-for file that is missing or broken stops the daemon before it listens, naming flag, file and rule: #why"() {
        given:
        Path file = dir.resolve('site.groovy')
        if (text != null) {
            Files.writeString(file, text)
        }

        when:
        GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('gw_key'))
                .authorizedKeys(authorized(Keys.generate())).stateDir(dir.resolve('gw')).gatewayFor(file).start()

        then:
        def e = thrown(IOException)
        e.message.startsWith("--gateway-for ${file}: ")
        e.message.contains(message)

        where:
        why             | text                                                                      || message
        'missing'       | null                                                                      || 'no such file'
        'misspelt via'  | "nodes {\n gwb { host = 'g' }\n b1 { host = 'b'; via = 'gbb' }\n}\n"      || "node 'b1': via 'gbb' is not a node of this inventory (did you mean 'gwb'?)"
        'no nodes'      | "cluster { knownHosts = 'k' }\n"                                          || 'defines no nodes'
    }

    def "gprocd --help names --gateway-for and says nothing is forwarded without it"() {
        when:
        def (code, out, err) = GprocdSpec.run('--help')

        then:
        code == '0'
        out.contains('--gateway-for=FILE')
        out.replaceAll(/\s+/, ' ').contains('Without it no forwarding of any kind is accepted.')
    }
}
