package org.gproc.transport.testing

import org.gproc.transport.ssh.KnownHosts
import org.gproc.transport.ssh.Keys

import java.nio.file.Files
import java.nio.file.Path
import java.security.PublicKey
import java.util.concurrent.TimeUnit

/**
 * A real gprocd process inside one of a {@link Netns}'s namespaces, started from this JVM's class path (so the
 * module running the spec must have node-daemon on it). Its host key is made before it starts, so known_hosts lines
 * are ready at once; it is up when its log says it serves. As root it runs every principal's processes as
 * {@code nobody} through a user map, never as root. Stopped by {@link #close} or by the Netns's cleanup.
 *
 * <pre>
 * def d = NetnsGprocd.start(net, ns, '10.77.2.2', 5640, dir.resolve('b'), authorizedKeys: keys, instances: 2,
 *         principals: ['alice@lab'], extra: ['--gateway-for', file.toString()])
 * </pre>
 */
class NetnsGprocd implements Closeable {
    final String ns
    final String host
    final int port
    final int instances
    final Path dir
    final PublicKey hostKey
    final Path log
    final Path auditLog
    private final Process process

    private NetnsGprocd(String ns, String host, int port, int instances, Path dir, PublicKey hostKey, Path log,
                        Path auditLog, Process process) {
        this.ns = ns
        this.host = host
        this.port = port
        this.instances = instances
        this.dir = dir
        this.hostKey = hostKey
        this.log = log
        this.auditLog = auditLog
        this.process = process
    }

    /**
     * Options: {@code authorizedKeys} (Path, required), {@code instances} (default 1), {@code principals} (mapped to
     * nobody when running as root), {@code extra} (more gprocd flags), {@code mainClass} (default
     * org.gproc.daemon.Gprocd).
     */
    static NetnsGprocd start(Map options, Netns net, String ns, String host, int port, Path dir) {
        Files.createDirectories(dir)
        Path hostKeyFile = dir.resolve('host_key')
        PublicKey hostKey = Keys.loadOrGenerate(hostKeyFile, "gprocd ${ns}").public
        int instances = (options.instances ?: 1) as int
        Path log = dir.resolve('gprocd.log')
        Path audit = dir.resolve('audit.log')
        Path userMap = dir.resolve('user_map')
        Files.write(userMap, ((options.principals ?: []) as List<String>).collect { "${it} nobody".toString() })
        List<String> args = ['--listen', "${host}:${port}", '--host-key', hostKeyFile, '--authorized-keys',
                             options.authorizedKeys, '--state-dir', dir.resolve('state'), '--audit-log', audit,
                             '--user-map', userMap, '--instances', instances, '--stop-timeout', '2',
                             '--local-exec', '',
                             // specs refuse keys on purpose, all from the one address of the control namespace
                             '--per-source-penalties', 'no'] + ((options.extra ?: []) as List)
        Process p = net.java(ns, (options.mainClass ?: 'org.gproc.daemon.Gprocd') as String, args*.toString(), log)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120)
        while (p.alive && System.nanoTime() < deadline && !serving(log)) {
            Thread.sleep(50) // polling the log; the condition, not the sleep, decides
        }
        if (!serving(log)) {
            p.destroyForcibly()
            throw new IllegalStateException("gprocd in ${ns} did not start: ${Files.exists(log) ? log.text : 'no log'}")
        }
        new NetnsGprocd(ns, host, port, instances, dir, hostKey, log, audit, p)
    }

    private static boolean serving(Path log) {
        Files.exists(log) && log.text.contains(': serving ')
    }

    /** known_hosts lines for every instance, under the address clients dial. */
    List<String> knownHostsLines(String name = host) {
        (0..<instances).collect { KnownHosts.line(name, port + it, hostKey) }
    }

    /** The audit log's lines so far. */
    List<String> audit() {
        Files.exists(auditLog) ? auditLog.readLines() : []
    }

    boolean isAlive() {
        process.alive
    }

    /** kill -9 of the daemon's JVM (ip netns exec runs it in place, so the process is the daemon): no goodbye. */
    void kill() {
        process.destroyForcibly()
        process.waitFor(20, TimeUnit.SECONDS)
    }

    @Override
    void close() {
        process.destroy()
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS)
        }
    }
}
