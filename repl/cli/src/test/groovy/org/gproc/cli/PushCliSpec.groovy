package org.gproc.cli

import org.gproc.client.GprocRunner
import org.gproc.client.PushFixture
import org.gproc.client.internal.exec.LocalBlob
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/**
 * exec --push with --libs and --arch, --dry-run, --yes above confirmAbove and the progress flags, through the real
 * command line against real daemons (n1, n2 of this machine's arch, a1 reporting aarch64).
 */
@Timeout(240)
class PushCliSpec extends Specification {
    @Shared @AutoCleanup PushFixture fixture = new PushFixture()
    @Shared Path inventory
    @Shared Path guarded
    @Shared Path answer
    @Shared Path hello

    def setupSpec() {
        inventory = fixture.dir.resolve('cli.groovy')
        fixture.inventory.write(inventory)
        guarded = fixture.dir.resolve('guarded.groovy')
        Files.writeString(guarded, Files.readString(inventory).replaceFirst(/cluster \{/, 'cluster {\n    confirmAbove = 2'))
        Path libs = Files.createDirectories(fixture.dir.resolve('only-here/lib'))
        fixture.cc('only-here/lib/libanswer.so.1', 'int gproc_answer(void) { return 42; }\n',
                ['-shared', '-fPIC', '-Wl,-soname,libanswer.so.1'])
        answer = fixture.cc('only-here/answer', '#include <stdio.h>\nint gproc_answer(void);\n' +
                'int main(void) { printf("answer %d\\n", gproc_answer()); return 0; }\n',
                ['-L' + libs, '-l:libanswer.so.1', '-Wl,-rpath,$ORIGIN/lib'])
        hello = fixture.cc('hello', '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n')
    }

    /** The real command line in its own JVM, stdin a pipe (not a terminal), with inventory {@code inv}. */
    Map gproc(Path inv = inventory, String... args) {
        def r = new GprocRunner(fixture.dir, ['-i', inv.toString()]).run(args)
        [code: r.code(), out: r.out(), err: r.err()]
    }

    def "exec --push --libs runs a program whose library exists only on the control node"() {
        when:
        def r = gproc('exec', '--push', '--libs', '-w', 'n[1-2]', '--', answer.toString())

        then:
        r.code == 0
        r.out.readLines().sort() == ['n1: answer 42', 'n2: answer 42']
    }

    def "the push flags without --push are refused, naming the missing flag"() {
        when:
        def r = gproc('exec', '--libs', '-w', 'n1', '--', answer.toString())

        then:
        r.code == 2
        r.err.trim() == 'gproc: exec: --libs and --arch say what to push: give --push too'
    }

    def "exec --push --arch gives each arch its binary and reports the node that has none"() {
        when:
        def r = gproc('exec', '--push', '--arch', "x86_64=${hello}".toString(), '-w', 'n[1-2],a1', '--', 'hello')

        then:
        r.code != 0
        r.out.readLines().sort() == ['n1: hello', 'n2: hello']
        r.err.contains('a1: a1 is aarch64 and the push names no binary for it (only for x86_64): nothing sent')
    }

    def "exec --dry-run says what would run where and what would be sent, and starts nothing"() {
        given: 'a program no node has'
        Path fresh = fixture.cc('fresh-dry', 'int main(void) { return 0; }\n', ['-DFRESH=' + System.nanoTime()])
        String hash = LocalBlob.sha256(Files.readAllBytes(fresh))
        long size = Files.size(fresh)

        when:
        def r = gproc('exec', '--dry-run', '--push', '-w', 'n1,a1', '--', fresh.toString(), '-x')

        then:
        r.code == 0
        r.out == """dry run: nothing was started or sent
a1 (aarch64): fresh-dry -x
  would not start: a1 is aarch64 but ${fresh} is an x86_64 binary: nothing sent
n1 (x86_64): fresh-dry -x
  send fresh-dry ${size} bytes
total: 2 processes on 2 nodes, ${size} bytes to send
""".toString()
        !fixture.connect().withCloseable { it.node('n1').ls('cache').contains(hash) }
    }

    def "a dry run of a script lists its launches, and cluster.dryRun in a script returns the same report"() {
        given:
        Path script = fixture.dir.resolve('job.groovy')
        Files.writeString(script, """
def report = cluster.dryRun { nodes['n1'].push('${hello}').run() }
assert report.entries*.node == ['n1']
assert report.bytesToSend in [0L, ${Files.size(hello)}L]
nodes['n2'].run('/bin/echo', 'hi')
""")

        when:
        def r = gproc('run', '--dry-run', script.toString())

        then:
        r.code == 0
        r.out.contains('n2 (x86_64): echo hi\ntotal: 1 process on 1 node, 0 bytes to send\n')
    }

    def "above confirmAbove a command refuses without a terminal to ask, naming --yes; --yes starts it"() {
        when:
        def refused = gproc(guarded, 'exec', '-w', 'n[1-2],a1', '--', '/bin/true')
        def yes = gproc(guarded, 'exec', '--yes', '-w', 'n[1-2],a1', '--', '/bin/echo', 'ok')
        def few = gproc(guarded, 'exec', '-w', 'n[1-2]', '--', '/bin/echo', 'few')

        then:
        refused.code == 1
        refused.err.trim() == 'gproc: exec /bin/true: not started on 3 nodes (a1,n[1-2]): above the inventory\'s confirmAbove' +
                ' = 2, and nobody was asked (give --yes)'
        yes.code == 0
        yes.out.readLines().size() == 3
        few.code == 0
    }

    def "above confirmAbove rcopy refuses without a terminal to ask, naming --yes; --yes gathers"() {
        given:
        Path got = fixture.dir.resolve('rcopy-guarded')

        when:
        def refused = gproc(guarded, 'rcopy', '-w', 'n[1-2],a1', '--dest', got.toString(), '/etc/hostname')
        boolean nothingGathered = !Files.exists(got) || Files.list(got).count() == 0
        def yes = gproc(guarded, 'rcopy', '--yes', '-w', 'n[1-2],a1', '--dest', got.toString(), '/etc/hostname')

        then:
        refused.code == 1
        refused.err.trim() == 'gproc: rcopy of /etc/hostname: not started on 3 nodes (a1,n[1-2]): above the' +
                ' inventory\'s confirmAbove = 2, and nobody was asked (give --yes)'
        nothingGathered
        yes.code == 0
        Files.list(got).map { it.fileName.toString() }.toList().toSorted() == ['hostname.a1', 'hostname.n1', 'hostname.n2']
    }

    def "exec gives every process its place in the one job, also when it starts them one node at a time"() {
        when:
        def r = gproc('exec', '-f', '1', '-w', 'n[1-2],a1', 'echo $GPROC_RANK $GPROC_SIZE $GPROC_JOB $GPROC_NODE')
        def lines = r.out.readLines().collect { it.split(/:? /) }

        then:
        r.code == 0
        lines.size() == 3
        lines.collect { it[1] as int }.sort() == [0, 1, 2]
        lines.every { it[2] == '3' && it[4] == it[0] }
        lines.collect { it[3] }.unique().size() == 1
    }

    def "copy --dry-run says what would be sent and writes nothing; --quiet with --progress is refused"() {
        given:
        Path file = fixture.dir.resolve('dry-copy.txt')
        Files.writeString(file, 'never sent ' + System.nanoTime() + '\n')
        Path dest = fixture.dir.resolve('dry-dest')

        when:
        def dry = gproc('copy', '--dry-run', '-w', 'n1', '--dest', dest.toString(), file.toString())
        def both = gproc('copy', '--quiet', '--progress', '-w', 'n1', '--dest', dest.toString(), file.toString())

        then:
        dry.code == 0
        dry.out.startsWith('dry run: nothing was started or sent\n')
        dry.out.contains("send dry-copy.txt ${Files.size(file)} bytes")
        !Files.exists(dest)
        both.code == 2
        both.err.contains('--quiet and --progress contradict each other')
        !Files.exists(dest)
    }

    def "confirmAbove must be a positive number of nodes"() {
        given:
        Path bad = fixture.dir.resolve('bad.groovy')
        Files.writeString(bad, Files.readString(inventory).replaceFirst(/cluster \{/, 'cluster {\n    confirmAbove = 0'))

        when:
        def r = gproc(bad, 'exec', '-w', 'n1', '--', '/bin/true')

        then:
        r.code == 2
        r.err.contains('cluster.confirmAbove must be a number of nodes of at least 1 (leave it out to never ask)')
    }

    def "--progress draws the line on standard error; without a terminal nothing is drawn by default"() {
        given: 'a 9 MiB script, enough to draw for two nodes'
        Path big = fixture.dir.resolve('big.sh')
        Files.writeString(big, '#!/bin/sh\necho big\n#' + ('x' * (9 << 20)) + '\n')
        big.toFile().setExecutable(true)

        when:
        def drawn = gproc('exec', '--push', '--progress', '-w', 'n[1-2]', '--', big.toString())
        Path other = fixture.dir.resolve('big2.sh')
        Files.writeString(other, Files.readString(big) + '# another\n')
        other.toFile().setExecutable(true)
        def plain = gproc('exec', '--push', '-w', 'n[1-2]', '--', other.toString())
        def both = gproc('exec', '--quiet', '--progress', '-w', 'n1', '--', '/bin/true')

        then:
        drawn.code == 0
        drawn.err =~ /\rstarting: 1\/2 nodes, (9|18)\.0 MiB sent, [0-9.]+ [KMG]iB\/s, \d+:\d\d left/
        plain.err == ''
        both.code == 2
        both.err.trim() == 'gproc: --quiet and --progress contradict each other: give one'
    }
}
