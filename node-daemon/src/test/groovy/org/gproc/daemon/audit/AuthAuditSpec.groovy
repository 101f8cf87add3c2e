package org.gproc.daemon.audit

import groovy.json.JsonSlurper
import org.gproc.transport.ssh.AuthEvent
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant

@Timeout(60)
class AuthAuditSpec extends Specification {
    @TempDir
    Path dir

    Map record(AuthEvent e) {
        Path file = dir.resolve('audit.jsonl')
        AuditLog log = AuditLog.open(file)
        new AuthAudit(log).onAuth(e)
        log.close()
        def lines = Files.readAllLines(file)
        assert lines.size() == 1
        new JsonSlurper().parseText(lines[0]) as Map
    }

    def "an accepted user certificate is logged with its serial (unsigned), key id, the verdict's time and the source"() {
        given:
        def when = Instant.parse('2026-11-21T10:00:00.123456789Z')
        def e = new AuthEvent(when, true, 'alice@lab', 'SHA256:abc', 'ssh-ed25519-cert-v01@openssh.com', -1L,
                'alice laptop', 'bob', new InetSocketAddress(InetAddress.getByName('::1'), 40000), null)

        expect:
        record(e) == [time: '2026-11-21T10:00:00.123456Z', event: 'auth', principal: 'alice@lab', method: 'publickey',
                      keyType: 'ssh-ed25519-cert-v01@openssh.com', keyFingerprint: 'SHA256:abc',
                      certSerial: '18446744073709551615', certKeyId: 'alice laptop', sshUser: 'bob',
                      remote: '[0:0:0:0:0:0:0:1]:40000', outcome: 'accepted']
    }

    def "a refusal carries the rule and no principal; peer strings cannot break the line"() {
        given:
        def e = new AuthEvent(Instant.now(), false, null, 'SHA256:xyz', 'ssh-ed25519-cert-v01@openssh.com', 7L,
                'id"\n{"outcome":"accepted"}', 'root\u0000\r\n', new InetSocketAddress('127.0.0.1', 2222), 'EXPIRED')

        when:
        def line = record(e)

        then:
        line.outcome == 'refused'
        line.reason == 'EXPIRED'
        line.principal == null
        line.certKeyId == 'id"\n{"outcome":"accepted"}'
        line.sshUser == 'root\u0000\r\n'
        line.remote == '127.0.0.1:2222'
    }

    def "a plain key has no certificate fields"() {
        given:
        def e = new AuthEvent(Instant.now(), false, null, 'SHA256:k', 'ssh-ed25519', null, null, 'u',
                new InetSocketAddress('127.0.0.1', 1), AuthEvent.NOT_AUTHORIZED)

        when:
        def line = record(e)

        then:
        !line.containsKey('certSerial')
        !line.containsKey('certKeyId')
        line.reason == 'NOT_AUTHORIZED'
    }
}
