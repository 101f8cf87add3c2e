package org.gproc.cli

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * The real {@code gproc} command line as a child JVM (the test's own class path), with an inventory and identity:
 * its exit status, standard output and standard error, and for signal specs the running process.
 */
class GprocProcess {
    final Path inventory
    final Path identity
    final Path scratch

    GprocProcess(Path inventory, Path identity) {
        this.inventory = inventory
        this.identity = identity
        this.scratch = Files.createTempDirectory('gproc-cli-run')
    }

    List<String> command(List<String> args) {
        String java = ProcessHandle.current().info().command().orElse('java')
        [java, '-Dpicocli.disable.closures=true', '-XX:TieredStopAtLevel=1', '-cp', System.getProperty('java.class.path'),
         'org.gproc.cli.GprocCli', '-i', inventory.toString(), '--identity', identity.toString(), *args]
    }

    /** Runs to its end; {@code stdin} (text) is its standard input, else /dev/null. */
    Map run(Map options = [:], String... args) {
        Process p = start(options, args)
        assert p.waitFor(120, TimeUnit.SECONDS): "gproc ${args.join(' ')} did not end"
        result(p)
    }

    /** Starts it; stdout and stderr go to files read by {@link #result}. */
    Process start(Map options = [:], String... args) {
        def pb = new ProcessBuilder(command(args as List))
        Path out = Files.createTempFile(scratch, 'out', '')
        Path err = Files.createTempFile(scratch, 'err', '')
        pb.redirectOutput(out.toFile()).redirectError(err.toFile())
        if (options.stdin == null) {
            pb.redirectInput(new File('/dev/null'))
        }
        Process p = pb.start()
        outputs[p] = [out, err]
        if (options.stdin != null) {
            p.outputStream.withStream { it.write(options.stdin.toString().bytes) }
        }
        p
    }

    private final Map<Process, List<Path>> outputs = [:]

    Map result(Process p) {
        def (out, err) = outputs[p]
        [code: p.exitValue(), out: out.text, err: err.text]
    }

    /** Sends {@code signal} (a name like INT) to the child JVM. */
    static void signal(Process p, String signal) {
        assert new ProcessBuilder('kill', '-s', signal, p.pid().toString()).start().waitFor() == 0
    }

    void close() {
        scratch.toFile().deleteDir()
    }
}
