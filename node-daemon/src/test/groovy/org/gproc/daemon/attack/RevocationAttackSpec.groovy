package org.gproc.daemon.attack

import groovy.json.JsonSlurper
import org.gproc.daemon.DaemonFixture
import org.gproc.transport.ssh.Keys
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption

import static org.gproc.daemon.NinePFiles.readFile
import static org.gproc.daemon.NinePFiles.text

/**
 * A key revoked, or removed from authorized_keys, while its connection is open: the connection is closed (within a
 * second of the file changing, by design: a 200 ms poll) and the close is audited; another user's connection stays.
 */
@Timeout(300)
class RevocationAttackSpec extends Specification {
    Path dir = Files.createTempDirectory('gprocd-revocation')
    Path revoked = dir.resolve('revoked')
    Path log = dir.resolve('audit.jsonl')
    DaemonFixture f
    PollingConditions conditions = new PollingConditions(timeout: 60, delay: 0.05)

    def setup() {
        Files.writeString(revoked, '# nothing revoked yet\n')
        f = new DaemonFixture({ it.revoked(revoked).auditLog(log) })
    }

    def cleanup() {
        f?.close()
        dir.toFile().deleteDir()
    }

    List<Map> lines() {
        Files.readAllLines(log).collect { new JsonSlurper().parseText(it) as Map }
    }

    boolean alive(def client) {
        try {
            text(readFile(client, 'arch'))
            return true
        } catch (IOException | RuntimeException closed) {
            return false
        }
    }

    def "alice's open connection is closed when her key is revoked, and the close is audited"() {
        given:
        def alice = f.connect('alice@lab')
        def bob = f.connect('bob@lab')
        assert alive(alice) && alive(bob)

        when:
        long written = System.nanoTime()
        Files.writeString(revoked, 'key: ' + Keys.publicKeyLine(f.keys['alice@lab'].public) + '\n',
                StandardOpenOption.APPEND)
        conditions.eventually { assert !alive(alice) }
        long millis = (System.nanoTime() - written).intdiv(1_000_000)
        Outcomes.note('key revoked while connected', "alice's connection closed ${millis} ms after the file changed")

        then:
        conditions.eventually {
            def line = lines().find { it.event == 'revoked' }
            assert line.principal == 'alice@lab'
            assert line.keyFingerprint == Keys.fingerprint(f.keys['alice@lab'].public)
            assert line.outcome == 'disconnected'
            assert line.reason.contains('is revoked in')
        }

        and: "bob's connection is untouched"
        alive(bob)
    }

    Path authorizedKeys() {
        f.dir.resolve('authorized_keys')
    }

    /** authorized_keys rewritten as an editor does: a new file renamed over the old one. */
    void rewriteAuthorizedKeys(Closure<List<String>> change) {
        List<String> lines = change(Files.readAllLines(authorizedKeys()))
        Path next = f.dir.resolve('authorized_keys.new')
        Files.write(next, lines)
        Files.move(next, authorizedKeys(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE)
    }

    def "alice's open connection is closed when her key is removed from authorized_keys, and the close is audited"() {
        given:
        def alice = f.connect('alice@lab')
        def bob = f.connect('bob@lab')
        assert alive(alice) && alive(bob)

        when:
        long written = System.nanoTime()
        rewriteAuthorizedKeys { it.findAll { !it.endsWith(' alice@lab') } }
        conditions.eventually { assert !alive(alice) }
        long millis = (System.nanoTime() - written).intdiv(1_000_000)
        Outcomes.note('key removed from authorized_keys while connected',
                "alice's connection closed ${millis} ms after the file changed")

        then:
        conditions.eventually {
            def line = lines().find { it.event == 'revoked' }
            assert line.principal == 'alice@lab'
            assert line.keyFingerprint == Keys.fingerprint(f.keys['alice@lab'].public)
            assert line.outcome == 'disconnected'
            assert line.reason.contains("${authorizedKeys()} does not list it")
        }

        and: "bob's connection is untouched"
        alive(bob)
    }

    def "an authorized_keys change that keeps alice's line (a comment added) closes nothing"() {
        given:
        def alice = f.connect('alice@lab')

        when:
        rewriteAuthorizedKeys { it + ['# a comment added'] }
        Thread.sleep(1500) // several polls of the file

        then:
        alive(alice)
        !lines().any { it.event == 'revoked' }
    }

    def "a revocation file that changes without naming a connected key closes nothing"() {
        given:
        def alice = f.connect('alice@lab')

        when:
        Files.writeString(revoked, 'key: ' + Keys.publicKeyLine(Keys.generate().public) + '\n',
                StandardOpenOption.APPEND)
        Thread.sleep(1500) // several polls of the revocation file

        then:
        alive(alice)
        !lines().any { it.event == 'revoked' }
    }
}
