package org.gproc.client

import org.gproc.cli.GprocCli

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * The gproc command line as a user runs it: a separate JVM on the classes under test, started the way scripts/gproc
 * starts it, with its own home directory, environment, standard input and exit status. Specs of the CLI use it
 * instead of calling picocli in-process, so System.exit, System.out, stdin and signals behave as on a terminal.
 *
 * <pre>
 * def gproc = GprocRunner.against(daemons)            // -i INVENTORY --identity KEY before every command
 * def r = gproc.run('exec', '-w', 'n[1-2]', '--', 'echo', 'hi')
 * r.code == 0; r.out == ...; r.err == ...
 * gproc.run(stdin: 'text\n', env: [GPROC_NODES: 'n1=127.0.0.1:22'], 'exec', ...)
 * Process p = gproc.start('exec', ...)                  // for specs that signal or feed the process themselves
 * </pre>
 *
 * The child's environment is this JVM's without GPROC_* and SLURM_* variables (a developer's shell or a Slurm job
 * must not change what a spec sees), with HOME and user.home set to the runner's home.
 */
class GprocRunner {
    /** Long enough for a cold JVM and an SSH handshake on a loaded two-core machine. */
    static final int TIMEOUT_SECONDS = 180

    /** What one run left: its exit status and its two streams, whole. */
    static record Result(int code, String out, String err) {
        @Override
        String toString() {
            "exit ${code}\n--- stdout\n${out}--- stderr\n${err}"
        }
    }

    private static Path arguments

    final Path home
    private final List<String> leading
    private final Map<String, String> env

    GprocRunner(Path home, List<String> leading = [], Map<String, String> env = [:]) {
        this.home = home
        this.leading = List.copyOf(leading)
        this.env = Map.copyOf(env)
    }

    /** A runner for the daemons' cluster: its inventory and identity are given before every command. */
    static GprocRunner against(DaemonCluster daemons, Path home = daemons.dir) {
        new GprocRunner(home, ['-i', daemons.inventoryFile.toString(), '--identity', daemons.identity().toString()])
    }

    /** The same runner with more arguments before every command (global flags such as -i or --known-hosts). */
    GprocRunner withArgs(String... more) {
        new GprocRunner(home, leading + more.toList(), env)
    }

    /** The same runner with more environment variables for the child. */
    GprocRunner withEnv(Map<String, String> more) {
        new GprocRunner(home, leading, env + more)
    }

    /**
     * Runs gproc with these arguments to its end and returns what it printed. Options: {@code stdin} (text fed to
     * it, then end of file; default: none), {@code env} (more variables), {@code timeout} (seconds; a run still
     * going then is killed and fails the spec).
     */
    Result run(Map options = [:], String... args) {
        Process p = start(options, args)
        def out = new ByteArrayOutputStream()
        def err = new ByteArrayOutputStream()
        Thread outReader = Thread.start { p.inputStream.transferTo(out) }
        Thread errReader = Thread.start { p.errorStream.transferTo(err) }
        if (options.stdin != null) {
            p.outputStream.withStream { it.write(options.stdin.toString().getBytes(StandardCharsets.UTF_8)) }
        } else {
            p.outputStream.close()
        }
        int timeout = (options.timeout ?: TIMEOUT_SECONDS) as int
        if (!p.waitFor(timeout, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor()
            throw new AssertionError("gproc ${args.join(' ')}: still running after ${timeout} s")
        }
        outReader.join()
        errReader.join()
        new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8))
    }

    /**
     * Runs gproc inside this JVM through picocli, with the same options as {@link #run}: for tables of hundreds of
     * rows of a command that only prints through picocli's writers (nodeset, help), where a JVM per row would cost
     * minutes. Commands that exit the JVM or print to System.out (run, demo, exec) need {@link #run}.
     */
    Result runInProcess(Map options = [:], String... args) {
        def out = new StringWriter()
        def err = new StringWriter()
        def stdin = new ByteArrayInputStream((options.stdin ?: '').toString().getBytes(StandardCharsets.UTF_8))
        def cl = GprocCli.commandLine(new GprocCli(env + ((options.env ?: [:]) as Map<String, String>), home, stdin))
        cl.out = new PrintWriter(out)
        cl.err = new PrintWriter(err)
        int code = cl.execute((leading + args.toList()) as String[])
        new Result(code, out.toString(), err.toString())
    }

    /** Starts gproc and hands the process over: the caller writes its input, reads its output and waits for it. */
    Process start(Map options = [:], String... args) {
        def pb = new ProcessBuilder(command(args.toList()))
        Map<String, String> childEnv = pb.environment()
        childEnv.keySet().removeIf { it.startsWith('GPROC_') || it.startsWith('SLURM_') }
        childEnv.put('HOME', home.toString())
        childEnv.putAll(env)
        childEnv.putAll((options.env ?: [:]) as Map<String, String>)
        pb.start()
    }

    /** The java command line: this JVM's java and class path, the launcher's start-up options, then gproc's. */
    List<String> command(List<String> args) {
        [ChildJvm.java(), '@' + argumentFile(), "-Duser.home=${home}".toString(), 'org.gproc.cli.GprocCli'] + leading + args
    }

    /**
     * One argument file per test JVM for the child's class path, class-data sharing archive ({@link ChildJvm}) and
     * start-up options (a class path as long as a test's would crowd a process listing); user.home is set on the
     * command line, as the JVM takes it from the password file and not from $HOME.
     */
    private String argumentFile() {
        synchronized (GprocRunner) {
            if (arguments == null) {
                arguments = Files.createTempFile('gproc-runner', '.args')
                arguments.toFile().deleteOnExit()
                // the options scripts/gproc passes for short commands, and the collector that suits a short JVM
                arguments.text = "-cp \"${ChildJvm.classPath()}\"\n" + ChildJvm.sharingOptions().join('\n') +
                        "\n-Dpicocli.disable.closures=true\n-XX:TieredStopAtLevel=1\n-XX:+UseSerialGC\n"
            }
            arguments.toString()
        }
    }
}
