package org.gproc.daemon

import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.NinePClient
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.SshConnector

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * A real daemon on loopback (real SSH, real processes) and real clients: Ed25519 keys for alice@lab, bob@lab and
 * root@lab (admin) in authorized_keys, the client trusting the host key only through the known_hosts file the daemon
 * writes with its inventory.
 */
class DaemonFixture implements AutoCloseable {
    final Path dir = Files.createTempDirectory('gprocd-spec')
    final Map<String, KeyPair> keys = [:]
    final GprocDaemon daemon
    final Path inventory
    final List<SshConnector> connectors = []
    final List<NinePClient> clients = []

    DaemonFixture(Closure<?> configure = {}) {
        Path authorized = dir.resolve('authorized_keys')
        Files.writeString(authorized, ['alice@lab', 'bob@lab', 'root@lab'].collect { principal ->
            KeyPair pair = Keys.generate()
            keys[principal] = pair
            Keys.publicKeyLine(pair.public) + ' ' + principal
        }.join('\n') + '\n')
        def builder = GprocDaemon.builder()
                .listen('127.0.0.1', 0)
                .hostKey(dir.resolve('host_key'))
                .authorizedKeys(authorized)
                .stateDir(dir.resolve('state'))
                .admin('root@lab')
                .stopTimeout(Duration.ofSeconds(2))
        configure(builder)
        daemon = builder.start()
        inventory = daemon.writeInventory(dir.resolve('cluster.groovy'))
    }

    Path knownHosts() {
        dir.resolve('cluster.groovy.known_hosts')
    }

    SshConnector connector(String principal) {
        def c = SshConnector.builder().identity(keys[principal]).knownHosts(knownHosts())
                .username('nobody-in-particular').build()
        connectors << c
        c
    }

    /** A 9P client over a fresh SSH connection to node {@code n} as {@code principal}. */
    BlockingNinePClient connect(String principal = 'alice@lab', int n = 1, SshConnector via = null) {
        def channel = (via ?: connector(principal)).open('127.0.0.1', daemon.port(n))
        NinePClient c = NinePClient.connect(channel, 1 << 20, 'root', '').get(30, TimeUnit.SECONDS)
        clients << c
        c.blocking(Duration.ofSeconds(120))
    }

    @Override
    void close() {
        clients.each { try { it.close() } catch (Exception ignored) { } }
        connectors.each { try { it.close() } catch (Exception ignored) { } }
        daemon?.close()
        dir.toFile().deleteDir()
    }
}
