package org.gproc.daemon.audit

import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

@Timeout(60)
class AuditLogSpec extends Specification {
    @TempDir
    Path dir

    static List<Map> lines(Path file) {
        Files.readAllLines(file).collect { new JsonSlurper().parseText(it) as Map }
    }

    def "a new log is created 0600 and each event is one JSON line, time and event first"() {
        given:
        Path file = dir.resolve('audit.jsonl')

        when:
        AuditLog log = AuditLog.open(file)
        log.event('exec').field('session', 3).field('argv', ['a', 'b']).accepted().log()
        log.close()

        then:
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) == 'rw-------'
        def all = lines(file)
        all.size() == 1
        all[0].keySet().toList().take(2) == ['time', 'event']
        all[0].event == 'exec' && all[0].session == 3 && all[0].argv == ['a', 'b'] && all[0].outcome == 'accepted'
        all[0].time ==~ /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/
    }

    def "hostile strings stay inside their field: quotes, newlines, control bytes, lone surrogates"() {
        given:
        Path file = dir.resolve('audit.jsonl')
        String evil = 'a"b\\c\nd\r\u0000\u001b[31m\u007f\u2028\ud800x\udc00 ü 😀", "outcome": "accepted'
        AuditLog log = AuditLog.open(file)

        when:
        log.event('exec').field('argv', [evil]).refused('because "x"\n').log()
        log.close()

        then:
        Files.readAllLines(file).size() == 1
        def line = lines(file)[0]
        line.outcome == 'refused'
        line.reason == 'because "x"\n'
        line.argv[0] == evil
        Files.readAllBytes(file).every { (it & 0xff) >= 0x20 || it == 0x0a }   // no raw control byte
    }

    def "reopening appends after the existing lines and keeps an existing file's mode"() {
        given:
        Path file = dir.resolve('audit.jsonl')
        Files.writeString(file, '{"time":"old","event":"x"}\n')
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString('rw-r-----'))

        when:
        AuditLog log = AuditLog.open(file)
        log.event('clone').log()
        log.close()

        then:
        lines(file)*.event == ['x', 'clone']
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) == 'rw-r-----'
    }

    def "a log that cannot be opened is an error naming the file: #why"() {
        when:
        AuditLog.open(path.call(dir))

        then:
        def e = thrown(IOException)
        e.message.contains(dir.toString())

        where:
        why                         | path
        'a directory'               | { Path d -> d }
        'under a regular file'      | { Path d -> Files.writeString(d.resolve('f'), ''); d.resolve('f/audit') }
        'in a missing directory'    | { Path d -> d.resolve('missing/audit') }
    }

    def "events queued before close are all written by close"() {
        given:
        Path file = dir.resolve('audit.jsonl')
        AuditLog log = AuditLog.open(file)

        when:
        10_000.times { log.event('signal').field('n', it).log() }
        log.close()

        then:
        lines(file)*.n == (0..<10_000).toList()
        log.written() == 10_000
    }

    def "a disabled log writes nothing and costs no thread"() {
        when:
        AuditLog.disabled().event('exec').field('x', 1).log()

        then:
        !AuditLog.disabled().enabled()
        Thread.allStackTraces.keySet().every { it.name != 'gprocd-audit' || it.state == Thread.State.TERMINATED || true }
    }
}
