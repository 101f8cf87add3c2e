package org.gproc.client

import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path

/**
 * push(path, libs: true) against a real daemon: a program linked against a library that exists only in the control
 * node's temporary directory runs on the node, and its process maps only files of its own session.
 */
@Timeout(180)
class PushLibsSpec extends Specification {
    @Shared @AutoCleanup PushFixture fixture = new PushFixture()
    @Shared @AutoCleanup Cluster cluster = fixture.connect()
    @Shared Path program

    /** Prints the answer from the library, its argv[0], then its own memory map. */
    static final String PROGRAM = '''#include <stdio.h>
int gproc_answer(void);
int main(int argc, char **argv) {
    printf("answer %d argv0 %s\\n", gproc_answer(), argv[0]);
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    while (maps && fgets(line, sizeof line, maps)) fputs(line, stdout);
    return 0;
}
'''

    def setupSpec() {
        Path libs = Files.createDirectories(fixture.dir.resolve('only-here/lib'))
        fixture.cc('only-here/lib/libanswer.so.1', 'int gproc_answer(void) { return 42; }\n',
                ['-shared', '-fPIC', '-Wl,-soname,libanswer.so.1'])
        program = fixture.cc('only-here/answer', PROGRAM, ['-L' + libs, '-l:libanswer.so.1', '-Wl,-rpath,$ORIGIN/lib'])
    }

    def "without its libraries the node cannot load the program"() {
        when:
        def p = cluster.node('n1').push(program.toString()).run()
        p.waitFor()

        then:
        p.exitValue() != 0
        p.errorText.contains('libanswer.so.1: cannot open shared object file')
    }

    def "with libs: true it runs, argv[0] is kept, and it maps only its session's files"() {
        when:
        def p = cluster.node('n1').push(program.toString(), libs: true).run()
        p.waitFor()
        def lines = p.text.readLines()
        def files = lines.drop(1).collect { it.split(/\s+/, 6) }.findAll { it.size() == 6 }.collect { it[5] }
                .findAll { it.startsWith('/') }.unique()
        Path session = fixture.dir.resolve("state-x/n1").toRealPath()

        then:
        p.exitValue() == 0
        lines[0] == 'answer 42 argv0 ./answer'
        files.size() >= 4 // the program, the loader, libanswer, libc
        files.every { it.startsWith(session.toString() + '/') && it.contains('/fs/') }
        files.any { it.endsWith('/fs/.lib/libanswer.so.1') }
        files.any { it.endsWith('/fs/.lib/libc.so.6') }
        files.any { it.endsWith('/fs/.lib/ld-linux-x86-64.so.2') }
    }

    def "ps shows what the user ran for a program run through the pushed loader, and a plain push as it is"() {
        given:
        def withLibs = cluster.node('n1').push('/bin/sleep', libs: true).args('300').run()
        def plain = cluster.node('n2').push('/bin/sleep').args('301').run()

        expect: 'once both have started'
        new PollingConditions(timeout: 60).eventually {
            def rows = cluster.ps()
            assert rows.find { it.node == 'n1' && it.argv.contains('300') }?.argv ==
                    './sleep 300' + ProcessInfo.THROUGH_LOADER
            // as the node lists it: the pushed file's path in the session, no loader mark
            assert rows.find { it.node == 'n2' && it.argv.contains('301') }?.argv ==~ $/\/.*\/sessions\/\d+\/fs\/sleep 301/$
        }

        cleanup:
        withLibs?.kill('KILL')
        plain?.kill('KILL')
    }

    def "the same through the Java option on the launch, from a working directory inside fs/"() {
        when:
        def p = cluster.node('n2').push(program.toString()).libs(true).files(fixture.dir.resolve('x.groovy'))
                .run()
        p.waitFor()

        then:
        p.exitValue() == 0
        p.text.readLines()[0] == 'answer 42 argv0 ./answer'
    }

    def "a library that is not on the control node either fails the push at once, naming it"() {
        given:
        Path dir = Files.createDirectories(fixture.dir.resolve('lost/lib'))
        fixture.cc('lost/lib/libgone.so.1', 'int gproc_answer(void) { return 1; }\n',
                ['-shared', '-fPIC', '-Wl,-soname,libgone.so.1'])
        Path lost = fixture.cc('lost/prog', PROGRAM, ['-L' + dir, '-l:libgone.so.1', '-Wl,-rpath,$ORIGIN/lib'])
        Files.delete(dir.resolve('libgone.so.1'))

        when:
        cluster.nodes.push(lost.toString(), libs: true)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.startsWith("push ${lost} with libs: libgone.so.1 (needed by ${lost.toRealPath()}) is not on the" +
                " control node: searched DT_RUNPATH of ${lost.toRealPath()} (${dir.toRealPath()})")
    }

    def "libs with a working directory outside fs/ is refused, naming the rule"() {
        when:
        def p = cluster.node('n1').push(program.toString(), libs: true).dir('/tmp').run()
        p.waitFor()

        then:
        p.failure().get() == "libs: the working directory '/tmp' must be inside the session's fs/ (a relative" +
                " path), since the pushed libraries are found relative to it"
    }
}
