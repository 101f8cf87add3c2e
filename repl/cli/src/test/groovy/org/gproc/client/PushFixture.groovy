package org.gproc.client

import org.gproc.daemon.GprocDaemon
import org.gproc.transport.ssh.Keys

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * Real daemons for push specs: {@code n1}, {@code n2} report this machine's arch; {@code a1} is a second daemon
 * started with the test-only {@code reportArch('aarch64')}, so one cluster has nodes of two arches. Both share a host
 * key, so one known_hosts line per port covers them. Also compiles C with the machine's compiler.
 */
class PushFixture implements Closeable {
    final Path dir
    final GprocDaemon native_
    final GprocDaemon arm
    final Inventory inventory

    PushFixture() {
        dir = Files.createTempDirectory('gproc-push')
        Path identity = dir.resolve('id_ed25519')
        def user = Keys.loadOrGenerate(identity, 'alice@lab')
        Path authorized = dir.resolve('authorized_keys')
        Files.writeString(authorized, Keys.publicKeyLine(user.public) + ' alice@lab\n')
        native_ = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('host_key'))
                .authorizedKeys(authorized).stateDir(dir.resolve('state-x')).stopTimeout(Duration.ofSeconds(2))
                .instances(2).start()
        arm = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('host_key'))
                .authorizedKeys(authorized).stateDir(dir.resolve('state-a')).stopTimeout(Duration.ofSeconds(2))
                .reportArch('aarch64').start()
        Path x = native_.writeInventory(dir.resolve('x.groovy'))
        Path a = arm.writeInventory(dir.resolve('a.groovy'))
        Path known = dir.resolve('known_hosts')
        Files.writeString(known, Files.readString(Path.of(x.toString() + '.known_hosts'))
                + Files.readString(Path.of(a.toString() + '.known_hosts')))
        inventory = Inventory.of('push-fixture', [new NodeAddress('n1', '127.0.0.1', native_.port(1)),
                                                  new NodeAddress('n2', '127.0.0.1', native_.port(2)),
                                                  new NodeAddress('a1', '127.0.0.1', arm.port(1))], [:])
                .withKnownHosts(known).withIdentity(identity)
    }

    Cluster connect() {
        Cluster cluster = Cluster.connect(inventory, ClusterOptions.defaults())
        assert cluster.down.empty
        cluster
    }

    /** {@code cc -o dir/NAME NAME.c ARGS}. */
    Path cc(String name, String source, List<String> args = []) {
        Path c = dir.resolve(name + '.c')
        Files.writeString(c, source)
        Path out = dir.resolve(name)
        def command = [System.getenv('GPROC_CC') ?: 'cc', '-o', out.toString(), c.toString()] + args
        def p = new ProcessBuilder(command).redirectErrorStream(true).start()
        String output = p.inputStream.text
        assert p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0: "cc failed: ${command.join(' ')}\n$output"
        out
    }

    /** A copy of {@code elf} whose ELF header says machine 183 (aarch64): never runnable here, but a real ELF file. */
    Path asAarch64(Path elf, String name) {
        byte[] data = Files.readAllBytes(elf)
        data[18] = (byte) 183
        data[19] = 0
        Path out = dir.resolve(name)
        Files.write(out, data)
        out.toFile().setExecutable(true)
        out
    }

    @Override
    void close() {
        native_?.close()
        arm?.close()
        dir.toFile().deleteDir()
    }
}
