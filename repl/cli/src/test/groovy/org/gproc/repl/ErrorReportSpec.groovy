package org.gproc.repl

import spock.lang.Specification

class ErrorReportSpec extends Specification {

    def "a runtime error in a script names the file and line"() {
        given:
        def dir = File.createTempDir()
        def script = new File(dir, 'broken.groovy')
        script.text = 'def a = 1\n\nnoSuchThing.call()\n'
        def evaluator = new GroovyEvaluator([:], false)

        when:
        evaluator.run(script)

        then:
        def e = thrown(MissingPropertyException)
        new ErrorReport('broken.groovy', true).describe(e) ==
                'broken.groovy:3: MissingPropertyException: No such property: noSuchThing'

        cleanup:
        dir.deleteDir()
    }

    def "a syntax error in multi-line REPL input names line and column; in one line, the column"() {
        given:
        def evaluator = new GroovyEvaluator([:], true)

        when:
        evaluator.evaluate(source)

        then:
        def e = thrown(Exception)
        new ErrorReport(null, multiLine).describe(e) ==~ expected

        where:
        source        | multiLine || expected
        'def a = 1\n)' | true     || /line 2: syntax error: .* \(column 1\)/
        '1 +* 2'      | false     || /syntax error: .* \(column \d+\)/
    }

    def "an interrupt reads as such"() {
        expect:
        new ErrorReport(null, false).describe(new InterruptedException()) == 'interrupted'
    }
}
