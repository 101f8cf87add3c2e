package org.gproc.repl

import org.gproc.client.ProcessTracker
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Path

@Timeout(120)
class ReplSpec extends Specification {

    @TempDir Path home
    def tracker = new ProcessTracker()
    def nodes = LocalNode.cluster(tracker, 'n1', 'n2', 'n3')
    def conditions = new PollingConditions(timeout: 30, delay: 0.05)
    @AutoCleanup TerminalDriver repl

    private TerminalDriver open(String type = 'xterm-256color', Map<String, String> env = [:]) {
        repl = new TerminalDriver(type, [nodes: nodes], tracker, home.resolve('history'), env).start()
        conditions.eventually { assert repl.prompts() == 1 }
        repl
    }

    private void typeAndWait(String line) {
        int before = repl.prompts()
        repl.type(line + '\n')
        conditions.eventually { assert repl.prompts() > before }
    }

    def "a def persists: def x = 21, then x * 2 prints 42 (on a dumb terminal too)"() {
        given:
        open(type)

        when:
        typeAndWait('def x = 21')
        typeAndWait('x * 2')

        then:
        repl.text().contains('===> 42')

        where:
        type << ['dumb', 'xterm-256color']
    }

    def "a syntax error prints where it is, and the REPL keeps going"() {
        given:
        open()

        when:
        typeAndWait('1 +* 2')
        typeAndWait('6 * 7')

        then:
        repl.text() =~ /syntax error: .* \(column \d+\)/
        repl.text().contains('===> 42')
    }

    def "a runtime error names the exception and the missing variable, without the script class"() {
        given:
        open()

        when:
        typeAndWait('undefinedThing + 1')

        then:
        repl.text().contains('MissingPropertyException: No such property: undefinedThing')
        !repl.text().contains('gproc_input')
    }

    def "unfinished input continues on the next line"() {
        given:
        open()

        when:
        repl.type('def triple(x) {\n')
        conditions.eventually { assert repl.text().contains(Repl.CONTINUATION_PROMPT) }
        repl.type('  x * 3\n')
        typeAndWait('}')
        typeAndWait('triple(4)')

        then:
        repl.text().contains('===> 12')
    }

    def "every process a line starts streams node: line, standard error marked, and the prompt returns after them"() {
        given:
        open()

        when:
        typeAndWait("nodes.each { it.run('sh', '-c', 'echo hello from \$0; echo oops >&2', it.name) }")

        then:
        def text = repl.text()
        ['n1', 'n2', 'n3'].every { text.contains("$it: hello from $it") && text.contains("$it err: oops") }
        nodes.every { it.started.every { !it.alive } }
        !text.contains('===> ') || text.contains('===> [n1, n2, n3]')
    }

    def "a line's processes are waited for before the next prompt"() {
        given:
        open()

        when:
        typeAndWait("nodes[0].run('sh', '-c', 'sleep 1; echo done')")

        then: 'the prompt came back only after the output'
        def text = repl.text()
        text.lastIndexOf('n1: done') < text.lastIndexOf(Repl.PROMPT)
        !nodes[0].started[0].alive
    }

    def "a failed process is reported after its job"() {
        given:
        open()

        when:
        typeAndWait("nodes[1].run('sh', '-c', 'exit 3')")

        then:
        repl.text().contains('1 of 1 processes failed: n2:1 exit 3')
    }

    def "Ctrl-C while a foreground job runs sends SIGINT to every process and the prompt returns"() {
        given:
        open()

        when:
        repl.type("nodes.each { it.run('sh', '-c', 'echo started; exec sleep 300') }\n")
        conditions.eventually { assert ['n1', 'n2', 'n3'].every { repl.text().contains("$it: started") } }
        repl.type(TerminalDriver.CTRL_C)

        then:
        conditions.eventually { assert repl.prompts() == 2 }
        nodes.every { node -> node.started.every { it.signalsSent == ['INT'] && !it.alive && it.exitSignal().get() == 2 } }
        repl.text().contains('^C: sent SIGINT to 3 processes')
    }

    def "a second Ctrl-C sends SIGKILL to a process that ignores SIGINT"() {
        given:
        open()

        when:
        repl.type("nodes[0].run('sh', '-c', 'trap \"\" INT; echo ignoring; sleep 300 & wait')\n")
        conditions.eventually { assert repl.text().contains('n1: ignoring') }
        repl.type(TerminalDriver.CTRL_C)
        conditions.eventually { assert repl.text().contains('sent SIGINT') }

        then: 'SIGINT alone does not end it'
        nodes[0].started[0].alive

        when:
        repl.type(TerminalDriver.CTRL_C)

        then:
        conditions.eventually { assert repl.prompts() == 2 }
        nodes[0].started[0].signalsSent == ['INT', 'KILL']
        nodes[0].started[0].exitSignal().get() == 9
    }

    def "Ctrl-C interrupts a busy evaluation that started no process"() {
        given:
        open()

        when:
        repl.type("println 'looping'; while (true) { }\n")
        conditions.eventually { assert repl.text() =~ /(?m)^looping$/ }
        repl.type(TerminalDriver.CTRL_C)

        then:
        conditions.eventually { assert repl.prompts() == 2 }
        repl.text().contains('interrupted')
    }

    def "Ctrl-C at an idle prompt clears the line and evaluates nothing"() {
        given:
        open()

        when:
        repl.type('thisWouldFail')
        conditions.eventually { assert repl.text().contains(Repl.PROMPT + 'thisWouldFail') } // the reader has it
        repl.type(TerminalDriver.CTRL_C)
        conditions.eventually { assert repl.prompts() == 2 }
        typeAndWait('6 * 7')

        then:
        !repl.text().contains('MissingPropertyException')
        repl.text().contains('===> 42')
    }

