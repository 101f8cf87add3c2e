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
import java.security.MessageDigest
import java.util.concurrent.CancellationException
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit

import static org.gproc.daemon.proc.ProcFixture.*

@Timeout(120)
class SpoolSpec extends Specification {

    static final long CAP = 1 << 30

    @Shared @AutoCleanup SpoolWatcher watcher = new SpoolWatcher()
    @Shared @AutoCleanup ProcessLauncher launcher = new ProcessLauncher(HELPER_DIR, watcher)
    @TempDir Path root
    def conditions = new PollingConditions(timeout: 30, delay: 0.01)

    static byte[] get(CompletableFuture<byte[]> read) {
        read.get(30, TimeUnit.SECONDS)
    }

    def "reads at any offset return the file's bytes, the same for every reader"() {
        given:
        def session = sessionDir(root)
        def spool = new Spool(session.resolve('stdout'), CAP, watcher)
        await(launcher.start(spec(session, ['/usr/bin/printf', 'hello, world'])))
        spool.finish()

        expect:
        new String(get(spool.read(0, 5))) == 'hello'
        new String(get(spool.read(7, 100))) == 'world'
        new String(get(spool.read(0, 100))) == 'hello, world'
        new String(get(new Spool(session.resolve('stdout'), CAP, watcher).read(0, 100))) == 'hello, world'
        get(spool.read(12, 100)).length == 0
        get(spool.read(1000, 100)).length == 0
        get(spool.read(3, 0)).length == 0
        spool.size() == 12
        !spool.capReached()
    }

    def "a read past the end is parked until the process writes, and two parked readers both wake"() {
        given:
        def session = sessionDir(root)
        def spool = new Spool(session.resolve('stdout'), CAP, watcher)
        def process = launcher.start(spec(session, ['cat']))
        def first = spool.read(0, 100)
        def second = spool.read(0, 100)

        expect: 'nothing was written yet'
        !first.done && !second.done

        when:
        process.writeStdin('ping\n'.bytes)

        then:
        new String(get(first)) == 'ping\n'
        new String(get(second)) == 'ping\n'

        when: 'a read at the new end parks again, and EOF arrives when the process is gone'
        def third = spool.read(5, 100)
        process.closeStdin()
        await(process)
        spool.finish()

        then:
        get(third).length == 0
    }

    def "a parked read on a file that does not exist yet wakes when the process creates it"() {
        given:
        def session = sessionDir(root)
        def spool = new Spool(session.resolve('stdout'), CAP, watcher)
        def read = spool.read(0, 10)

        when:
        await(launcher.start(spec(session, ['/usr/bin/printf', 'late'])))

        then:
        new String(get(read)) == 'late'
    }

    def "cancelling a parked read unparks it and leaves the others alone"() {
        given:
        def session = sessionDir(root)
        def spool = new Spool(session.resolve('stdout'), CAP, watcher)
        def cancelled = spool.read(0, 10)
        def kept = spool.read(0, 10)

        when:
        cancelled.cancel(false)
        Files.writeString(session.resolve('stdout'), 'data')

        then:
        new String(get(kept)) == 'data'

        when:
        cancelled.get()

        then:
        thrown(CancellationException)
    }

    def "20 MB of binary output arrive byte-exact while the process is still writing"() {
        given:
        def session = sessionDir(root)
        def input = root.resolve('random.bin')
        def data = new byte[20_000_000]
        new Random(42).nextBytes(data)
        Files.write(input, data)
        def spool = new Spool(session.resolve('stdout'), CAP, watcher)
        def digest = MessageDigest.getInstance('SHA-256')

        when:
        def process = launcher.start(spec(session, ['cat', input.toString()]))
        process.onExit().thenRun { spool.finish() }
        long offset = 0
        while (true) {
            byte[] chunk = get(spool.read(offset, 65536))
            if (chunk.length == 0) {
                break
            }
            digest.update(chunk)
            offset += chunk.length
        }

        then:
        offset == data.length
        digest.digest() == MessageDigest.getInstance('SHA-256').digest(data)
        await(process).toString() == 'exit 0'
    }

