package org.gproc.daemon.attack

import groovy.json.JsonSlurper
import org.gproc.daemon.DaemonFixture
import org.gproc.daemon.NinePFiles
import org.gproc.daemon.policy.UnixUser
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ssh.Keys
import spock.lang.IgnoreIf
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.ByteBuffer
import java.nio.channels.FileChannel
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption

/**
 * The audit log on a tiny file system (a 1 MiB tmpfs of our own), filled by refused logins with 250 KB user names
 * from a hand-written SSHD client and by a filler file: the refusals stop at the reserve, alice's clone and exec
 * still get their lines, a full disk refuses alice's clone with an error naming the log (fail closed), every line
 * in the file is whole, and freeing space lets her work again.
 */
@Timeout(600)
@IgnoreIf({ UnixUser.effectiveUid() != 0 || !new File('/bin/mount').exists() })
class AuditDiskAttackSpec extends Specification {
    Path mount = Files.createTempDirectory('gprocd-audit-tmpfs')
    Path log = mount.resolve('audit.jsonl')
    Path filler = mount.resolve('filler')
    DaemonFixture f
    RawSsh raw
    PollingConditions conditions = new PollingConditions(timeout: 60)

    def setup() {
        def r = new ProcessBuilder('mount', '-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mount.toString())
                .redirectErrorStream(true).start()
        assert r.waitFor() == 0: "mount tmpfs: ${r.inputStream.text}"
        f = new DaemonFixture({ it.auditLog(log) })
        raw = new RawSsh(f.daemon.hostKey())
    }

    def cleanup() {
        raw?.close()
        f?.close()
        new ProcessBuilder('umount', mount.toString()).start().waitFor()
        Files.deleteIfExists(mount)
    }

    List<Map> lines() {
        Files.readAllLines(log).collect { new JsonSlurper().parseText(it) as Map }
    }

    long free() {
        Files.getFileStore(mount).usableSpace
    }

    /** Fills the file system with {@code filler} until {@code leave} bytes are free. */
    void fillLeaving(long leave) {
        try (FileChannel c = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer page = ByteBuffer.allocate(4096)
            while (free() > leave) {
                page.clear()
                page.limit((int) Math.min(4096, free() - leave))
                try {
                    c.write(page)
                } catch (IOException full) {
                    break
                }
            }
        }
    }

    void flood(int connections) {
        String huge = 'u' * 250_000
        def stranger = Keys.generate()
        connections.times {
            def s = raw.connect(huge, f.daemon.port())
            RawSsh.probes(s, 7, huge, stranger.public)
            RawSsh.closedWithin(s)
        }
    }

    boolean everyLineWhole() {
        byte[] bytes = Files.readAllBytes(log)
        bytes.length == 0 || (bytes[-1] == (byte) '\n' && lines().every { it.time && it.event })
    }

    def "a refusal flood stops at the reserve; alice's clone and exec are still written"() {
        given: 'less free space than the reserve'
        fillLeaving(120 * 1024)
        def alice = f.connect('alice@lab')

        when:
        flood(20)
        def (n, status) = NinePFiles.run(alice, 'true', '/bin/true')
        conditions.eventually { assert lines().any { it.event == 'exit' && it.session == n } }
        Outcomes.note('refusal flood on a nearly full disk', "log ${Files.size(log)} bytes, ${f.daemon.ssh().droppedUnauthenticated()} SSH drops; lines ${lines()*.event.countBy { it }}")

        then: 'no refusal reached the file, and alice did'
        status == 'exit 0'
        !lines().any { it.event == 'auth' && it.outcome == 'refused' }
        lines().findAll { it.session == n }*.event.containsAll(['clone', 'exec', 'exit'])
        everyLineWhole()
    }

    def "with room to spare the refusals are written, bounded and summarised"() {
        given:
        def alice = f.connect('alice@lab')

        when:
        flood(5)
        def (n, status) = NinePFiles.run(alice, 'true', '/bin/true')
        conditions.eventually { assert lines().any { it.event == 'exit' && it.session == n } }

        then:
        lines().any { it.event == 'auth' && it.outcome == 'refused' && it.sshUser.endsWith('…[cut: 250000 bytes]') }
        Files.size(log) < 64 * 1024
        everyLineWhole()
    }

    /**
     * Runs /bin/true once the log takes lines again: its writer thread finds it writable when it next writes a
     * refusal line, not at the moment space is freed. Refusals past a minute are the spec's failure.
     */
    static List runOnceWritable(def alice) {
        long deadline = System.nanoTime() + 60_000_000_000L
        while (true) {
            try {
                return NinePFiles.run(alice, 'true', '/bin/true')
            } catch (NinePException stillRefused) {
                if (System.nanoTime() > deadline) {
                    throw stillRefused
                }
                Thread.sleep(50)
            }
        }
    }

    def "a full disk refuses alice's clone with an error naming the audit log, leaves only whole lines, and recovers"() {
        given:
        def alice = f.connect('alice@lab')
        NinePFiles.run(alice, 'true', '/bin/true')

        when: 'the disk is full'
        fillLeaving(0)
        String refusal = null
        try {
            NinePFiles.clone(alice)
        } catch (NinePException e) {
            refusal = e.message
        }
        Outcomes.note('clone with the audit disk full', refusal)

        then:
        refusal.contains("clone refused: the audit log ${log} cannot be written")
        everyLineWhole()

        when: 'space is freed: the refusal line offered to the log is the retry that finds it writable'
        Files.delete(filler)
        def (n, status) = runOnceWritable(alice)

        then:
        status == 'exit 0'
        conditions.eventually { assert lines().any { it.event == 'clone' && it.session == n } }
        everyLineWhole()
    }
}
