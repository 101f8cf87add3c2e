package org.gproc.daemon

import groovy.json.JsonSlurper
import org.gproc.transport.cert.CertificateAuthority
import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.SshConnector
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import java.time.Duration

import static org.gproc.daemon.NinePFiles.clone
import static org.gproc.daemon.NinePFiles.push
import static org.gproc.daemon.NinePFiles.readFile
import static org.gproc.daemon.NinePFiles.text
import static org.gproc.daemon.NinePFiles.writeFile

/** gprocd --audit-log against a real daemon over real SSH: every line parses, each action is there, restarts append. */
@Timeout(300)
class AuditDaemonSpec extends Specification {
    Path dir = Files.createTempDirectory('gprocd-audit')
    Path log = dir.resolve('audit.jsonl')
    PollingConditions conditions = new PollingConditions(timeout: 60)

    def cleanup() {
        dir.toFile().deleteDir()
    }

    static List<Map> events(Path file) {
        Files.readAllLines(file).collect { new JsonSlurper().parseText(it) as Map }
    }

    static String sha256(Path file) {
        MessageDigest.getInstance('SHA-256').digest(Files.readAllBytes(file)).encodeHex().toString()
    }

    static int exec(BlockingNinePClient c, String argv, String program, String extraCtl = '') {
        def (Fid ctl, int n) = clone(c)
        writeFile(c, "$n/argv", argv)
        c.write(ctl, 0, (extraCtl + "exec $program\nclose stdin\n").bytes)
        n
    }

    def "clone, exec, signal, wipe and exit each leave one JSON line naming principal, node and session"() {
        given:
        def f = new DaemonFixture({ it.auditLog(log) })
        def alice = f.connect('alice@lab')
        def bob = f.connect('bob@lab')
        byte[] date = Files.readAllBytes(Path.of('/bin/date'))

        when: 'a node file runs to its end'
        int echo = exec(alice, "sh -c 'echo hi'", '/bin/sh')
        String echoStatus = text(readFile(alice, "$echo/wait"))

        and: 'a pushed binary runs'
        String hash = push(alice, date)
        int pushed = exec(alice, 'date', 'bin/date', "link $hash bin/date 755\n")
        text(readFile(alice, "$pushed/wait"))

        and: 'a sleeper is signalled, another session wiped'
        int sleeper = exec(alice, 'sleep 300', '/bin/sleep')
        Fid ctl = alice.open(alice.walk("$sleeper/ctl"), 1)
        alice.write(ctl, 0, 'signal TERM\n'.bytes)
        String sleeperStatus = text(readFile(alice, "$sleeper/wait"))
        def (Fid wipeCtl, int wiped) = clone(alice)
        alice.write(wipeCtl, 0, 'wipe\n'.bytes)

        and: 'bob reaches for alice\'s session twice'
        try { bob.walk("$sleeper/ctl") } catch (NinePException expected) { }
        Fid nodeCtl = bob.open(bob.walk('ctl'), 1)
        try { bob.write(nodeCtl, 0, "kill 9 $sleeper\n".bytes) } catch (NinePException expected) { }

        and: 'the daemon stops, which writes what is queued'
        f.close()
        def all = events(log)

        then: 'every line is an object with an ISO-8601 UTC time and an event'
        echoStatus == 'exit 0'
        sleeperStatus == 'signal 15'
        all.every { it.time ==~ /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/ && it.event }

        and: 'clone names the principal, node, port and session'
        def clones = all.findAll { it.event == 'clone' }
        clones*.session.containsAll([echo, pushed, sleeper, wiped])
        clones.every { it.principal == 'alice@lab' && it.node == 'n1' && it.port == f.daemon.port() && it.outcome == 'accepted' }

        and: 'exec has argv, the resolved binary and the sha256 of the file run'
        def execs = all.findAll { it.event == 'exec' }
        def shExec = execs.find { it.session == echo }
        shExec.argv == ['/bin/sh', '-c', 'echo hi']
        shExec.binary == Path.of('/bin/sh').toRealPath().toString()
        shExec.sha256 == sha256(Path.of('/bin/sh'))
        shExec.pid > 0 && shExec.outcome == 'accepted' && shExec.principal == 'alice@lab'
        execs.find { it.session == pushed }.sha256 == hash

        and: 'exit carries the status text'
        all.find { it.event == 'exit' && it.session == echo }.status == 'exit 0'
        all.find { it.event == 'exit' && it.session == sleeper }.status == 'signal 15'
        all.find { it.event == 'exit' && it.session == echo }.pid == shExec.pid

        and: 'signal names the signal and the target pid; wipe the principal'
        def signal = all.find { it.event == 'signal' && it.session == sleeper && it.principal == 'alice@lab' }
        signal.signal == 'TERM' && signal.pid == execs.find { it.session == sleeper }.pid && signal.outcome == 'accepted'
        all.find { it.event == 'wipe' && it.session == wiped }.principal == 'alice@lab'

        and: 'bob\'s attempts are refusals'
        all.find { it.event == 'access' && it.principal == 'bob@lab' }.outcome == 'refused'
        def refusedKill = all.find { it.event == 'signal' && it.principal == 'bob@lab' }
        refusedKill.outcome == 'refused' && refusedKill.reason.contains('owned by another principal')
    }

