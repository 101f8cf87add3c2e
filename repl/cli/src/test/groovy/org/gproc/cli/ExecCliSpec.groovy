package org.gproc.cli

import groovy.json.JsonSlurper
import org.gproc.client.DaemonCluster
import org.gproc.client.GprocRunner
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path

/** gproc exec as pdsh and clush users type it: the real command line as a child process against real daemons. */
@Timeout(300)
class ExecCliSpec extends Specification {
    @Shared @AutoCleanup DaemonCluster daemons = new DaemonCluster(4)
    @Shared GprocRunner cli
    @TempDir Path dir

    def setupSpec() {
        cli = GprocRunner.against(daemons)
    }


    GprocRunner.Result gproc(Map options = [:], String... args) {
        cli.run(options, args)
    }

    /** A command line that prints {@code text} on one node (picked by its session directory) and nothing else. */
    static String onlyOn(String node, String text) {
        "case \$PWD in */${node}/*) echo ${text};; esac"
    }

    def "the command's own options need no '--': exec -w NODES uname -r"() {
        when:
        def r = gproc('exec', '-w', 'n[1-4]', 'uname', '-r')

        then:
        r.code == 0
        r.out.readLines().size() == 4
        r.out.readLines().every { it ==~ /n[1-4]: \S+/ }
        r.err == ''
    }

    def "an option after the command is the command's; -w after the command leaves exec without one"() {
        expect:
        gproc('exec', '-w', 'n1', 'echo', '-w', 'x').out == 'n1: -w x\n'

        when:
        def r = gproc('exec', 'echo', '-w', 'n1')

        then:
        r.code == 2
        r.err.readLines() == ["gproc exec: Missing required option: '-w=NODES' (see 'gproc exec --help')"]

        when: 'options but no command'
        def none = gproc('exec', '-w', 'n1')

        then:
        none.code == 2
        none.err.readLines() == ["gproc exec: no command given: put it after the options, as in gproc exec -w n[1-4]"
                + " uname -r (see 'gproc exec --help')"]
    }

    def "words are one command line for the node's shell: pipes work, and '--' still does"() {
        expect:
        gproc('exec', '-w', 'n1', 'echo abc | tr a-c x-z').out == 'n1: xyz\n'
        gproc('exec', '-w', 'n1', '--', 'echo', 'a;', 'echo', 'b').out == 'n1: a\nn1: b\n'
    }

    def "--argv runs the exact argument vector: a pipe is an argument, a command line is no program"() {
        expect:
        gproc('exec', '-w', 'n1', '--argv', '/bin/echo', 'a | b').out == 'n1: a | b\n'

        when:
        def r = gproc('exec', '-w', 'n1', '--argv', 'echo a | tr a b')

        then:
        r.code == 2
        r.err.trim().startsWith("gproc: exec --argv: 'echo a | tr a b' is not a program")
        r.out == ''
    }

    def "standard input that is not a terminal reaches every node, and its end is their EOF"() {
        when:
        def r = gproc([stdin: 'one\ntwo\n'], 'exec', '-w', 'n[1-3]', 'wc -l')

        then:
        r.code == 0
        r.out.readLines().sort() == ['n1: 2', 'n2: 2', 'n3: 2']
    }

    def "an input larger than the broadcast window streams whole to every node; a node that ended holds nothing back"() {
        given: 'more input than the window, n1 leaving without reading it'
        String input = 'y' * (StdinBroadcast.WINDOW + 2 * 65536)
        String command = 'case $PWD in */n1/*) exit 0;; *) wc -c;; esac'

        when:
        def all = gproc([stdin: input], 'exec', '-w', 'n[1-3]', command)
        def oneAtATime = gproc([stdin: input], 'exec', '-f', '1', '-w', 'n[1-3]', 'wc -c')

        then: 'the nodes that read get every byte, also those a fan-out of 1 starts after the first has ended'
        all.code == 0
        all.out.readLines().sort() == ["n2: ${input.length()}", "n3: ${input.length()}"]*.toString()
        oneAtATime.code == 0
        oneAtATime.out.readLines().sort() == (1..3).collect { "n${it}: ${input.length()}".toString() }
    }

