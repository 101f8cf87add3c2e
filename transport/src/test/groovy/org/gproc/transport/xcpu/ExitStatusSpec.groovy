package org.gproc.transport.xcpu

import org.gproc.transport.ninep.NinePException
import spock.lang.Specification

class ExitStatusSpec extends Specification {

    def "'#text' round-trips as code #code, signal #signal, core #core"() {
        when:
        def status = ExitStatus.parse(text)

        then:
        status == new ExitStatus(code, signal, core)
        status.toString() == text.strip()
        status.signaled() == (signal != 0)

        where:
        text               || code | signal | core
        'exit 0'           || 0    | 0      | false
        'exit 7\n'         || 7    | 0      | false
        'exit 137'         || 137  | 0      | false
        'signal 9'         || 137  | 9      | false
        'signal 11 core'   || 139  | 11     | true
    }

    def "'#text' is not an exit status"() {
        when:
        ExitStatus.parse(text)

        then:
        def e = thrown(NinePException)
        e.message.startsWith("wait: bad exit status ")

        where:
        text << ['', 'exit', 'exit -1', 'exit 256', 'exit 7 core', 'signal 0', 'signal 65', 'signal 9 dumped',
                 'signal x', 'EXIT 0', 'exit  0', null]
    }

    def "exit 137 and signal 9 are different statuses"() {
        expect:
        ExitStatus.exited(137) != ExitStatus.killed(9, false)
        ExitStatus.exited(137).code() == ExitStatus.killed(9, false).code()
    }

    def "an impossible status is refused when built"() {
        when:
        new ExitStatus(code, signal, core)

        then:
        thrown(IllegalArgumentException)

        where:
        code | signal | core
        -1   | 0      | false
        0    | 0      | true
        9    | 9      | false
        193  | 65     | false
    }
}