    def "Ctrl-D exits"() {
        given:
        open()

        when:
        repl.type(TerminalDriver.CTRL_D)

        then:
        conditions.eventually { assert repl.finished() }
        repl.failure == null
    }

    def "history persists across two REPL instances"() {
        given:
        open()
        typeAndWait('def remembered = 6 * 7')
        repl.type(TerminalDriver.CTRL_D)
        conditions.eventually { assert repl.finished() }
        repl.close()

        when: 'a new REPL recalls the previous line with Ctrl-P (previous history) and runs it'
        open()
        typeAndWait('\u0010')

        then:
        repl.text().contains('===> 42')
        home.resolve('history').text.contains('def remembered = 6 * 7')
    }

    def "tab completes a node name, inside quotes too"() {
        given:
        nodes << new LocalNode('beta7', tracker)
        open()

        when:
        repl.type("nodes.find { it.name == 'be\t")
        typeAndWait("' }.name")

        then:
        repl.text().contains('===> beta7')
    }

    def "tab completes a method of a bound object"() {
        given:
        open()

        when:
        typeAndWait('def first = nodes[0]')
        repl.type('first.ru\t')
        typeAndWait("'sh', '-c', 'echo completed')")

        then:
        repl.text().contains('n1: completed')
    }

    def "a variable bound after the REPL was built (the cluster, once connected) is visible to the user's code"() {
        given:
        repl = new TerminalDriver('xterm-256color', [:], tracker, home.resolve('history'))
        repl.repl.bind('answer', 42)
        repl.start()
        conditions.eventually { assert repl.prompts() == 1 }

        when:
        typeAndWait('answer')
        repl.repl.bind('late', 'bound while running')
        typeAndWait('late')

        then:
        repl.text().contains('===> 42')
        repl.text().contains('===> bound while running')
    }

    def "an unknown command suggests the closest one"() {
        given:
        open()

        when:
        typeAndWait('/jbos')

        then:
        repl.text().contains("unknown command '/jbos' (did you mean '/jobs'?)")
    }

    def "/jobs lists background processes and /fg waits for them"() {
        given:
        open()

        when:
        typeAndWait("nodes[2].start('sh', '-c', 'read line < /dev/null; sleep 1; echo background done')")
        typeAndWait('/jobs')

        then: 'start() did not wait'
        repl.text() =~ /(?m)^n3:1\s+\d+\s+running$/
        !repl.text().contains('n3: background done')

        when:
        typeAndWait('/fg n3:1')

        then:
        repl.text().contains('n3: background done')
        !nodes[2].started[0].alive
    }

    def "/nodes lists the bound nodes"() {
        given:
        open()

        when:
        typeAndWait('/nodes')

        then:
        repl.text().contains('3 nodes: [n1, n2, n3]')
        repl.text() =~ /(?m)^n2\s*$/
    }

    def "/ps says plainly that no cluster is bound"() {
        given:
        open()

        when:
        typeAndWait('/ps')

        then:
        repl.text().contains("/ps: this session has no cluster (nothing is bound as 'cluster' or 'ps')")
    }

    def "/ps renders the rows of cluster.ps() as a table"() {
        given:
        def cluster = new Object() {
            List<Map> ps() { [[node: 'n1', session: 3, argv: 'sleep 300'], [node: 'n2', session: 1, argv: 'date']] }
        }
        repl = new TerminalDriver('dumb', [nodes: nodes, cluster: cluster], tracker, home.resolve('history')).start()
        conditions.eventually { assert repl.prompts() == 1 }

        when:
        typeAndWait('/ps')

        then:
        repl.text() =~ /(?m)^NODE\s+SESSION\s+ARGV$/
        repl.text() =~ /(?m)^n1\s+3\s+sleep 300$/
    }

    def "a fan-out over many nodes draws its progress in place and clears it before the prompt"() {
        given:
        repl = new TerminalDriver('xterm-256color', [nodes: nodes], tracker, home.resolve('history'))
        repl.repl.bind('progress', repl.repl.progress())
        repl.start()
        conditions.eventually { assert repl.prompts() == 1 }

        when: 'a line reports progress over 100 nodes while a node prints'
        typeAndWait("progress.progress('pushing', 0, 100); nodes[0].run('echo', 'mid-push'); " +
                "nodes[0].started[0].waitFor(); progress.progress('pushing', 100, 100)")

        then: 'the progress line was drawn, the node line printed in its place, and the line removed before the prompt'
        repl.raw().contains('pushing: 0/100 nodes')
        repl.text() =~ /(?m)^n1: mid-push$/
        !repl.text().readLines().any { it.startsWith('pushing:') }
    }

    def "a dumb terminal gets no colour"() {
        given:
        open('dumb')

        when:
        typeAndWait("nodes[0].run('echo', 'hi')")

        then:
        repl.text().contains('n1: hi')
        !repl.raw().contains('\u001B[')
    }

    def "a colour terminal shows each node's name in its own 256-colour"() {
        given:
        open('xterm-256color')

        when:
        typeAndWait("nodes[0].run('echo', 'hi')")

        then:
        repl.raw().contains("\u001B[38;5;${NodeColours.index('n1')}m")
    }

    def "NO_COLOR turns colour off"() {
        given:
        open('xterm-256color', [NO_COLOR: '1'])

        when:
        typeAndWait("nodes[0].run('echo', 'hi')")

        then:
        repl.text().contains('n1: hi')
        !repl.raw().contains('38;5;')
    }
}
