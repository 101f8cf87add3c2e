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

    DaemonCluster(int nodes) {
        dir = Files.createTempDirectory('gproc-surfaces')
        Path identity = dir.resolve('id_ed25519')
        def user = Keys.loadOrGenerate(identity, 'alice@lab')
        Path authorized = dir.resolve('authorized_keys')
        Files.writeString(authorized, Keys.publicKeyLine(user.public) + ' alice@lab\n')
        daemon = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('host_key'))
                .authorizedKeys(authorized).stateDir(dir.resolve('state')).stopTimeout(Duration.ofSeconds(2))
                .instances(nodes).start()
        inventoryFile = daemon.writeInventory(dir.resolve('cluster.groovy'))
        inventory = Inventory.load(inventoryFile).withIdentity(identity)
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
