package org.gproc.repl

import spock.lang.Specification

class TableSpec extends Specification {

    record Row(String node, long pid) {}

    def "rows added cell by cell are aligned under upper-case headers"() {
        expect:
        new Table('node', 'pid', 'argv').row('n1', 4242, 'sleep 9').row('n10', 7, null).render() ==
                'NODE  PID   ARGV\n' +
                'n1    4242  sleep 9\n' +
                'n10   7'
    }

    def "objects of any kind become rows: #kind"() {
        expect:
        Table.render(rows) == text

        where:
        kind      | rows                                   || text
        'maps'    | [[node: 'n1', up: true]]               || 'NODE  UP\nn1    true'
        'records' | [new Row('n1', 5), new Row('n22', 77)] || 'NODE  PID\nn1    5\nn22   77'
        'values'  | ['a', 'bb']                            || 'VALUE\na\nbb'
        'nothing' | []                                     || ''
    }

    def "--json writes one object per row with lower-case keys, escaped"() {
        expect:
        new Table('NODE', 'ERROR').row('n1', 'bad "x"\n').jsonLines() == ['{"node":"n1","error":"bad \\"x\\"\\n"}']
    }

    def "a table without rows still prints its header for people and nothing for --json"() {
        given:
        def text = new StringWriter()
        def json = new StringWriter()

        when:
        new Table('NODE', 'PID').print(new PrintWriter(text), false)
        new Table('NODE', 'PID').print(new PrintWriter(json), true)

        then:
        text.toString() == 'NODE  PID' + System.lineSeparator()
        json.toString() == ''
    }

    def "a row with fewer cells than headers is padded, not misaligned"() {
        expect:
        new Table('A', 'B').row('x').render() == 'A  B\nx'
    }
}
