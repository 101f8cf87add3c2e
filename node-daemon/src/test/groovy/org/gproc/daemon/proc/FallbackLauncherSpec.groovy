package org.gproc.daemon.proc

import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path

import static org.gproc.daemon.proc.ProcFixture.*

/** The ProcessBuilder fallback used when no C compiler is present: same contract, with its documented limits. */
@Timeout(120)
class FallbackLauncherSpec extends Specification {

    @Shared @AutoCleanup ProcessLauncher launcher = new ProcessLauncher(HELPER_DIR, null, false)
    @TempDir Path root
    def conditions = new PollingConditions(timeout: 30, delay: 0.01)

    def "the fallback is in use"() {
        expect:
        !launcher.isNative()
    }

    def "'#script' ends with '#expected'"() {
        expect:
        await(launcher.start(spec(sessionDir(root), ['/bin/sh', '-c', script]))).toString() == expected

        where:
        script          || expected
        'exit 0'        || 'exit 0'
        'exit 7'        || 'exit 7'
        'kill -9 $$'    || 'signal 9'
        'exit 137'      || 'signal 9'   // the JDK's 128+N encoding: the documented ambiguity of the fallback
    }

    def "argv, env and the working directory arrive exactly"() {
        given:
        def work = Files.createDirectories(root.resolve('work dir'))
        def args = ['a b', '', "it's", '"q"']
        def env = [PATH: '/usr/bin:/bin', X: 'y z']

        when:
        await(launcher.start(spec(sessionDir(root, 'argv'), ['/usr/bin/printf', '%s\\0'] + args)))
        await(launcher.start(spec(sessionDir(root, 'env'), ['/usr/bin/env', '-0'], env)))
        await(launcher.start(spec(sessionDir(root, 'dir'), ['/bin/pwd', '-P'], env, work)))

        then:
        stdout(root.resolve('argv')).split('\0', -1).toList().dropRight(1) == args
        stdout(root.resolve('env')).split('\0').toList().toSorted() == ['PATH=/usr/bin:/bin', 'X=y z']
        stdout(root.resolve('dir')) == work.toRealPath().toString() + '\n'
    }

    def "a signal reaches the whole process group"() {
        given:
        def session = sessionDir(root)
        def process = launcher.start(spec(session, ['/bin/sh', '-c', 'sleep 100 & echo $! > child; wait']))
        conditions.eventually { assert Files.readString(session.resolve('child')).endsWith('\n') }
        long child = Files.readString(session.resolve('child')).strip() as long

        when:
        process.signal(Signals.TERM)

        then:
        await(process).toString() == 'signal 15'
        conditions.eventually { assert dead(child) }
    }

    def "stdin reaches cat and close gives EOF"() {
        given:
        def session = sessionDir(root)
        def process = launcher.start(spec(session, ['cat']))

        when:
        process.writeStdin('hello\n'.bytes)
        process.closeStdin()

        then:
        await(process).toString() == 'exit 0'
        stdout(session) == 'hello\n'
    }

    def "a missing program is a clear error before anything runs"() {
        when:
        launcher.start(spec(sessionDir(root), [program]))

        then:
        def e = thrown(NinePException)
        e.message.startsWith(message)

        where:
        program         || message
        '/no/such/prog' || 'exec /no/such/prog: No such file or directory'
        'no-such-prog'  || 'exec no-such-prog: No such file or directory (searched PATH /usr/bin:/bin)'
        '/etc'          || 'exec /etc: Permission denied'
    }

    def "a signal after the exit is an error naming the exit"() {
        given:
        def process = launcher.start(spec(sessionDir(root), ['/bin/true']))
        await(process)

        when:
        process.signal(Signals.TERM)

        then:
        def e = thrown(NinePException)
        e.message == "signal: process ${process.pid()} has already exited (exit 0)"
    }
}
