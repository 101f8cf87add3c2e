package org.gproc.client

import org.gproc.daemon.GprocDaemon
import org.gproc.transport.ssh.Keys

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * A fixture of real node daemons on loopback (real SSH, keys trusted only through the known_hosts file the daemon
 * writes, real processes) and the means to connect clusters to them, for specs of the client's Groovy and Java
 * surfaces. Close it to stop the daemons and remove their files.
 */
class DaemonCluster implements Closeable {
    final Path dir
    final GprocDaemon daemon
    final Path inventoryFile
    final Inventory inventory

    /**
     * {@code nodes} node daemons in one process. With {@code relay: true} they relay (--relay) and trust their own
     * host key as principal relay@lab, so a node acts for the user when it relays to the others (a relay tree).
     */
    DaemonCluster(Map options = [:], int nodes) {
        dir = Files.createTempDirectory('gproc-surfaces')
        Path identity = dir.resolve('id_ed25519')
        def user = Keys.loadOrGenerate(identity, 'alice@lab')
        Path hostKey = dir.resolve('host_key')
        String authorized = Keys.publicKeyLine(user.public) + ' alice@lab\n'
        if (options.relay) {
            authorized += Keys.publicKeyLine(Keys.loadOrGenerate(hostKey, 'host').public) + ' relay@lab\n'
        }
        Path authorizedFile = dir.resolve('authorized_keys')
        Files.writeString(authorizedFile, authorized)
        def builder = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(hostKey).authorizedKeys(authorizedFile)
                .stateDir(dir.resolve('state')).stopTimeout(Duration.ofSeconds(2)).instances(nodes)
        if (options.relay) {
            builder.relay(true).trustedRelays(['relay@lab'])
        }
        daemon = builder.start()
        inventoryFile = daemon.writeInventory(dir.resolve('cluster.groovy'))
        inventory = Inventory.load(inventoryFile).withIdentity(identity)
    }

    /** The user's private key (its public half is in the daemons' authorized_keys as alice@lab). */
    Path identity() {
        dir.resolve('id_ed25519')
    }

    /** A new control node's view: its own connections, its own tracker. */
    Cluster connect(ProcessTracker tracker = new ProcessTracker()) {
        Cluster cluster = Cluster.connect(inventory, ClusterOptions.defaults().withTracker(tracker))
        assert cluster.down.empty
        cluster
    }

    @Override
    void close() {
        daemon?.close()
        dir.toFile().deleteDir()
    }
}