    def "--nostdin gives the processes EOF at once, whatever the input holds"() {
        when:
        def r = gproc([stdin: 'one\ntwo\n'], 'exec', '-w', 'n[1-2]', '--nostdin', 'wc -l')

        then:
        r.code == 0
        r.out.readLines().sort() == ['n1: 0', 'n2: 0']
    }

    def "SIG#signal on the client reaches every remote process and gproc exits #code"() {
        given:
        String marker = "exec-signal-${signal}-${System.nanoTime()}"
        String seconds = unique()
        Process p = cli.start('exec', '-w', 'n[1-2]', "sleep ${seconds}; echo ${marker}")
        waitUntilRunning(2, seconds)

        when:
        sendSignal(p, signal)

        then:
        p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)
        def r = ended(p)
        r.code == code
        r.err.contains("gproc: SIG${signal}: sending SIG${signal} to 2 remote processes")
        !r.out.contains(marker)
        sleeping(seconds) == 0

        where:
        signal | code
        'INT'  | 130
        'TERM' | 143
        'HUP'  | 129
    }

    def "a process that ignores SIGINT is killed by the second Ctrl-C"() {
        given:
        String seconds = unique()
        Process p = cli.start('exec', '-w', 'n3', "trap '' INT; sleep ${seconds}")
        waitUntilRunning(1, seconds)

        when:
        sendSignal(p, 'INT')
        Thread.sleep(1500)

        then: 'the first one is ignored'
        p.alive
        sleeping(seconds) == 1

        when:
        sendSignal(p, 'INT')

        def r = ended(p)

        then:
        r.code == 130
        r.err.contains('sending SIGKILL')
        sleeping(seconds) == 0
    }

    def "-b folds standard output as clush -b does, keeps standard error labelled, and folds the failures"() {
        when:
        def r = gproc('exec', '-b', '-w', 'n[1-4]', 'echo out; echo err >&2; exit 3')

        then:
        r.code == 3
        r.out == '---------------\nn[1-4] (4)\n---------------\nout\n'
        r.err.readLines().findAll { it.endsWith(': err') }.sort() == ['n1: err', 'n2: err', 'n3: err', 'n4: err']
        r.err.readLines().findAll { it.startsWith('gproc:') } == ['gproc: n[1-4] (4): exit 3']
    }

    def "-b puts the largest group first and labels a lone node without a count"() {
        when:
        def r = gproc('exec', '-b', '-w', 'n[1-4]', 'case $PWD in */n1/*) echo y;; *) echo x;; esac')

        then:
        r.code == 0
        r.out == '---------------\nn[2-4] (3)\n---------------\nx\n---------------\nn1\n---------------\ny\n'
    }

    def "-B folds standard output and standard error together"() {
        when:
        def r = gproc('exec', '-B', '-w', 'n[1-2]', 'echo out; echo err >&2')

        then:
        r.code == 0
        r.out == '---------------\nn[1-2] (2)\n---------------\nout\nerr\n'
        r.err == ''
    }

    def "--diff prints a unified diff of each odd output against the most common one"() {
        when:
        def r = gproc('exec', '--diff', '-w', 'n[1-4]', "echo a; echo b; ${onlyOn('n2', 'c')}")

        then:
        r.code == 0
        r.out == '--- n[1,3-4] (3)\n+++ n2\n@@ -1,2 +1,3 @@\n a\n b\n+c\n'
    }

    def "--diff of identical outputs prints nothing"() {
        expect:
        gproc('exec', '--diff', '-w', 'n[1-3]', 'echo same').out == ''
    }

    def "output modes are exclusive"() {
        when:
        def r = gproc('exec', '-b', '-L', '-w', 'n1', 'true')

        then:
        r.code == 2
        r.err.readLines() == ["gproc exec: choose one of -b, -B, --diff, -L and --json (see 'gproc exec --help')"]
    }

    def "-N drops the prefix; -L prints node by node in node order"() {
        expect:
        gproc('exec', '-N', '-w', 'n1', 'echo plain').out == 'plain\n'
        gproc('exec', '-L', '-w', 'n[1-4]', 'sleep 0.$((RANDOM % 5)); echo one; echo two').out ==
                (1..4).collect { "n${it}: one\nn${it}: two\n" }.join()
    }

    /**
     * The same command line through the real clush (its -R exec worker runs it here, once per node, with %h the node)
     * and through gproc exec on the daemons (where $GPROC_NODE is the node): what both print on standard output must
     * be the same, byte for byte, and they report the same failed nodes.
     */
    def "exec #flags prints what clush #flags prints"() {
        given:
        String line = 'case %h in n3) echo odd; echo err >&2;; n2) ;; *) echo same; echo two;; esac; [ %h = n1 ] && exit 3; true'
        def clush = new ProcessBuilder(['clush', '-R', 'exec', *flags.split(' '), '-w', 'n[1-4]', line])
                .redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null'))).start()
        String clushOut = clush.inputStream.text
        String clushErr = clush.errorStream.text
        clush.waitFor()

        when:
        def r = gproc('exec', *flags.split(' '), '-w', 'n[1-4]', line.replace('%h', '$GPROC_NODE'))

        then:
        r.out == clushOut
        clushErr.readLines().findAll { it.startsWith('clush:') } == ['clush: n1: exited with exit code 3']
        r.err.readLines().findAll { it.startsWith('gproc:') } == ['gproc: n1: exit 3']
        r.err.readLines().contains(flags.contains('-N') ? 'err' : 'n3: err') == !flags.contains('-B')

        where:
        flags << ['-b', '-B -N', '--diff', '-L -N']
    }

    def "-S gives the largest remote exit code, as without it"() {
        expect:
        gproc('exec', '-S', '-w', 'n[1-3]', 'case $PWD in */n2/*) exit 7;; esac; exit 2').code == 7
        gproc('exec', '-w', 'n[1-2]', 'exit 5').code == 5
    }

    def "-f 1 runs one node at a time; -f 0 is refused naming -f"() {
        when:
        def r = gproc('--json', 'exec', '-f', '1', '-w', 'n[1-3]', 'sleep 0.3')
        def rows = r.out.readLines().collect { new JsonSlurper().parseText(it) }

        then:
        r.code == 0
        rows*.node == ['n1', 'n2', 'n3']
        rows[1].start >= rows[0].end
        rows[2].start >= rows[1].end

        when:
        def bad = gproc('exec', '-f', '0', '-w', 'n1', 'true')

        then:
        bad.code == 2
        bad.err.readLines() == ["gproc exec: Invalid value for option '-f': '0' is not a fan-out; give how many nodes"
                + " may run at once (1 or more) (see 'gproc exec --help')"]
    }

    def "-x leaves nodes out; excluding every node is an error naming the sets"() {
        expect:
        gproc('exec', '-w', 'n[1-4]', '-x', 'n[2-3]', 'echo hi').out.readLines().sort() == ['n1: hi', 'n4: hi']

        when:
        def r = gproc('exec', '-w', 'n[1-2]', '-x', 'n[1-2]', 'true')

        then:
        r.code == 1
        r.err.readLines() == ["gproc exec: no nodes left: -x 'n[1-2]' excludes all of n[1-2] (-w 'n[1-2]')"]
    }

    def "-u is the command timeout like -t; a timeout of 0 is refused naming the flag"() {
        when:
        def r = gproc('exec', '-u', '1', '-w', 'n1', 'sleep 60')

        then:
        r.code == 143
        r.err.contains('n1: signal 15 (timed out)')

        when:
        def bad = gproc('exec', '-u', '0', '-w', 'n1', 'true')

        then:
        bad.code == 2
        bad.err.readLines() == ["gproc exec: Invalid value for option '-u': '0' is not a positive number of seconds"
                + " (at most 86400) (see 'gproc exec --help')"]
    }

    def "--outdir and --errdir get one file per node; an output directory that cannot be made is refused"() {
        given:
        Path outdir = dir.resolve('out')
        Path errdir = dir.resolve('err')

        when:
        def r = gproc('exec', '--outdir', outdir.toString(), '--errdir', errdir.toString(), '-w', 'n[1-2]',
                'echo o; echo e >&2')

        then:
        r.code == 0
        outdir.resolve('n1').text == 'o\n'
        outdir.resolve('n2').text == 'o\n'
        errdir.resolve('n2').text == 'e\n'

        when:
        Path file = Files.writeString(dir.resolve('plain-file'), 'x')
        def bad = gproc('exec', '--outdir', file.resolve('sub').toString(), '-w', 'n1', 'true')

        then:
        bad.code == 2
        bad.err.readLines() == ["gproc: exec: cannot create the output directory '${file.resolve('sub')}': Not a"
                + " directory"]*.toString()
    }

    def "--json is one object per node with numbers as numbers"() {
        when:
        def r = gproc('--json', 'exec', '-w', 'n[1-2]', 'echo out; echo err >&2; exit 4')
        def rows = r.out.readLines().collect { new JsonSlurper().parseText(it) }

        then:
        r.code == 4
        rows*.node == ['n1', 'n2']
        rows.every { it.exit == 4 && it.signal == null && it.stdout == 'out\n' && it.stderr == 'err\n' }
        rows.every { it.start instanceof Number && it.end instanceof Number && it.end >= it.start }
        rows.every { it.timed_out == false && it.error == null }
    }

    def "--json after exec works as before it, and reports a killed process's signal"() {
        when:
        def r = gproc('exec', '--json', '-w', 'n1', 'kill -9 $$')
        def row = new JsonSlurper().parseText(r.out.readLines()[0])

        then:
        r.code == 137
        row.signal == 9
        row.exit == 137
    }

    def "an unknown target set is an error with status 1 naming the unknown nodes"() {
        when:
        def r = gproc('exec', '-w', 'n[9-12]', 'true')

        then:
        r.code == 1
        r.err.trim() == "gproc exec: -w 'n[9-12]': n[9-12] are not in the inventory (${daemons.inventoryFile})"
    }

    def "a malformed target set is an error with status 1 naming it"() {
        when:
        def r = gproc('exec', '-w', 'n[3-1]', 'true')

        then:
        r.code == 1
        r.err.readLines().size() == 1
        r.err.startsWith("gproc exec: -w 'n[3-1]': ")
        !r.err.contains('Exception')
    }

    def "nothing but the command's own output and gproc's verdicts reaches the terminal"() {
        when:
        def r = gproc('exec', '-w', 'n[1-4]', 'exit 1')

        then:
        r.err.readLines().sort() == (1..4).collect { "gproc: n${it}: exit 1" }
        !r.err.contains('WARN')
        !r.err.contains('Exception')
    }

    private void waitUntilRunning(int count, String seconds) {
        new PollingConditions(timeout: 60, delay: 0.3).eventually {
            assert sleeping(seconds) == count
        }
    }

    /** A sleep long enough for the spec, and no other process on this shared machine sleeps exactly as long. */
    private static String unique() {
        "300.${System.nanoTime() % 1_000_000}"
    }

    /** How many {@code sleep SECONDS} processes run on the daemons' host. */
    private static int sleeping(String seconds) {
        ProcessHandle.allProcesses().filter { h ->
            h.info().command().map { it.endsWith('/sleep') }.orElse(false)
                    && h.info().arguments().map { it as List == [seconds] }.orElse(false)
        }.count() as int
    }

    /** Sends {@code signal} (a name such as INT) to the gproc JVM, as a terminal or a supervisor would. */
    static void sendSignal(Process p, String signal) {
        assert new ProcessBuilder('kill', '-s', signal, p.pid().toString()).start().waitFor() == 0
    }

    /** What a started gproc printed and its exit status, once it has ended. */
    static Map ended(Process p) {
        assert p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)
        [code: p.exitValue(), out: p.inputStream.text, err: p.errorStream.text]
    }
}
