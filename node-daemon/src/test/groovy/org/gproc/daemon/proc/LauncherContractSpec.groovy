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
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit

import static org.gproc.daemon.proc.ProcFixture.*

/**
 * What every launch back end promises (the native helper and the ProcessBuilder fallback run it); each subclass
 * adds what only its back end does.
 */
@Timeout(120)
abstract class LauncherContractSpec extends Specification {

    @Shared @AutoCleanup ProcessLauncher launcher

    abstract ProcessLauncher newLauncher()

    def setupSpec() {
        launcher = newLauncher()
    }

    @TempDir Path root
    def conditions = new PollingConditions(timeout: 30, delay: 0.01)

    def "'#script' ends with '#expected'"() {
        given:
        def session = sessionDir(root)

        when:
        def status = await(launcher.start(spec(session, ['/bin/sh', '-c', script])))

        then:
        status.toString() == expected

        where:
        script                      || expected
        'exit 0'                    || 'exit 0'
        'exit 7'                    || 'exit 7'
        'exit 255'                  || 'exit 255'
        'kill -9 $$'                || 'signal 9'
        'kill -TERM $$'             || 'signal 15'
        'kill -USR1 $$'             || 'signal 10'
    }

    def "a signal reaches the whole process group"() {
        given:
        def session = sessionDir(root)
        def process = launcher.start(spec(session, ['/bin/sh', '-c', 'sleep 100 & echo $! > child; wait']))
        conditions.eventually { assert Files.exists(session.resolve('child')) && Files.readString(session.resolve('child')).endsWith('\n') }
        long child = Files.readString(session.resolve('child')).strip() as long

        when:
        process.signal(Signals.TERM)

        then:
        await(process).toString() == 'signal 15'
        conditions.eventually { assert dead(child) }
    }

    def "sleep 100 and signal 15 gives signal 15; a second signal is an error naming the exit"() {
        given:
        def process = launcher.start(spec(sessionDir(root), ['sleep', '100']))

        when:
        process.signal(Signals.parse('TERM'))

        then:
        await(process).toString() == 'signal 15'

        when:
        process.signal(Signals.KILL)

        then:
        def e = thrown(NinePException)
        e.message == "signal: process ${process.pid()} has already exited (signal 15)"
    }

    def "a signal number out of range is refused"() {
        given:
        def process = launcher.start(spec(sessionDir(root), ['sleep', '100']))

        when:
        process.signal(sig)

        then:
        def e = thrown(NinePException)
        e.message == "signal: no signal number $sig (Linux signals are 1-64)"

        cleanup:
        process.signal(Signals.KILL)
        await(process)

        where:
        sig << [0, -1, 65]
    }

    def "the process leads its own session and process group"() {
        given:
        def session = sessionDir(root)

        when:
        def process = launcher.start(spec(session, ['/bin/sh', '-c', 'set -- $(cat /proc/$$/stat); echo $1 $5 $6']))
        await(process)

        then:
        stdout(session).trim().split(/\s+/).collect { it as long } == [process.pid()] * 3
    }

    def "argv arrives exactly, spaces, quotes and empty arguments included"() {
        given:
        def session = sessionDir(root)
        def args = ['a b', '"quoted"', "it's", '', '\\', '$HOME', '*', 'ünïcödé', ' lead', 'trail ']

        when:
        await(launcher.start(spec(session, ['/usr/bin/printf', '%s\\0'] + args)))

        then:
        stdout(session).split('\0', -1).toList().dropRight(1) == args
    }

    def "the environment is exactly the given one"() {
        given:
        def session = sessionDir(root)
        def env = [A: '1', B: 'x y', EMPTY: '', WEIRD: 'a=b"c']

        when:
        await(launcher.start(spec(session, ['/usr/bin/env', '-0'], env)))

        then:
        stdout(session).split('\0').toList().toSorted() == env.collect { k, v -> "$k=$v".toString() }.toSorted()
    }