    def "a process that ends at once has its exec line before its exit line"() {
        given:
        def f = new DaemonFixture({ it.auditLog(log) })
        def alice = f.connect('alice@lab')

        when:
        List<Integer> sessions = (1..20).collect {
            int n = exec(alice, 'true', '/bin/true')
            assert text(readFile(alice, "$n/wait")) == 'exit 0'
            n
        }
        f.close()
        def all = events(log)

        then: 'in file order, each session\'s exec comes before its exit'
        sessions.every { n ->
            int execAt = all.findIndexOf { it.event == 'exec' && it.session == n }
            int exitAt = all.findIndexOf { it.event == 'exit' && it.session == n }
            execAt >= 0 && exitAt > execAt
        }
    }

    def "every authentication is a line: the accepted key with its principal, a refused key with the reason"() {
        given:
        def f = new DaemonFixture({ it.auditLog(log) })
        def stranger = Keys.generate()

        when:
        f.connect('alice@lab')
        def refused = SshConnector.builder().identity(stranger).knownHosts(f.knownHosts()).username('alice@lab').build()
        try {
            refused.open('127.0.0.1', f.daemon.port())
        } catch (IOException expected) {
        } finally {
            refused.close()
        }
        f.close()
        def auths = events(log).findAll { it.event == 'auth' }

        then:
        def ok = auths.find { it.outcome == 'accepted' }
        ok.principal == 'alice@lab'
        ok.keyFingerprint == Keys.fingerprint(f.keys['alice@lab'].public)
        ok.keyType == 'ssh-ed25519'
        ok.sshUser == 'nobody-in-particular'
        ok.remote ==~ /127\.0\.0\.1:\d+/

        and: 'the stranger is refused, named by fingerprint only: the user name it asked for is no identity'
        def no = auths.findAll { it.outcome == 'refused' && it.method == 'publickey' }
        no.size() >= 1
        no.every { it.keyFingerprint == Keys.fingerprint(stranger.public) && it.principal == null }
        no[0].reason == 'NOT_AUTHORIZED'
        no[0].sshUser == 'alice@lab'
    }

