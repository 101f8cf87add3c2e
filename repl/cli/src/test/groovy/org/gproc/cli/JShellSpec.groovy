package org.gproc.cli

import org.gproc.client.DaemonCluster
import org.gproc.client.GprocRunner
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Path

/**
 * gproc jshell driven through its standard input against real daemons: the README's jshell> lines (read from the
 * README, so they cannot drift) run with cluster and nodes bound, and the processes they start stream node: line.
 */
@Timeout(300)
class JShellSpec extends Specification {
    static final String PROMPT = 'jshell> '

    @Shared @AutoCleanup DaemonCluster daemons = new DaemonCluster(3)
    @TempDir Path home

    static List<String> readmeLines() {
        Path readme = Path.of(System.getProperty('gproc.root'), 'README.md')
        List<String> lines = []
        boolean inJava = false
        for (String line : readme.readLines()) {
            if (line.startsWith('```')) {
                inJava = line == '```java'
            } else if (inJava && line.startsWith(PROMPT)) {
                lines << line.substring(PROMPT.length())
            }
        }
        lines
    }

    GprocRunner.Result jshell(List<String> input) {
        GprocRunner.against(daemons, home).run(stdin: input.join('\n') + '\n/exit\n', 'jshell', '--', '--feedback', 'normal')
    }

    def "the README's jshell> lines run with cluster and nodes bound, and the processes' output streams"() {
        given:
        def lines = readmeLines()
        assert lines.size() >= 5

        when:
        def r = jshell(lines)

        then:
        r.code == 0
        !r.out.contains('Error:')
        !r.err.contains('Error:')
        r.out.contains('==> 3')
        ['n1', 'n2', 'n3'].every { r.out.contains("$it: hello from java") }
        r.out.contains('==> {n1=0, n2=0, n3=0}')
        r.out.readLines().count { it.contains('==> true') } == 2
        r.out.contains('==> 0')
    }

    def "a snippet that misuses the API gets JShell's error and the session goes on"() {
        when:
        def r = jshell(['nodes.run(42)', 'nodes.getNames().fold()'])

        then:
        r.code == 0
        (r.out + r.err).contains('Error:')
        r.out.contains('==> "n[1-3]"')
    }
}
