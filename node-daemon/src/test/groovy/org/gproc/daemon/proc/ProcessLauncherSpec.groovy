package org.gproc.daemon.proc

import org.gproc.transport.ninep.NinePException

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

import static org.gproc.daemon.proc.ProcFixture.*

/** The native helper: the contract, plus exact statuses and what only a helper of our own can do. */
class ProcessLauncherSpec extends LauncherContractSpec {

    ProcessLauncher newLauncher() {
        new ProcessLauncher(HELPER_DIR)
    }

    def "exit 137 is not mistaken for signal 9"() {
        expect:
        await(launcher.start(spec(sessionDir(root), ['/bin/sh', '-c', 'exit 137']))).toString() == 'exit 137'
    }

    def "the launcher uses the native helper on this machine"() {
        expect:
        launcher.isNative()
    }

    def "a core-dumping process is reported as signal 11, with the core flag exactly when a core was written"() {
        given:
        def session = sessionDir(root)
        def pattern = Files.readString(Path.of('/proc/sys/kernel/core_pattern')).strip()
        def hardLimit = Files.readAllLines(Path.of('/proc/self/limits')).find { it.startsWith('Max core file size') }

        when:
        def status = await(launcher.start(spec(session, ['/bin/sh', '-c', 'ulimit -c unlimited; kill -SEGV $$'])))
        def coreWritten = Files.list(session).withCloseable { s -> s.anyMatch { it.fileName.toString() ==~ /core.*/ } }

        then:
        status.signal() == 11
        status.code() == 139
        // A plain file name as core_pattern puts the core in the working directory: the flag must match the file.
        pattern.contains('/') || pattern.startsWith('|') || status.core() == coreWritten
        // On this kind of machine (core_pattern 'core', no hard limit) the core is always written.
        !(pattern == 'core' && hardLimit.contains('unlimited')) || status.core()
    }

    def "a failed exec records no exit status, so the next exec in the same session reports its own"() {
        given:
        def session = sessionDir(root)

        expect:
        (1..50).every {
            try {
                launcher.start(spec(session, ['/no/such/program']))
                return false
            } catch (NinePException expected) {
                return await(launcher.start(spec(session, ['/bin/sh', '-c', 'exit 3']))).toString() == 'exit 3'
            }
        }
    }

    def "an unwritable spool is reported as the stdout error"() {
        given:
        def session = sessionDir(root)
        Files.createDirectory(session.resolve('stdout'))

        when:
        launcher.start(spec(session, ['/bin/true']))

        then:
        def e = thrown(NinePException)
        e.message == "stdout ${session.resolve('stdout')}: Is a directory"
    }

    def "a running process survives the helper's death, and a new helper takes the next request"() {
        given:
        def process = launcher.start(spec(sessionDir(root, 'a'), ['sleep', '100']))
        def helper = ProcessHandle.of(launcher.helperPid()).orElseThrow()

        when:
        helper.destroyForcibly()
        helper.onExit().get(30, TimeUnit.SECONDS)
        def next = launcher.start(spec(sessionDir(root, 'b'), ['/bin/true']))

        then:
        await(next).toString() == 'exit 0'
        launcher.helperPid() != helper.pid()

        when:
        process.signal(Signals.KILL)

        then:
        await(process).toString() == 'signal 9'
    }
}