    def "a process that passes the cap is stopped, the cut is exact, and reads at the cap say so"() {
        given:
        int cap = 1 << 20
        def session = sessionDir(root)
        def spool = new Spool(session.resolve('stdout'), cap, watcher)
        def process = launcher.start(spec(session, ['cat', '/dev/zero']))
        spool.onCapReached { process.signal(Signals.KILL) }
        def parkedAtCap = spool.read(cap, 10)

        when:
        def status = await(process)

        then:
        status.toString() == 'signal 9'
        spool.capReached()
        spool.size() == cap
        Files.size(session.resolve('stdout')) == cap
        get(spool.read(0, 10)) == new byte[10]
        get(spool.read(cap - 4, 100)).length == 4

        when:
        get(spool.read(cap, 1))

        then:
        def e = thrown(ExecutionException)
        e.cause instanceof NinePException
        e.cause.message == "stdout: spool cap of $cap bytes reached"

        when:
        get(parkedAtCap)

        then:
        def parked = thrown(ExecutionException)
        parked.cause.message == "stdout: spool cap of $cap bytes reached"
    }

    def "output of exactly the cap is complete, not cut"() {
        given:
        def session = sessionDir(root)
        def spool = new Spool(session.resolve('stdout'), 5, watcher)
        boolean stopped = false
        spool.onCapReached { stopped = true }

        when:
        await(launcher.start(spec(session, ['/usr/bin/printf', '12345'])))
        spool.finish()

        then:
        !spool.capReached()
        !stopped
        new String(get(spool.read(0, 100))) == '12345'
        get(spool.read(5, 100)).length == 0
    }

    def "a cap action registered after the cap was passed runs at once"() {
        given:
        def session = sessionDir(root)
        Files.writeString(session.resolve('stderr'), 'too long')
        def spool = new Spool(session.resolve('stderr'), 3, watcher)
        int runs = 0

        when:
        spool.onCapReached { runs++ }
        spool.onCapReached { runs++ }
        spool.capReached()

        then:
        runs == 2
        spool.capReached()
        new String(get(spool.read(0, 100))) == 'too'

        when:
        get(spool.read(3, 1))

        then:
        def e = thrown(ExecutionException)
        e.cause.message == 'stderr: spool cap of 3 bytes reached'
    }

    def "a negative offset or count is an error"() {
        given:
        def spool = new Spool(sessionDir(root).resolve('stdout'), CAP, watcher)

        when:
        get(spool.read(offset, count))

        then:
        def e = thrown(ExecutionException)
        e.cause.message == "stdout: bad read of $count bytes at $offset"

        where:
        offset | count
        -1     | 10
        0      | -1
    }

    def "deleting a spool fails parked and later reads and removes the file"() {
        given:
        def session = sessionDir(root)
        Files.writeString(session.resolve('stdout'), 'abc')
        def spool = new Spool(session.resolve('stdout'), CAP, watcher)
        def parked = spool.read(3, 10)

        when:
        spool.delete()
        get(parked)

        then:
        def e = thrown(ExecutionException)
        e.cause.message == 'stdout: spool deleted (the session was wiped)'
        !Files.exists(session.resolve('stdout'))

        when:
        get(spool.read(0, 10))

        then:
        def later = thrown(ExecutionException)
        later.cause.message == 'stdout: spool deleted (the session was wiped)'
    }

    def "a spool in a missing directory is refused when built"() {
        when:
        new Spool(root.resolve('nope/stdout'), CAP, watcher)

        then:
        def e = thrown(UncheckedIOException)
        e.message.startsWith('stdout: cannot watch')
    }

    def "the watcher stops watching a directory when its last spool is deleted"() {
        given:
        def session = sessionDir(root, 'alone')
        int before = watcher.watchedDirectories()
        def out = new Spool(session.resolve('stdout'), CAP, watcher)
        def err = new Spool(session.resolve('stderr'), CAP, watcher)

        expect:
        watcher.watchedDirectories() == before + 1

        when:
        out.delete()
        err.delete()

        then:
        watcher.watchedDirectories() == before
    }
}
