package org.gproc.repl

import java.nio.file.Path
import java.util.concurrent.CompletableFuture

import org.gproc.client.ProcessTracker
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

@Timeout(120)
class ScriptRunnerSpec extends Specification {

    @TempDir Path dir
    def tracker = new ProcessTracker()
    def nodes = LocalNode.cluster(tracker, 'n1', 'n2')
    def stdout = new ByteArrayOutputStream()
    def stderr = new ByteArrayOutputStream()
    def runner = new ScriptRunner([nodes: nodes], tracker, new PrintStream(stdout, true, 'UTF-8'),
            new PrintStream(stderr, true, 'UTF-8'), false)

    private Path script(String name = 'job.groovy', String text) {
        def file = dir.resolve(name)
        file.text = text
        file
    }

    private String out() { stdout.toString('UTF-8') }
    private String err() { stderr.toString('UTF-8') }

    def "a script's processes stream node: line, standard error to standard error, and the run waits for them"() {
        when:
        int status = runner.run(script('''
            nodes.each { it.run('sh', '-c', 'sleep 0.5; echo hello from $0; echo warning >&2', it.name) }
        '''), [])

        then:
        status == 0
        out().readLines().sort() == ['n1: hello from n1', 'n2: hello from n2']
        err().readLines().sort() == ['n1: warning', 'n2: warning']
        nodes.every { it.started.every { !it.alive } }
    }

    def "args are bound, and println goes to standard output"() {
        when:
        int status = runner.run(script('println "args: ${args.toList()}"'), ['-n', '8'])

        then:
        status == 0
        out() == 'args: [-n, 8]\n'
    }

    def "a script that throws exits 1 with the script's file name and line"() {
        when:
        int status = runner.run(script('broken.groovy', 'def ok = 1\nthrow new IllegalStateException("no quorum")\n'), [])

        then:
        status == ScriptRunner.SCRIPT_FAILED
        err().trim() == 'broken.groovy:2: IllegalStateException: no quorum'
    }

    def "a script that does not compile exits 1 and says where"() {
        when:
        int status = runner.run(script('typo.groovy', 'def x = 1\nnodes.each { it.run( }\n'), [])

        then:
        status == ScriptRunner.SCRIPT_FAILED
        err() =~ /typo\.groovy:2: syntax error: /
    }

    def "a missing script exits 1 naming it"() {
        when:
        int status = runner.run(dir.resolve('absent.groovy'), [])

        then:
        status == ScriptRunner.SCRIPT_FAILED
        err().contains('absent.groovy: no such readable file')
    }

    def "a failed process makes the run exit 2 and is named"() {
        when:
        int status = runner.run(script('''
            nodes[0].run('true')
            nodes[1].run('sh', '-c', 'exit 4')
        '''), [])

        then:
        status == ScriptRunner.PROCESS_FAILED
        err().contains('gproc run: 1 of 2 processes failed: n2:1 exit 4')
    }

    def "a script that failed after starting processes still waits for them"() {
        when:
        int status = runner.run(script('''
            nodes[0].run('sh', '-c', 'sleep 0.5; echo finished anyway')
            throw new RuntimeException('boom')
        '''), [])

        then:
        status == ScriptRunner.SCRIPT_FAILED
        out().contains('n1: finished anyway')
        !nodes[0].started[0].alive
    }

    def "Ctrl-C sends SIGINT to the script's processes and the run exits 130"() {
        given:
        def conditions = new PollingConditions(timeout: 30)
        def status = CompletableFuture.supplyAsync {
            runner.run(script('''
                nodes.each { it.run('sh', '-c', 'echo started; exec sleep 300') }
            '''), [])
        }

        when:
        conditions.eventually { assert out().count('started') == 2 }
        runner.interrupt()

        then:
        status.get() == ScriptRunner.INTERRUPTED
        nodes.every { node -> node.started.every { it.signalsSent == ['INT'] && !it.alive } }
    }

    def "interrupting a runner that is not running does nothing: the next run is not interrupted"() {
        when:
        runner.interrupt()
        int status = runner.run(script("nodes.each { it.run('sh', '-c', 'sleep 0.3; echo done') }"), [])

        then:
        status == 0
        out().readLines().sort() == ['n1: done', 'n2: done']
        nodes.every { node -> node.started.every { it.signalsSent.isEmpty() } }
    }
}
