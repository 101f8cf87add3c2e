package org.gproc.repl

import spock.lang.Specification

class InputCompletenessSpec extends Specification {

    def "input that needs more lines: #source"() {
        expect:
        InputCompleteness.incomplete(source)

        where:
        source << [
                'def f(x) {',
                'nodes.each {\n  it.run(',
                '[1, 2,',
                'def s = """first line',
                '/* a comment',
                'def x = 1 +',
                'nodes.findAll { it.up }.',
                'a &&',
                'x ->',
                'def y =  // the value comes next',
                'println "a" \\',
        ]
    }

    def "input that is finished, or wrong in a way only the compiler can explain: #source"() {
        expect:
        !InputCompleteness.incomplete(source)

        where:
        source << [
                'def x = 21',
                'nodes.each { it.push("/bin/date").run() }',
                "nodes['n[1-4]!n3']",
                'def s = """one\ntwo"""',
                "println '{'",
                'x++',
                'import java.util.*',
                '1 +* 2',
                'f(1))',
                "println 'unterminated",
                '// just a comment {',
                '"${a}"',
                '',
        ]
    }
}
