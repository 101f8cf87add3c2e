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

    def "--json keeps numbers, booleans, lists and nulls as JSON values, and a shown cell's value"() {
        expect:
        new Table('PID', 'CPU', 'UP', 'LOAD', 'RSS', 'NOTE').row(42L, 1.5d, true, [0.5d, 1], Table.shown(2048L, '2.0 KiB'), null)
                .jsonLines() == ['{"pid":42,"cpu":1.5,"up":true,"load":[0.5,1],"rss":2048,"note":null}']
        new Table('RSS').row(Table.shown(2048L, '2.0 KiB')).render() == 'RSS\n2.0 KiB'
    }

    def "text that looks like a number stays a string in JSON"() {
        expect:
        new Table('SESSION').row('12').jsonLines() == ['{"session":"12"}']
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
