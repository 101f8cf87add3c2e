package org.gproc.repl

import org.gproc.client.Cluster
import org.gproc.client.DaemonCluster
import org.gproc.client.ProcessTracker
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path

/**
 * Every {@code gproc>} line of README.md's Groovy blocks, read from the README itself (so the two cannot drift), typed
 * into the real REPL against four real daemons, twice in a row: each must evaluate without an error, and the lines
 * whose comment promises a result must show it.
 */
@Timeout(300)
class ReadmeTourSpec extends Specification {
    static final String PROMPT = 'gproc> '

    @Shared @AutoCleanup DaemonCluster daemons = new DaemonCluster(4)
    @Shared Path history = Files.createTempFile('gproc-readme', '.history')
    def tracker = new ProcessTracker()
    @AutoCleanup Cluster cluster
    @AutoCleanup TerminalDriver repl
    def conditions = new PollingConditions(timeout: 90, delay: 0.1)

    /** The README's Groovy lines: those after the prompt in ```groovy blocks, without their trailing comment. */
    static List<String> readmeLines() {
        Path readme = Path.of(System.getProperty('gproc.root'), 'README.md')
        List<String> lines = []
        boolean inGroovy = false
        for (String line : readme.readLines()) {
            if (line.startsWith('```')) {
                inGroovy = line == '```groovy'
            } else if (inGroovy && line.startsWith(PROMPT)) {
                lines << line.substring(PROMPT.length()).replaceFirst(/\s+\/\/ .*$/, '')
            }
        }
        lines
    }

    def setup() {
        repl = new TerminalDriver('dumb', [:], tracker, history)
        cluster = daemons.connect(tracker)
        repl.repl.bind('cluster', cluster).bind('nodes', cluster.nodes)
        repl.start()
        conditions.eventually { assert repl.prompts() == 1 }
    }

    private String typeAndWait(String line) {
        int before = repl.prompts()
        int from = repl.text().length()
        repl.type(line + '\n')
        conditions.eventually { assert repl.prompts() > before }
        repl.text().substring(from)
    }

    def "the README has a Groovy tour to run"() {
        expect:
        readmeLines().size() >= 8
        readmeLines().any { it.contains('(nodes - job.failed)') }
        readmeLines().any { it.contains("cluster.ps().findAll") }
    }

    def "every gproc> line of the README runs in the REPL without an error, twice in a row"() {
        when:
        Map<String, List<String>> outputs = [:].withDefault { [] }
        2.times {
            for (String line : readmeLines()) {
                outputs[line] << typeAndWait(line)
            }
        }

        then: 'no line failed'
        outputs.every { line, runs ->
            runs.every { text -> !(text =~ /(?m)^(\w+(Exception|Error)\b|.*error: )/) }
        }

        and: 'the lines whose comment promises a result show it, both times'
        def exitCodes = outputs.find { it.key.contains('job.exitCodes') }.value
        exitCodes.every { it.contains('===> [n1:7, n2:7]') }
        def spared = outputs.find { it.key.contains('(nodes - job.failed)') }.value
        spared.every { text -> ['n3', 'n4'].every { text.contains("$it: spared") } && !text.contains('n1: spared') }
        def folded = outputs.find { it.key.contains('byOutput()') }.value
        folded.every { it.contains('n[1-4] (4 nodes)') && it.contains('----------------') }
        def killed = outputs.find { it.key.contains('*.kill') }.value
        killed.every { it.contains('===> [true, true, true, true]') }
        def reattached = outputs.find { it.key.contains('reattach') }.value
        reattached.every { it =~ /===> \d+/ }
    }
}