    def "a program without a slash is looked up in the given PATH, not the daemon's"() {
        given:
        def bin = Files.createDirectories(root.resolve('mybin'))
        def tool = bin.resolve('hello')
        Files.writeString(tool, '#!/bin/sh\necho from mybin\n')
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString('rwx------'))
        def session = sessionDir(root)

        when:
        await(launcher.start(spec(session, ['hello'], [PATH: bin.toString()])))

        then:
        stdout(session) == 'from mybin\n'
    }

    def "the working directory is the given one"() {
        given:
        def session = sessionDir(root)
        def work = Files.createDirectories(root.resolve('work dir'))

        when:
        await(launcher.start(spec(session, ['/bin/pwd', '-P'], ENV, work)))

        then:
        stdout(session) == work.toRealPath().toString() + '\n'
    }

    def "stdout and stderr go to their own spools, or to one file when both name it"() {
        given:
        def session = sessionDir(root)
        def both = session.resolve('output')

        when:
        await(launcher.start(spec(session, ['/bin/sh', '-c', 'echo out; echo err >&2'])))
        await(launcher.start(new LaunchSpec(['/bin/sh', '-c', 'echo one; echo two >&2; echo three'], ENV, session,
                both, both)))

        then:
        Files.readString(session.resolve('stdout')) == 'out\n'
        Files.readString(session.resolve('stderr')) == 'err\n'
        Files.readString(both) == 'one\ntwo\nthree\n'
    }

    def "the process gets only fds 0, 1 and 2"() {
        given:
        def session = sessionDir(root)

        when:
        await(launcher.start(spec(session, ['/bin/ls', '/proc/self/fd'])))

        then: 'ls itself opens one fd to read the directory'
        stdout(session).readLines().collect { it as int }.toSorted() == [0, 1, 2, 3]
    }

    def "stdin is a pipe: cat echoes what is written and ends at close"() {
        given:
        def session = sessionDir(root)
        def process = launcher.start(spec(session, ['cat']))

        when:
        process.writeStdin('hello\n'.bytes)
        process.writeStdin('world\n'.bytes)
        process.closeStdin()

        then:
        await(process).toString() == 'exit 0'
        stdout(session) == 'hello\nworld\n'
    }

    def "stdin is a pipe, not a file or a socket"() {
        given:
        def session = sessionDir(root)
        def process = launcher.start(spec(session, ['/usr/bin/stat', '-L', '-c', '%F', '/dev/stdin']))

        when:
        process.closeStdin()

        then:
        await(process).toString() == 'exit 0'
        stdout(session) == 'fifo\n'
    }

    def "megabytes of stdin arrive in order when the writer waits for each write"() {
        given:
        def session = sessionDir(root)
        def process = launcher.start(spec(session, ['cat']))
        def data = new byte[4 << 20]
        new Random(7).nextBytes(data)

        when:
        for (int off = 0; off < data.length; off += 65536) {
            process.stdinWrite(Arrays.copyOfRange(data, off, off + 65536)).get(30, TimeUnit.SECONDS)
        }
        process.closeStdin()

        then:
        await(process).toString() == 'exit 0'
        Files.readAllBytes(session.resolve('stdout')) == data
    }

    def "a process that does not read its stdin gets a clear error once the pending limit is passed"() {
        given:
        def process = launcher.start(spec(sessionDir(root), ['sleep', '100']))
        def chunk = new byte[64 << 10]

        when: 'the pipe takes 64 KiB, then 1 MiB waits in the queue'
        (1..30).each { process.writeStdin(chunk) }

        then:
        def e = thrown(NinePException)
        e.message ==~ /stdin: process \d+ is not reading its input \(\d+ bytes pending, limit 1048576\)/

        cleanup:
        process.signal(Signals.KILL)
        await(process)
    }

    def "writing stdin after close stdin is an error; close is idempotent"() {
        given:
        def process = launcher.start(spec(sessionDir(root), ['cat']))
        process.closeStdin()
        process.closeStdin()

        when:
        process.writeStdin('late'.bytes)

        then:
        def e = thrown(NinePException)
        e.message == 'stdin: closed (close stdin was written)'
        await(process).toString() == 'exit 0'
    }

    def "writing stdin after the exit is an error naming the exit"() {
        given:
        def process = launcher.start(spec(sessionDir(root), ['/bin/true']))
        await(process)

        when:
        process.writeStdin('late'.bytes)

        then:
        def e = thrown(NinePException)
        e.message == "stdin: process ${process.pid()} has exited (exit 0)"
    }

    def "a pending stdin write fails when the process exits without reading it"() {
        given:
        def process = launcher.start(spec(sessionDir(root), ['sleep', '100']))
        def pending = (1..3).collect { process.stdinWrite(new byte[64 << 10]) }

        when:
        process.signal(Signals.KILL)
        await(process)
        pending*.get(30, TimeUnit.SECONDS)

        then:
        def e = thrown(ExecutionException)
        e.cause instanceof NinePException
        e.cause.message.startsWith('stdin: ')
    }

    def "a missing program is a clear error"() {
        when:
        launcher.start(spec(sessionDir(root), [program]))

        then:
        def e = thrown(NinePException)
        e.message == message

        where:
        program           || message
        '/no/such/prog'   || 'exec /no/such/prog: No such file or directory'
        'no-such-prog'    || 'exec no-such-prog: No such file or directory'
        '/etc'            || 'exec /etc: Permission denied'
    }

    def "a program without execute permission is a clear error"() {
        given:
        def file = root.resolve('data')
        Files.writeString(file, 'not a program')

        when:
        launcher.start(spec(sessionDir(root), [file.toString()]))

        then:
        def e = thrown(NinePException)
        e.message == "exec $file: Permission denied"
    }

    def "bad launch specs are refused before anything runs: #why"() {
        given:
        def session = sessionDir(root)

        when:
        launcher.start(make(session))

        then:
        def e = thrown(NinePException)
        e.message.startsWith(message)

        where:
        why                  | make                                                                   || message
        'empty argv'         | { s -> spec(s, []) }                                                   || 'exec: empty argv'
        'empty program'      | { s -> spec(s, ['']) }                                                 || 'exec: empty argv'
        'NUL in an argument' | { s -> spec(s, ['/bin/echo', 'a\0b']) }                               || "argv: argument 'a\\x00b' contains a NUL byte"
        '= in a name'        | { s -> spec(s, ['/bin/true'], ['A=B': 'c']) }                          || "env: bad variable name 'A=B'"
        'empty name'         | { s -> spec(s, ['/bin/true'], ['': 'c']) }                             || "env: bad variable name ''"
        'NUL in a value'     | { s -> spec(s, ['/bin/true'], [A: 'x\0y']) }                           || 'env: value of A contains a NUL byte'
        'missing dir'        | { s -> spec(s, ['/bin/true'], ENV, s.resolve('nope')) }                || 'dir '
        'missing spool dir'  | { s -> new LaunchSpec(['/bin/true'], ENV, s, s.resolve('x/out'), s.resolve('x/err')) } || 'exec: spool directory'
    }

    def "argv and env too large for any exec are refused before anything runs"() {
        when:
        launcher.start(spec(sessionDir(root), ['/bin/echo', 'x' * (9 << 20)]))

        then:
        def e = thrown(NinePException)
        e.message ==~ /exec: argv and env take \d+ characters \(limit 8388608\)/
    }

    def "thousands of short processes leave no zombies and no leaked fds"() {
        given:
        def session = sessionDir(root)
        10.times { await(launcher.start(spec(session, ['/bin/true']))) }
        int fdsBefore = openFds()
        long me = ProcessHandle.current().pid()

        when:
        2000.times {
            assert await(launcher.start(spec(session, ['/bin/true']))).toString() == 'exit 0'
        }

        then:
        conditions.eventually {
            assert zombieChildren([me, launcher.helperPid()]).isEmpty()
            assert openFds() == fdsBefore
        }
        ProcessHandle.current().children().count() == (launcher.isNative() ? 1 : 0)  // the helper only
    }
}
