package org.gproc.transport.ssh

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A real OpenSSH sshd for interop specs: loopback only, our own config (nothing from /etc/ssh), one subsystem
 * {@code xcpu@gproc} that is {@code /bin/cat}. sshd cannot bind port 0 and tell us, so a free port is picked and the
 * start retried on a bind race.
 */
class Sshd implements Closeable {
    static final Path BINARY = Path.of('/usr/sbin/sshd')

    final Path dir
    final Path hostKey
    final int port
    private final Process process
    private final Path log

    /** sshd and the privilege separation directory it refuses to start without (.ci/run makes both). */
    static boolean available() {
        Files.isExecutable(BINARY) && Files.isDirectory(Path.of('/run/sshd'))
    }

    /** {@code settings}: extra sshd_config lines, e.g. {@code TrustedUserCAKeys /path/ca.pub}. */
    static Sshd start(Path dir, List<String> settings) {
        Path hostKey = dir.resolve('sshd_host_key')
        if (!Files.exists(hostKey)) {
            OpenSsh.keygen(dir, 'sshd_host_key', 'sshd host key')
        }
        for (int attempt = 1; ; attempt++) {
            int port = new ServerSocket(0, 1, InetAddress.getByName('127.0.0.1')).withCloseable { it.localPort }
            Path config = dir.resolve("sshd_config_${port}")
            Files.write(config, ["Port ${port}", 'ListenAddress 127.0.0.1', "HostKey ${hostKey}", 'PidFile none',
                                 'UsePAM no', 'StrictModes no', 'PasswordAuthentication no',
                                 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes',
                                 'Subsystem xcpu@gproc /bin/cat', 'LogLevel VERBOSE'].collect { it.toString() }
                    + settings)
            Path log = dir.resolve("sshd_${port}.log")
            Process p = new ProcessBuilder(BINARY.toString(), '-D', '-e', '-f', config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start()
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
            while (System.nanoTime() < deadline && p.alive && !Files.readString(log).contains('Server listening')) {
                Thread.sleep(20) // polling a log file; the condition, not the sleep, decides
            }
            if (p.alive && Files.readString(log).contains('Server listening')) {
                return new Sshd(dir, hostKey, port, p, log)
            }
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS)
            if (attempt == 3) {
                throw new IllegalStateException("sshd did not start: ${Files.readString(log)}")
            }
        }
    }

    private Sshd(Path dir, Path hostKey, int port, Process process, Path log) {
        this.dir = dir
        this.hostKey = hostKey
        this.port = port
        this.process = process
        this.log = log
    }

    /** known_hosts pinning this sshd's host key for 127.0.0.1:port. */
    Path knownHosts() {
        OpenSsh.knownHostsFor(dir, port, Keys.fromBlob('ssh-ed25519',
                Base64.decoder.decode(Files.readString(Path.of("${hostKey}.pub")).split(/\s+/)[1])))
    }

    String log() {
        Files.readString(log)
    }

    @Override
    void close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS)
        }
    }
}
