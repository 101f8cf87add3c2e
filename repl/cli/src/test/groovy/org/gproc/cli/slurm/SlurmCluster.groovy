package org.gproc.cli.slurm

import org.gproc.client.ChildJvm
import org.gproc.client.Inventory

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A real Slurm on this machine (slurm-loopback.sh: slurmctld and one slurmd per node name, munge auth), plus
 * launchers for gproc and gprocd running this build's classes, and a HOME of its own. Needs root and the Debian
 * Slurm packages (.ci/run installs them); {@link #available} says why not when they are missing.
 */
class SlurmCluster {
    static final Path SCRIPT = Path.of(System.getProperty('gproc.root'), 'repl/cli/src/test/slurm/slurm-loopback.sh')

    final Path dir
    final Path home
    final Path bin
    final String addrMode
    final String prefix
    final int ctlPort
    Map<String, String> env

    /** Null when Slurm can run here, else why not. */
    static String unavailable() {
        if (['id', '-u'].execute().text.trim() != '0') {
            return 'slurmd must run as root'
        }
        for (cmd in ['slurmctld', 'slurmd', 'srun', 'salloc', 'sbatch', 'munged', 'setsid']) {
            if (['sh', '-c', "command -v $cmd"].execute().waitFor() != 0) {
                return "$cmd is not installed (apt-get install slurmctld slurmd slurm-client munge)"
            }
        }
        null
    }

    SlurmCluster(Path dir, String addrMode, String prefix, int ctlPort) {
        this.dir = dir
        this.addrMode = addrMode
        this.prefix = prefix
        this.ctlPort = ctlPort
        this.home = dir.resolve('home')
        this.bin = dir.resolve('bin')
    }

    void start() {
        // munged insists that every directory above its socket is searchable by all (a @TempDir is 0700)
        for (Path p = dir; p != null; p = p.parent) {
            p.toFile().setExecutable(true, false)
        }
        Files.createDirectories(home)
        Files.createDirectories(bin)
        writeLaunchers()
        def r = loopback('start')
        assert r.code == 0: "slurm-loopback start failed:\n${r.out}"
        String conf = r.out.readLines().find { it.startsWith('export SLURM_CONF=') }.substring('export SLURM_CONF='.length())
        env = [SLURM_CONF: conf, HOME: home.toString(), PATH: "${bin}:${System.getenv('PATH')}".toString(),
               GPROCD: bin.resolve('gprocd').toString(), GPROC_NO_CDS: '1']
    }

    void stop() {
        loopback('stop')
    }

    private Map loopback(String verb) {
        def pb = new ProcessBuilder('bash', SCRIPT.toString(), verb).redirectErrorStream(true)
        pb.environment().putAll(SLURM_LB_DIR: dir.resolve('slurm').toString(), SLURM_LB_PORT: ctlPort.toString(),
                SLURM_LB_PREFIX: prefix, SLURM_LB_ADDR: addrMode, SLURM_LB_ETC_HOSTS: addrMode == 'distinct' ? '1' : '0',
                SLURM_LB_NODES: '4')
        def p = pb.start()
        String out = p.inputStream.text
        p.waitFor(120, TimeUnit.SECONDS)
        [code: p.exitValue(), out: out]
    }

    /** gproc and gprocd as a user would run them, on the classes under test (one argument file for the classpath). */
    private void writeLaunchers() {
        Path args = bin.resolve('java.args')
        // user.home: the JVM takes it from the password file, not $HOME, and this cluster's user lives in `home`
        args.text = "-cp \"${ChildJvm.classPath()}\"\n" + ChildJvm.sharingOptions().join('\n') +
                "\n-XX:TieredStopAtLevel=1\n-Dorg.slf4j.simpleLogger.defaultLogLevel=warn\n-Duser.home=${home}\n"
        String java = ChildJvm.java()
        launcher('gproc', "exec '${java}' @'${args}' org.gproc.cli.GprocCli \"\$@\"")
        launcher('gprocd', "exec '${java}' @'${args}' org.gproc.daemon.Gprocd \"\$@\"")
    }

    private void launcher(String name, String body) {
        Path f = bin.resolve(name)
        f.text = "#!/usr/bin/env bash\n${body}\n"
        f.toFile().setExecutable(true)
    }

    /** Runs a command (salloc, sbatch, scancel, squeue ...) with the cluster's environment; output and exit code. */
    Map run(List<String> cmd, int timeoutSeconds = 240) {
        // ProcessBuilder looks a program up in this JVM's PATH, not the child's: name our launcher by its path
        List<String> command = cmd[0] == 'gproc' ? [bin.resolve('gproc').toString()] + cmd.drop(1) : cmd
        def pb = new ProcessBuilder(command).redirectErrorStream(true).directory(new File(System.getProperty('gproc.root')))
        pb.environment().putAll(env)
        pb.redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
        def p = pb.start()
        def out = new StringBuilder()
        def reader = Thread.start { out << p.inputStream.getText('UTF-8') }
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS)
        if (!done) {
            p.destroyForcibly()
        }
        reader.join(10_000)
        [code: done ? p.exitValue() : -1, out: out.toString()]
    }

    /** Starts a command in the background (a salloc that holds its allocation); the caller ends it. */
    Process spawn(List<String> cmd, Path log) {
        def pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(new File(System.getProperty('gproc.root')))
        pb.environment().putAll(env)
        pb.redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
        pb.redirectOutput(log.toFile())
        pb.start()
    }

    Path jobDirs() {
        home.resolve('.gproc/slurm')
    }

    /** Whether something accepts TCP connections at host:port. */
    static boolean listening(String host, int port) {
        try {
            new Socket().withCloseable { it.connect(new InetSocketAddress(host, port), 2000) }
            true
        } catch (IOException ignored) {
            false
        }
    }

    /** [host, port] of every node in a job inventory written by gproc slurm up, read as the client reads it. */
    static Map<String, List> nodesOf(Path inventory) {
        Inventory.load(inventory).addresses().collectEntries { [(it.name()): [it.host(), it.port()]] }
    }
}
