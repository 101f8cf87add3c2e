package org.gproc.daemon.relay

import org.gproc.daemon.GprocDaemon
import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.NinePClient
import org.gproc.transport.ssh.KnownHosts
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.SshConnector

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * Real daemons on loopback for relay specs: users alice@lab and bob@lab, and daemons started by name, each with its
 * host key made before it starts (so another daemon's authorized_keys can name it as a relay principal). The client
 * trusts each daemon only through a known_hosts file with its key.
 */
class RelayCluster implements AutoCloseable {
    final Path dir = Files.createTempDirectory('gprocd-relay-spec')
    final Map<String, KeyPair> users = [:]
    final Map<String, GprocDaemon> daemons = [:]
    final List<SshConnector> connectors = []
    final List<NinePClient> clients = []

    RelayCluster() {
        ['alice@lab', 'bob@lab'].each { users[it] = Keys.generate() }
    }

    /** The host key file of daemon {@code name}, generated now if missing. */
    Path hostKey(String name) {
        Path file = dir.resolve("$name/host_key")
        Files.createDirectories(file.parent)
        Keys.loadOrGenerate(file, name)
        file
    }

    /** The public host key line of daemon {@code name} (its KEYSPEC). */
    String keySpec(String name) {
        Keys.publicKeyLine(Keys.loadPrivateKey(hostKey(name)).public)
    }

    /**
     * Starts daemon {@code name}: authorized_keys lists the users and, as principal {@code relay-R}, the host key of
     * each daemon R in {@code relaysIn}.
     */
    GprocDaemon start(String name, List<String> relaysIn = [], Closure<?> configure = {}) {
        Path authorized = dir.resolve("$name/authorized_keys")
        Files.createDirectories(authorized.parent)
        List<String> lines = users.collect { principal, pair -> Keys.publicKeyLine(pair.public) + ' ' + principal }
        relaysIn.each { r -> lines << keySpec(r) + " relay-$r" }
        Files.writeString(authorized, lines.join('\n') + '\n')
        def b = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(hostKey(name)).authorizedKeys(authorized)
                .stateDir(dir.resolve("$name/state")).auditLog(dir.resolve("$name/audit.jsonl"))
                .stopTimeout(Duration.ofSeconds(2))
        configure(b)
        GprocDaemon d = b.start()
        daemons[name] = d
        Files.writeString(dir.resolve('known_hosts'), daemons.collect { n, dd ->
            KnownHosts.line('127.0.0.1', dd.port(), dd.hostKey()) }.join('\n') + '\n')
        d
    }

    Path audit(String name) {
        dir.resolve("$name/audit.jsonl")
    }

    /** The child line for daemon {@code name} as child NAME (its real key unless {@code keySpec} is given). */
    String childLine(String name, String otherKey = null) {
        "child $name 127.0.0.1 ${daemons[name].port()} ${otherKey ?: keySpec(name)}\n"
    }

    /** A 9P client of {@code principal} connected to daemon {@code name}, attaching with {@code uname}. */
    BlockingNinePClient connect(String principal, String name, String uname = 'nobody') {
        def c = SshConnector.builder().identity(users[principal]).knownHosts(dir.resolve('known_hosts')).build()
        connectors << c
        def channel = c.open('127.0.0.1', daemons[name].port())
        NinePClient client = NinePClient.connect(channel, 1 << 20, uname, '').get(30, TimeUnit.SECONDS)
        clients << client
        client.blocking(Duration.ofSeconds(60))
    }

    @Override
    void close() {
        clients.each { try { it.close() } catch (Exception ignored) { } }
        connectors.each { try { it.close() } catch (Exception ignored) { } }
        daemons.values().each { try { it.close() } catch (Exception ignored) { } }
        dir.toFile().deleteDir()
    }
}
