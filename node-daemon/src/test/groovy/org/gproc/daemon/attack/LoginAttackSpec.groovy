package org.gproc.daemon.attack

import groovy.json.JsonSlurper
import org.apache.sshd.client.session.ClientSession
import org.gproc.daemon.DaemonFixture
import org.gproc.daemon.NinePFiles
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.MaxStartups
import org.gproc.transport.ssh.PerSourcePenalties
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * Login floods against a real gprocd over real SSH, sent by {@link RawSsh} (a hand-written SSHD client): huge user
 * names, the {@code ssh-userauth} service request re-sent before each try, every method but publickey, refusals by
 * the hundred, sources that keep failing, silent connections. Each has its good-path twin: what a well-behaved
 * client still gets.
 */
@Timeout(600)
class LoginAttackSpec extends Specification {
    Path dir = Files.createTempDirectory('gprocd-login-attack')
    Path log = dir.resolve('audit.jsonl')
    DaemonFixture f
    RawSsh raw
    PollingConditions conditions = new PollingConditions(timeout: 60)

    def cleanup() {
        raw?.close()
        f?.close()
        dir.toFile().deleteDir()
    }

    void start(Closure<?> configure = {}) {
        f = new DaemonFixture({ b -> b.auditLog(log); configure(b) })
        raw = new RawSsh(f.daemon.hostKey())
    }

    List<Map> lines() {
        Files.readAllLines(log).collect { new JsonSlurper().parseText(it) as Map }
    }

    List<Map> auth(String outcome = null) {
        lines().findAll { it.event == 'auth' && (outcome == null || it.outcome == outcome) }
    }

    def "a 250 KB user name is written as its first 256 bytes, marked as cut"() {
        given:
        start()
        String huge = 'x' * 250_000
        def stranger = Keys.generate()

        when:
        def s = raw.connect(huge, f.daemon.port())
        RawSsh.probe(s, huge, stranger.public)
        conditions.eventually { assert auth('refused').any { it.method == 'publickey' } }
        s.close(true)
        def refused = auth('refused').find { it.method == 'publickey' }
        Outcomes.note('250 KB user name', "sshUser written as ${refused.sshUser.length()} chars; log ${Files.size(log)} bytes")

        then:
        refused.sshUser == 'x' * 256 + '…[cut: 250000 bytes]'
        refused.keyFingerprint == Keys.fingerprint(stranger.public)
        Files.size(log) < 4096
    }

    def "a short user name is written whole"() {
        given:
        start()

        when:
        def s = raw.connect('alice', f.daemon.port())
        RawSsh.probe(s, 'alice', Keys.generate().public)
        conditions.eventually { assert auth('refused').any { it.method == 'publickey' } }
        s.close(true)

        then:
        auth('refused').find { it.method == 'publickey' }.sshUser == 'alice'
    }

    def "re-sending the ssh-userauth service request before each try does not reset the count: try 7 closes the connection"() {
        given:
        start()
        def stranger = Keys.generate()
        def s = raw.connect('alice', f.daemon.port())

        when: 'forty tries, each after a fresh service request'
        int sent = 0
        for (int i = 0; i < 40 && !s.closed && !s.closing; i++) {
            try {
                RawSsh.serviceRequest(s)
                RawSsh.probe(s, 'alice', stranger.public)
                sent++
            } catch (IOException closedMeanwhile) {
                break
            }
        }
        boolean closed = RawSsh.closedWithin(s)
        conditions.eventually { assert auth('refused').any { it.reason == 'TOO_MANY_ATTEMPTS' } }
        def refused = auth('refused')
        Outcomes.note('service request before each try', "connection closed=${closed} after ${sent} sent; refusals ${refused*.reason}")

        then:
        closed
        refused.count { it.reason == 'NOT_AUTHORIZED' } == 6
        refused.count { it.reason == 'TOO_MANY_ATTEMPTS' } == 1
    }

