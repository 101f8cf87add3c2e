package org.gproc.daemon.proc

import org.gproc.transport.ninep.NinePException
import spock.lang.Specification

class SignalsSpec extends Specification {

    def "'#text' is signal #number"() {
        expect:
        Signals.parse(text) == number

        where:
        text        || number
        '15'        || 15
        'TERM'      || 15
        'SIGTERM'   || 15
        'term'      || 15
        'sigkill'   || 9
        ' INT '     || 2
        'HUP'       || 1
        'SEGV'      || 11
        'XFSZ'      || 25
        'SYS'       || 31
        'IOT'       || 6
        'RTMIN'     || 34
        'RTMIN+3'   || 37
        'SIGRTMAX'  || 64
        'RTMAX-2'   || 62
        '1'         || 1
        '64'        || 64
    }

    def "'#text' is refused: #message"() {
        when:
        Signals.parse(text)

        then:
        def e = thrown(NinePException)
        e.message == message

        where:
        text        || message
        'TREM'      || "signal: unknown signal 'TREM' (did you mean 'TERM'?)"
        'SIGKIL'    || "signal: unknown signal 'SIGKIL' (did you mean 'KILL'?)"
        'banana'    || "signal: unknown signal 'banana' (use a name such as TERM, KILL, INT, HUP or a number 1-64)"
        ''          || "signal: unknown signal '' (use a name such as TERM, KILL, INT, HUP or a number 1-64)"
        '0'         || "signal: no signal number '0' (Linux signals are 1-64)"
        '65'        || "signal: no signal number '65' (Linux signals are 1-64)"
        '99999999'  || "signal: no signal number '99999999' (Linux signals are 1-64)"
        '-9'        || "signal: unknown signal '-9' (use a name such as TERM, KILL, INT, HUP or a number 1-64)"
        'RTMIN+40'  || "signal: unknown signal 'RTMIN+40' (use a name such as TERM, KILL, INT, HUP or a number 1-64)"
        'TERM\n9'   || "signal: unknown signal 'TERM\\x0a9' (did you mean 'TERM'?)"
    }

    def "signal #number is called #name"() {
        expect:
        Signals.name(number) == name

        where:
        number || name
        15     || 'TERM'
        9      || 'KILL'
        34     || 'RTMIN'
        40     || 'RTMIN+6'
        33     || '33'
        0      || '0'
    }
}
