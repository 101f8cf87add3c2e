package org.gproc.cli

import org.gproc.client.GprocRunner
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * `gproc nodeset` in-process. Outputs marked (ClusterShell) were printed by ClusterShell 1.9.1's nodeset for the same
 * arguments and standard input.
 */
@Timeout(60)
class NodeSetCliSpec extends Specification {
    @TempDir
    Path home

    GprocRunner.Result gproc(Map<String, String> env = [:], String stdin = '', String... args) {
        new GprocRunner(home).runInProcess(env: env, stdin: stdin, args)
    }

    def "nodeset #args prints what ClusterShell's nodeset prints"() {
        when:
        def run = gproc([:], stdin, (['nodeset'] + args) as String[])

        then:
        run.code == 0
        run.out == expected + '\n'
        run.err == ''

        where:
        args                                   | stdin                            | expected
        ['-f', 'n1', 'n2', 'n3', 'n5']         | ''                               | 'n[1-3,5]'
        ['-e', 'n[1-8]!n[3-4]']                | ''                               | 'n1 n2 n5 n6 n7 n8'
        ['-c', 'n[1-8]!n[3-4]']                | ''                               | '6'
        ['-f', 'r1n1', 'r1n2', 'r2n1', 'r2n2'] | ''                               | 'r[1-2]n[1-2]'
        ['-f', 'r1n1', 'r1n2', 'r2n1']         | ''                               | 'r1n[1-2],r2n1'
        ['-e', 'r[1-2]n[1-2]!r1n1', 'r1n1']    | ''                               | 'r1n1 r1n2 r2n1 r2n2'
        ['-e', '-S', ',', 'n[1-3]']            | ''                               | 'n1,n2,n3'
        ['--expand', 'n[01-03]']               | ''                               | 'n01 n02 n03'
        ['-f']                                 | 'n1 n2 # comment n9\nn3\n'       | 'n[1-3]'
        ['-f', 'n1', '-']                      | 'n7\n'                           | 'n[1,7]'
        ['-f', 'n1\nn2']                       | ''                               | 'n[1-2]'
        ['-e', '']                             | ''                               | ''
        ['-c', '']                             | ''                               | '0'
        ['--json', '-e', 'n[1-2]']             | ''                               | '["n1","n2"]'
        ['-f', '--json', 'n[1-2]']             | ''                               | '"n[1-2]"'
        ['-c', '--json', 'n[1-2]']             | ''                               | '2'
    }

    def "groups and wildcards come from the inventory, read only when an expression needs them"() {
        given:
        def inv = home.resolve('inv.groovy')
        inv.text = "nodes { 'n[1-8]' { host = '127.0.0.1'; port = 17001 } }\ngroups { compute = 'n[1-6]'; gpu = 'n[5-8]' }\n"

        expect:
        gproc([:], '', '-i', inv.toString(), 'nodeset', '-f', '@compute&@gpu').out == 'n[5-6]\n'
        gproc([:], '', '--inventory', inv.toString(), 'nodeset', '-c', 'n*').out == '8\n'
        gproc([:], '', '-i', inv.toString(), 'nodeset', '-f', 'n[1-8]', '-i', '@gpu').out == 'n[5-8]\n'
        gproc([GPROC_NODES: 'n[1-3]=127.0.0.1:17001'], '', 'nodeset', '-f', '@*').out == 'n[1-3]\n'
        gproc([:], '', '-i', home.resolve('missing.groovy').toString(), 'nodeset', '-f', 'n[1-2]').out == 'n[1-2]\n'
    }

    def "bad input exits 1 and bad usage 2, as ClusterShell's nodeset, with the culprit on stderr: #args"() {
        when:
        def run = gproc([:], '', args as String[])

        then:
        run.code == code
        run.out == ''
        run.err.contains(message)

        where:
        args                                          | code | message
        ['nodeset', '-f', 'n[5-3]']                   | 1    | "nodeset: Parse error: bad range 'n[5-3]': start > end\n"
        ['nodeset', '-e', 'n[1-3']                    | 1    | "nodeset: Parse error: unbalanced brackets in 'n[1-3': missing ']'\n"
        ['nodeset', '-f', 'x[1-2]', '!x2']            | 1    | "nodeset: Parse error: missing operand for '!' in '!x2'\n"
        ['nodeset', '-e', '-S', '\\', 'n[1-2]']      | 1    | "ERROR: invalid separator\n"
        ['nodeset', '-e', '-O', '%d', 'n1']           | 1    | "nodeset: %d format: a real number is required, not str\n"
        ['nodeset', '-f', '@other:gpu']               | 1    | 'nodeset: Unknown group source: "other"\n'
        ['nodeset', '-c', '@compute']                 | 2    | "no inventory: pass -i FILE, set GPROC_NODES"
        ['-i', '/nonexistent/inv.groovy', 'nodeset', '-c', '@compute'] | 2 | "inventory: /nonexistent/inv.groovy: no such file\n"
        ['nodeset', 'n1']                             | 2    | "Usage: nodeset [COMMAND] [OPTIONS] [ns1 [-ixX] ns2|...]\n\nnodeset: error: No command specified.\n"
        ['nodeset', '-e', '-f', 'n1']                 | 2    | "nodeset: error: Multiple commands not allowed.\n"
        ['nodeset', '--frobnicate', 'n1']             | 2    | "nodeset: error: no such option: --frobnicate\n"
        ['nodeset', '--co', 'n1']                     | 2    | "nodeset: error: ambiguous option: --co (--contiguous, --count?)\n"
        ['nodeset', '-f', '--split', 'x', 'n1']       | 2    | "nodeset: error: option --split: invalid integer value: 'x'\n"
        ['nodeset', '-f', '-S']                       | 2    | "nodeset: error: -S option requires 1 argument\n"
        ['nodeset', '--groupsconf', '/etc/clustershell/groups.conf', '-f', 'n1'] | 2 | "nodeset: error: --groupsconf is not supported: gproc's groups come from the inventory's groups block (gproc -i FILE nodeset ...)\n"
        ['nodset', '-f', 'n1']                        | 2    | "Unmatched arguments from index 0: 'nodset', '-f', 'n1'"
    }

    def "a broken inventory needed by an expression exits 2 naming file and line"() {
        given:
        def inv = home.resolve('inv.groovy')
        inv.text = "nodes {\n  n1 { prot = 1 }\n}\n"

        when:
        def run = gproc([:], '', '-i', inv.toString(), 'nodeset', '-f', '@x')

        then:
        run.code == 2
        run.err == "$inv:2: node 'n1': unknown setting 'prot' (did you mean 'port'?)\n"
    }

    def "every command has help, and the completion script is generated by picocli"() {
        expect:
        gproc([:], '', '--help').out.contains('nodeset')
        gproc([:], '', 'nodeset', '--help').out.contains('Expand, fold or count node sets')
        gproc([:], '', 'help', 'nodeset').out.contains('-S, --separator=SEP')
        gproc([:], '', 'nodeset', '-h').out.contains('-i, --intersection=NODES')
        gproc([:], '', 'generate-completion').out.contains('complete -F _complete_gproc')
        gproc([:], '', '-h').code == 0
    }

    def "--version and -V print gproc's version; a misspelt --version is named and corrected"() {
        expect:
        gproc([:], '', '--version').out ==~ /gproc \S+\n/
        gproc([:], '', '-V').out == gproc([:], '', '--version').out
        gproc([:], '', '-V').code == 0

        when:
        def r = gproc([:], '', '--versoin')

        then:
        r.code == 2
        r.out == ''
        r.err.contains("Unknown option: '--versoin'")
        r.err.contains('--version')
    }
}