    def "a client with four wrong keys and the right one logs in on one connection"() {
        given:
        start()
        def s = raw.client.connect('alice', '127.0.0.1', f.daemon.port()).verify(RawSsh.WAIT).session
        4.times { s.addPublicKeyIdentity(Keys.generate()) }
        s.addPublicKeyIdentity(f.keys['alice@lab'])

        when:
        s.auth().verify(RawSsh.WAIT)

        then:
        s.authenticated
        conditions.eventually { assert auth('accepted')*.principal == ['alice@lab'] }

        cleanup:
        s?.close(true)
    }

    def "#shown attempts are each an auth line naming the method, refused"() {
        given:
        start()
        def s = raw.connect('alice', f.daemon.port())

        when:
        RawSsh.request(s, 'alice', method, body)
        conditions.eventually { assert auth('refused').any { it.method == written } }
        s.close(true)
        def line = auth('refused').find { it.method == written }

        then:
        line.reason == 'METHOD'
        line.sshUser == 'alice'
        line.principal == null
        line.remote ==~ /127\.0\.0\.1:\d+/

        where:
        method                 | body
        'none'                 | { b -> }
        'password'             | { b -> b.putBoolean(false); b.putString('hunter2') }
        'keyboard-interactive' | { b -> b.putString(''); b.putString('') }
        'hostbased'            | { b -> b.putString('ssh-ed25519'); b.putBytes(new byte[32]); b.putString('evil.example'); b.putString('root'); b.putBytes(new byte[64]) }
        'gssapi-with-mic'      | { b -> b.putInt(0) }
        'x' * 300              | { b -> }
        shown = method.size() > 40 ? 'a 300-byte method name' : method
        written = method.size() > 256 ? method.take(256) + '…[cut: 300 bytes]' : method
    }

    def "a publickey login is an accepted auth line naming the method"() {
        given:
        start()

        when:
        f.connect('alice@lab')

        then:
        conditions.eventually {
            def ok = auth('accepted')
            assert ok.size() == 1 && ok[0].method == 'publickey' && ok[0].principal == 'alice@lab'
        }
    }

    def "a hundred refusals from one source are ten lines a window and a summary: N more refusals from ADDR in 10 s"() {
        given:
        start()
        def stranger = Keys.generate()

        when: '17 connections of 7 tries each (the 7th is past the limit and closes it), as fast as handshakes go'
        17.times {
            def s = raw.connect('mallory', f.daemon.port())
            RawSsh.probes(s, 7, 'mallory', stranger.public)
            RawSsh.closedWithin(s)
        }
        conditions.eventually {
            assert auth('refused').size() + lines().findAll { it.event == 'auth-summary' }.sum(0) { it.refusals as int } == 17 * 7
        }
        def refused = auth('refused')
        def summaries = lines().findAll { it.event == 'auth-summary' }
        Outcomes.note('100 refusals from one source', "${refused.size()} auth lines, summaries: ${summaries*.message}")

        then: 'every refusal is either a line or counted in a summary of its 10 s window'
        summaries.every { it.message ==~ /\d+ more refusals from 127\.0\.0\.1 in 10 s/ }
        refused.size() < 17 * 7

        and: 'a summary counts the reasons it held back, so the 17 connections cut off are all accounted for'
        summaries.every { (it.reasons as Map).values().sum() == it.refusals }
        refused.count { it.reason == 'TOO_MANY_ATTEMPTS' } + summaries.sum(0) { it.reasons.TOO_MANY_ATTEMPTS ?: 0 } == 17
        refused.count { it.reason == 'NOT_AUTHORIZED' } + summaries.sum(0) { it.reasons.NOT_AUTHORIZED ?: 0 } == 17 * 6
    }

