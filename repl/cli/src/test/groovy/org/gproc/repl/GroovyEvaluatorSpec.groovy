package org.gproc.repl

import org.codehaus.groovy.control.CompilationFailedException
import spock.lang.Specification
import spock.lang.Timeout

@Timeout(60)
class GroovyEvaluatorSpec extends Specification {

    def repl = new GroovyEvaluator([greeting: 'hi'], true)

    def "a def at the top level persists to the next input"() {
        when:
        repl.evaluate('def x = 21')

        then:
        repl.evaluate('x * 2') == 42
    }

    def "typed, uninitialised and multiple declarations persist too"() {
        when:
        repl.evaluate('int n = 3')
        repl.evaluate('def (a, b) = [1, 2]')
        repl.evaluate('String s')

        then:
        repl.evaluate('n + a + b') == 6
        repl.evaluate('s') == null
    }

    def "a declaration inside a closure stays local to it"() {
        when:
        repl.evaluate('[1].each { def inner = it }')
        repl.evaluate('inner')

        then:
        thrown(MissingPropertyException)
    }

    def "a method defined at the top level can be called, recursively, from later inputs"() {
        when:
        def defined = repl.evaluate('def fact(int n) { n <= 1 ? 1 : n * fact(n - 1) }')

        then: 'defining it yields nothing to print'
        defined == null
        repl.evaluate('fact(5)') == 120
    }

    def "imports and classes stay visible to later inputs"() {
        when:
        repl.evaluate('import java.util.concurrent.TimeUnit')
        repl.evaluate('import static java.lang.Math.max')
        repl.evaluate('class Point { int x, y; int sum() { x + y } }')

        then:
        repl.evaluate('TimeUnit.SECONDS.toMillis(max(1, 2))') == 2000
        repl.evaluate('new Point(x: 1, y: 2).sum()') == 3
    }

    def "the caller's variables are bound"() {
        expect:
        repl.evaluate('greeting.toUpperCase()') == 'HI'
    }

    def "a syntax error fails to compile and forgets that input's imports"() {
        when:
        repl.evaluate('import java.util.concurrent.TimeUnit; def = ')

        then:
        thrown(CompilationFailedException)

        when:
        repl.evaluate('TimeUnit')

        then:
        thrown(MissingPropertyException)
    }

    def "an interrupted evaluation stops even in a busy loop"() {
        given:
        def evaluating = Thread.currentThread()
        def interrupter = Thread.start { sleep(300); evaluating.interrupt() }

        when:
        repl.evaluate('while (true) { }')

        then:
        thrown(InterruptedException)

        cleanup:
        interrupter.join()
        Thread.interrupted()
    }

    def "a batch evaluator keeps plain Groovy scoping"() {
        given:
        def batch = new GroovyEvaluator([:], false)

        when:
        batch.evaluate('def local = 1')
        batch.evaluate('local')

        then:
        thrown(MissingPropertyException)
    }
}
