package org.gproc.transport.xcpu

import org.gproc.transport.ninep.NinePException
import spock.lang.Specification

class NodeStateSpec extends Specification {

    static final String GOLDEN = '''load 0.12 0.10 0.05
memtotal 16777216000
memavail 8388608000
sessions 4
running 1
cache 12345
uptime 3600
version gprocd 0.1.0-SNAPSHOT
'''

    def "the state file reads as its fields and writes back byte for byte"() {
        when:
        def state = NodeState.parse(GOLDEN)

        then:
        state == new NodeState(['0.12', '0.10', '0.05'], 16777216000, 8388608000, 4, 1, 12345, 3600, '0.1.0-SNAPSHOT')
        state.format() == GOLDEN
    }

    def "per-session cgroup lines read back as usage, memory 'none' without the memory controller"() {
        given:
        String text = GOLDEN + 'session 3 cpu 1500000 memory 4096 procs 2\nsession 7 cpu 20 memory none procs 0\n'

        when:
        def state = NodeState.parse(text)

        then:
        state.usage() == [new NodeState.SessionUsage(3, 1500000, 4096, 2), new NodeState.SessionUsage(7, 20, -1, 0)]
        state.format() == text
    }

    def "a session line with #fault is refused"() {
        when:
        NodeState.parse(GOLDEN + line + '\n')

        then:
        def e = thrown(NinePException)
        e.message.contains(rule)

        where:
        fault               | line                                        || rule
        'a missing field'   | 'session 3 cpu 15 memory 4096'              || "expected 'session N cpu USEC memory BYTES|none procs N'"
        'a word for cpu'    | 'session 3 cpu lots memory 4096 procs 1'    || "cpu 'lots' (a whole number)"
        'a negative memory' | 'session 3 cpu 1 memory -5 procs 1'         || "memory '-5' (a whole number)"
    }

    def "a state file with #fault is refused: #rule"() {
        when:
        NodeState.parse(GOLDEN.replace(from, to))

        then:
        def e = thrown(NinePException)
        e.message.startsWith('state: ')
        e.message.contains(rule)

        where:
        fault                | from                     | to                               || rule
        'a key missing'      | 'running 1\n'            | ''                               || 'missing running'
        'a key twice'        | 'running 1\n'            | 'running 1\nrunning 2\n'         || "'running' twice"
        'an unknown key'     | 'running 1\n'            | 'running 1\nswap 3\n'            || "unknown line 'swap 3'"
        'a negative count'   | 'sessions 4'             | 'sessions -4'                    || "sessions '-4' (a whole number)"
        'a word for a count' | 'cache 12345'            | 'cache lots'                     || "cache 'lots'"
        'two load figures'   | 'load 0.12 0.10 0.05'    | 'load 0.12 0.10'                 || 'three decimals'
        'a bad load figure'  | 'load 0.12 0.10 0.05'    | 'load 0.12 0.10 x'               || 'three decimals'
        'another daemon'     | 'version gprocd '        | 'version sshd '                  || "expected 'gprocd VERSION'"
        'a control char'     | 'uptime 3600'            | 'uptime 36\u000100'              || "uptime '36\\x0100'"
    }
}