    def "a few refusals are each written, with no summary"() {
        given:
        start()

        when:
        def s = raw.connect('mallory', f.daemon.port())
        3.times { RawSsh.probe(s, 'mallory', Keys.generate().public) }
        conditions.eventually { assert auth('refused').count { it.method == 'publickey' } == 3 }
        s.close(true)
        f.daemon.close()

        then:
        !lines().any { it.event == 'auth-summary' }
    }

    def "a source whose logins keep failing is refused at accept for a while; alice, connected or from elsewhere, is not"() {
        given: 'penalties as OpenSSH, with a short minimum'
        start({ it.perSourcePenalties(PerSourcePenalties.parse('authfail:5s min:10s max:60s')) })
        def alice = f.connect('alice@lab')
        def stranger = Keys.generate()

        when: 'three failed connections from 127.0.0.2'
        3.times {
            def s = raw.connect('mallory', f.daemon.port(), '127.0.0.2')
            RawSsh.probe(s, 'mallory', stranger.public)
            Thread.sleep(100) // the refusal reaches the log before the close
            s.close(true)
        }
        conditions.eventually { assert f.daemon.ssh().penalisedSources() == 1 }
        boolean refusedAtAccept
        try {
            def next = raw.client.connect('mallory', new InetSocketAddress('127.0.0.1', f.daemon.port()),
                    new InetSocketAddress('127.0.0.2', 0)).verify(RawSsh.WAIT).session
            refusedAtAccept = RawSsh.closedWithin(next) && !next.authenticated
        } catch (IOException closedAtOnce) {
            refusedAtAccept = true
        }

        then: 'the next one from 127.0.0.2 is closed before a key exchange'
        refusedAtAccept
        f.daemon.ssh().refusedPenalised() >= 1

        and: "alice's open connection still works, and she can connect again from 127.0.0.1"
        NinePFiles.text(NinePFiles.readFile(alice, 'arch')) ==~ /[a-z0-9_]+/
        NinePFiles.text(NinePFiles.readFile(f.connect('alice@lab'), 'arch')) ==~ /[a-z0-9_]+/
    }

    def "without failures no source is penalised"() {
        given:
        start({ it.perSourcePenalties(PerSourcePenalties.DEFAULTS) })

        when:
        5.times { f.connect('alice@lab') }

        then:
        f.daemon.ssh().penalisedSources() == 0
        f.daemon.ssh().refusedPenalised() == 0
    }

    def "64 silent connections with max startups 10:30:100 slow new clients down but never lock them out"() {
        given:
        start({ it.maxStartups(MaxStartups.parse('10:30:100')) })
        List<Socket> silent = (1..64).collect { new Socket('127.0.0.1', f.daemon.port()) }
        conditions.eventually { assert f.daemon.ssh().unauthenticatedCount() + f.daemon.ssh().droppedUnauthenticated() >= 64 }

        when: 'alice tries until she is in (P(40 drops in a row) < 1e-5 at the worst drop rate, 72%)'
        int tries = 0
        boolean in_ = false
        while (!in_ && tries < 40) {
            tries++
            try {
                NinePFiles.readFile(f.connect('alice@lab'), 'arch')
                in_ = true
            } catch (IOException dropped) {
            }
        }
        Outcomes.note('64 silent connections, max startups 10:30:100', "alice in after ${tries} tries; ${f.daemon.ssh().droppedUnauthenticated()} dropped")

        then:
        in_
        f.daemon.ssh().droppedUnauthenticated() > 0

        cleanup:
        silent*.close()
    }

    def "the single-number form is still a hard cap: with 4 silent connections and --max-startups 4, no one else gets in"() {
        given:
        start({ it.maxStartups(4) })
        List<Socket> silent = (1..4).collect { new Socket('127.0.0.1', f.daemon.port()) }
        conditions.eventually { assert f.daemon.ssh().unauthenticatedCount() == 4 }

        when:
        int refused = 0
        5.times {
            try {
                f.connect('alice@lab')
            } catch (IOException dropped) {
                refused++
            }
        }

        then:
        refused == 5

        cleanup:
        silent*.close()
    }
}