    def "a certificate login is logged with its serial and key id; a revoked one is refused as REVOKED"() {
        given:
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve('ca'))
        Path revoked = dir.resolve('revoked')
        Files.writeString(revoked, 'serial: 66\n')
        Path carolKey = userKey(ca, 'carol', ['carol@lab'], 65)
        Path malloryKey = userKey(ca, 'mallory', ['alice@lab'], 66)
        GprocDaemon d = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('hk'))
                .trustedUserCa(dir.resolve('ca/ca.pub')).revoked(revoked).stateDir(dir.resolve('state'))
                .auditLog(log).start()
        Path kh = d.writeInventory(dir.resolve('c.groovy')).resolveSibling('c.groovy.known_hosts')

        when:
        SshConnector carol = SshConnector.builder().identity(carolKey).knownHosts(kh).username('bob').build()
        carol.open('127.0.0.1', d.port()).close()
        SshConnector mallory = SshConnector.builder().identity(malloryKey).knownHosts(kh).build()
        try {
            mallory.open('127.0.0.1', d.port())
        } catch (IOException expected) {
        }
        carol.close()
        mallory.close()
        d.close()
        def auths = events(log).findAll { it.event == 'auth' }

        then:
        def ok = auths.find { it.outcome == 'accepted' }
        ok.principal == 'carol@lab'
        ok.sshUser == 'bob'
        ok.keyType == 'ssh-ed25519-cert-v01@openssh.com'
        ok.certSerial == '65'
        ok.certKeyId == 'carol'

        and:
        def no = auths.find { it.outcome == 'refused' && it.certSerial == '66' }
        no.reason == 'REVOKED'
        no.certKeyId == 'mallory'
        no.principal == null
    }

    Path userKey(CertificateAuthority ca, String name, List<String> principals, long serial) {
        Path key = dir.resolve(name)
        Keys.write(Keys.generate(), key, "$name@laptop")
        ca.signUserKeyFile(Path.of("${key}.pub"), principals, Duration.ofHours(1), serial, name)
        key
    }

    def "a failed exec is audited with its reason, and nothing a client writes can break a line"() {
        given:
        def f = new DaemonFixture({ it.auditLog(log) })
        def alice = f.connect('alice@lab')

        when:
        def (Fid ctl, int n) = clone(alice)
        writeFile(alice, "$n/argv", 'x "a\\"b\nc\u0001" \'}{"outcome":"accepted"}\'')
        alice.write(ctl, 0, 'exec /no/such/program\n'.bytes)

        then:
        def refused = thrown(NinePException)
        refused.message.contains('/no/such/program')

        when:
        f.close()
        def all = events(log)

        then:
        Files.readAllLines(log).size() == all.size()
        def e = all.find { it.event == 'exec' && it.session == n }
        e.outcome == 'failed'
        e.reason.contains('/no/such/program')
        all.count { it.event == 'exec' } == 1
    }

    def "a restarted daemon appends after the lines of the one before"() {
        given:
        def first = new DaemonFixture({ it.auditLog(log) })
        clone(first.connect('alice@lab'))
        first.close()
        List<String> before = Files.readAllLines(log)

        when:
        def second = new DaemonFixture({ it.auditLog(log) })
        clone(second.connect('bob@lab'))
        second.close()
        List<String> after = Files.readAllLines(log)

        then:
        before.size() >= 1
        after.take(before.size()) == before
        after.size() > before.size()
        events(log).findAll { it.event == 'clone' }*.principal == ['alice@lab', 'bob@lab']
    }

    def "an audit log gprocd cannot open refuses the start, naming --audit-log and the path: #why"() {
        given:
        Path bad = path.call(dir)

        when:
        new DaemonFixture({ it.auditLog(bad) })

        then:
        def e = thrown(IOException)
        e.message.contains('--audit-log')
        e.message.contains(bad.toString())

        where:
        why                      | path
        'a directory'            | { Path d -> d }
        'under a regular file'   | { Path d -> Files.writeString(d.resolve('file'), ''); d.resolve('file/audit.jsonl') }
        'in a missing directory' | { Path d -> d.resolve('missing/audit.jsonl') }
    }

    def "gprocd --audit-log with an unwritable path exits with an error naming the flag and the path"() {
        given:
        Files.writeString(dir.resolve('file'), '')
        String bad = dir.resolve('file/audit.jsonl').toString()

        when:
        def (code, out, err) = GprocdSpec.run('--listen', '127.0.0.1:0', '--host-key', dir.resolve('k').toString(),
                '--authorized-keys', dir.resolve('a').toString(), '--state-dir', dir.resolve('s').toString(),
                '--audit-log', bad)

        then:
        code != '0'
        err.contains("--audit-log $bad")
        !Files.exists(dir.resolve('s'))
    }
}
