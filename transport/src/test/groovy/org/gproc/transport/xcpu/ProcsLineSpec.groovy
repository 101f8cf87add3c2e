package org.gproc.transport.xcpu

import org.gproc.transport.ninep.NinePException
import spock.lang.Specification

class ProcsLineSpec extends Specification {

    def "the procs line '#text' reads as session #session pid #pid argv #argv and writes back the same"() {
        when:
        def line = ProcsLine.parse(text)

        then:
        line == new ProcsLine(session, pid, state, owner, cpu, rss, start, argv)
        line.format() == text.strip()

        where:
        text                                                         || session | pid  | state     | owner       | cpu  | rss  | start      | argv
        '3 4242 running alice 12.5 2048 1764590000 sim -n 8'        || 3       | 4242 | 'running' | 'alice'     | 12.5 | 2048 | 1764590000 | ['sim', '-n', '8']
        "0 1 exited fp-AbC_d 0.0 0 0 sh -c 'exit 7'\n"              || 0       | 1    | 'exited'  | 'fp-AbC_d'  | 0.0  | 0    | 0          | ['sh', '-c', 'exit 7']
        "12 77 running a@b 100.0 1 2 'it''s' ''"                    || 12      | 77   | 'running' | 'a@b'       | 100  | 1    | 2          | ["it's", '']
        '5 9 running bob 1.0 3 4'                                   || 5       | 9    | 'running' | 'bob'       | 1.0  | 3    | 4          | []
    }

    def "the daemon's figures are written with one decimal of cpu, so they read back equal"() {
        given:
        def line = new ProcsLine(1, 2, 'running', 'alice', 33.333, 4, 5, ['top'])

        expect:
        line.format() == '1 2 running alice 33.3 4 5 top'
        ProcsLine.parse(line.format()) == line
    }

    def "control characters in argv are written as ?, so the line stays one line and reads back as written"() {
        given:
        def line = new ProcsLine(1, 2, 'running', 'alice', 0, 4, 5, ['sh', '-c', 'echo a\nb\tc\u007f'])

        expect:
        line.argv() == ['sh', '-c', 'echo a?b?c?']
        line.format() == "1 2 running alice 0.0 4 5 sh -c 'echo a?b?c?'"
        !line.format().contains('\n')
        ProcsLine.parse(line.format()) == line
    }

    def "'#text' is not a procs line: #rule"() {
        when:
        ProcsLine.parse(text)

        then:
        def e = thrown(NinePException)
        e.message.startsWith('procs: ')
        e.message.contains(rule)

        where:
        text                                            || rule
        ''                                              || 'got 0 fields'
        '3 4242 running alice 12.5 2048'                || 'got 6 fields'
        '3 x running alice 12.5 2048 17 sim'            || 'whole numbers'
        '-3 42 running alice 12.5 2048 17 sim'          || 'whole numbers'
        '3 +42 running alice 12.5 2048 17 sim'          || 'whole numbers'
        '3 42 running alice 1e3 2048 17 sim'            || 'whole numbers'
        '3 42 running alice NaN 2048 17 sim'            || 'whole numbers'
        '3 0 running alice 1.0 2048 17 sim'             || 'pid 0'
        '3 42 RUNNING alice 1.0 2048 17 sim'            || 'one lower-case word'
        "3 42 running 'al ice' 1.0 2048 17 sim"         || 'principal is one token'
        "3 42 running alice 1.0 2048 17 'sim"           || 'unterminated quote'
        '3 99999999999999999999 running a 1 2 3 sim'    || 'whole numbers'
    }

    def "a procs line cannot be built with #what"() {
        when:
        new ProcsLine(session, pid, state, owner, cpu, rss, start, [])

        then:
        thrown(IllegalArgumentException)

        where:
        what            | session | pid | state     | owner   | cpu  | rss | start
        'session -1'    | -1      | 1   | 'running' | 'alice' | 0.0  | 0   | 0
        'no owner'      | 1       | 1   | 'running' | null    | 0.0  | 0   | 0
        'a blank state' | 1       | 1   | ''        | 'alice' | 0.0  | 0   | 0
        'negative cpu'  | 1       | 1   | 'running' | 'alice' | -1.0 | 0   | 0
        'negative rss'  | 1       | 1   | 'running' | 'alice' | 0.0  | -1  | 0
    }
}
