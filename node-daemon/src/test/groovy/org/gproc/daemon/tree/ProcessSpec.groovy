package org.gproc.daemon.tree

import org.gproc.daemon.session.Limits
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.server.OpenFile
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.charset.StandardCharsets

@Timeout(120)
class ProcessSpec extends Specification {
    @AutoCleanup
    TreeFixture t = new TreeFixture(Limits.DEFAULTS.withSpoolCapBytes(4096))
    PollingConditions conditions = new PollingConditions(timeout: 30, delay: 0.05)

    /** A session with argv written and exec'd; returns its number. */
    int run(String argv, String program, Map<String, String> extra = [:]) {
        int n = t.newSession()
        if (argv != null) {
            t.write("$n/argv", argv)
        }
        extra.each { file, text -> t.write("$n/$file", text) }
        t.write("$n/ctl", "exec $program")
        n
    }

    String waitFor(int n) {
        t.read("$n/wait")
    }

    def "echo runs: stdout holds its output, wait says exit 0, ctl shows the pid and the status"() {
        when:
        int n = run('echo hello world', '/bin/echo')

        then:
        waitFor(n) == 'exit 0'
        t.read("$n/stdout") == 'hello world\n'
        t.read("$n/stderr") == ''
        t.read("$n/ctl") ==~ /$n [1-9][0-9]* exited type=normal owner=alice@lab spool=ok id='' status='exit 0'\n/
    }

    def "sh -c 'exit 7' is three arguments and waits as exit 7"() {
        expect:
        waitFor(run("sh -c 'exit 7'", '/bin/sh')) == 'exit 7'
    }

    def "a quote inside quotes reaches the process as one quote"() {
        when:
        int n = run("printf '%s|' 'it''s' ''", '/usr/bin/printf')

        then:
        waitFor(n) == 'exit 0'
        t.read("$n/stdout") == "it's||"
    }

    def "signal 15 ends sleep 100 with signal 15, and a name works like a number"() {
        when:
        int a = run('sleep 100', '/bin/sleep')
        int b = run('sleep 100', '/bin/sleep')
        t.write("$a/ctl", 'signal 15')
        t.write("$b/ctl", 'signal KILL')

        then:
        waitFor(a) == 'signal 15'
        waitFor(b) == 'signal 9'
    }

    def "kill is signal KILL, and the node ctl's kill <signal> <session> signals a session the caller owns"() {
        when:
        int a = run('sleep 100', '/bin/sleep')
        int b = run('sleep 100', '/bin/sleep')
        t.write("$a/ctl", 'kill')
        t.write('ctl', "kill INT $b")

        then:
        waitFor(a) == 'signal 9'
        waitFor(b) == 'signal 2'
    }

    def "the node ctl's kill refuses a signal that is not one"() {
        given:
        int n = run('sleep 100', '/bin/sleep')

        when:
        t.write('ctl', "kill FOO $n")

        then:
        thrown(NinePException)
        t.read("$n/ctl").contains(' running ')
    }

    def "signal reaches the whole process group"() {
        given: 'a shell whose child sleeps'
        int n = run("sh -c 'sleep 100 & wait'", '/bin/sh')
        conditions.eventually { assert t.read("$n/ctl").contains(' running ') }

        when:
        t.write("$n/ctl", 'signal TERM')

        then:
        waitFor(n) == 'signal 15'
    }

    def "exec twice is an error naming the session and its pid"() {
        given:
        int n = run('sleep 100', '/bin/sleep')
        long pid = t.read("$n/ctl").split(' ')[1] as long

        when:
        t.write("$n/ctl", 'exec /bin/true')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: exec: session $n has already been exec'd (pid $pid); a session runs one process, clone another"
    }

    def "argv, env and dir are fixed once the process runs"() {
        given:
        int n = run('sleep 100', '/bin/sleep')

        when:
        t.write("$n/$file", text)

        then:
        def e = thrown(NinePException)
        e.message == message

        where:
        file   | text       || message
        'argv' | 'true'     || 'argv: session 1 has already been exec\'d; argv is fixed at exec'
        'env'  | 'A=1'      || 'env: session 1 has already been exec\'d; env is fixed at exec'
        'ctl'  | 'dir /tmp' || 'ctl: dir: session 1 has already been exec\'d'
    }

    def "env tokens are added to the node env"() {
        when:
        int n = run('env', '/usr/bin/env', [env: "GREETING='hello there' PATH=/bin"])
        waitFor(n)
        def lines = t.read("$n/stdout").readLines()

        then:
        lines.contains('GREETING=hello there')
        lines.contains('PATH=/bin')
        lines.contains('HOME=/tmp')
    }

    def "a bad env token fails exec and the session stays new"() {
        given:
        int n = t.newSession()
        t.write("$n/env", 'A=1 oops')

        when:
        t.write("$n/ctl", 'exec /bin/true')

        then:
        def e = thrown(NinePException)
        e.message == "env: token 'oops' is not KEY=VALUE"
        t.read("$n/ctl").startsWith("$n 0 new ")
    }

    def "an unterminated quote in argv fails exec"() {
        given:
        int n = t.newSession()
        t.write("$n/argv", "sh -c 'exit 7")

        when:
        t.write("$n/ctl", 'exec /bin/sh')

        then:
        def e = thrown(NinePException)
        e.message.startsWith('argv: unterminated quote')
    }

    def "a missing program is an error and the session can exec again"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/ctl", 'exec /no/such/program')

        then:
        def e = thrown(NinePException)
        e.message.contains('/no/such/program')

        when:
        t.write("$n/ctl", 'exec /bin/true')

        then:
        waitFor(n) == 'exit 0'
    }

    def "the working directory defaults to fs/ and dir sets it"() {
        when:
        int a = run('pwd', '/bin/pwd')
        int b = run('pwd', '/bin/pwd', [ctl: 'dir /tmp'])

        then:
        waitFor(a) == 'exit 0'
        t.read("$a/stdout").trim() == t.node.sessions().visible(a, 'alice@lab').fsRoot().toRealPath().toString()
        waitFor(b) == 'exit 0'
        t.read("$b/stdout").trim() == '/tmp'
    }

    def "a dir that is not a directory fails exec"() {
        given:
        int n = t.newSession()
        t.write("$n/ctl", 'dir nowhere')

        when:
        t.write("$n/ctl", 'exec /bin/true')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: dir: 'nowhere' is not a directory"
    }

    def "a relative exec runs a program created in fs/"() {
        given:
        int n = t.newSession()
        OpenFile f = t.walk("$n/fs").create('hello.sh', 0755, Message.OWRITE)
        TreeFixture.await(f.write(0, '#!/bin/sh\necho "hi from $0"\n'.bytes))
        f.clunk()

        when:
        t.write("$n/ctl", 'exec hello.sh')

        then:
        waitFor(n) == 'exit 0'
        t.read("$n/stdout").startsWith('hi from /')
    }

    def "stdin writes feed the process and close stdin gives EOF"() {
        given:
        int n = run('cat', '/bin/cat')
        OpenFile stdin = t.open("$n/stdin", Message.OWRITE)

        when:
        TreeFixture.await(stdin.write(0, 'one\n'.bytes))
        TreeFixture.await(stdin.write(4, 'two\n'.bytes))
        t.write("$n/ctl", 'close stdin')

        then:
        waitFor(n) == 'exit 0'
        t.read("$n/stdout") == 'one\ntwo\n'

        cleanup:
        stdin?.clunk()
    }

    def "clunking the last stdin fid gives EOF"() {
        given:
        int n = run('cat', '/bin/cat')
        OpenFile a = t.open("$n/stdin", Message.OWRITE)
        OpenFile b = t.open("$n/stdin", Message.OWRITE)
        TreeFixture.await(a.write(0, 'x'.bytes))
        a.clunk()
        TreeFixture.await(b.write(0, 'y'.bytes))

        when:
        b.clunk()

        then:
        waitFor(n) == 'exit 0'
        t.read("$n/stdout") == 'xy'
    }

    def "a stdin closed before exec is EOF as soon as the process starts"() {
        given:
        int n = t.newSession()
        t.write("$n/argv", 'cat')
        t.write("$n/ctl", 'close stdin')

        when:
        t.write("$n/ctl", 'exec /bin/cat')

        then:
        waitFor(n) == 'exit 0'
    }

    def "writing stdin after close stdin is an error"() {
        given:
        int n = run('cat', '/bin/cat')
        t.write("$n/ctl", 'close stdin')
        OpenFile f = t.open("$n/stdin", Message.OWRITE)

        when:
        TreeFixture.await(f.write(0, 'late'.bytes))

        then:
        def e = thrown(NinePException)
        e.message == "stdin: session $n: stdin is closed"

        cleanup:
        f?.clunk()
    }

    def "stderr is kept apart from stdout"() {
        when:
        int n = run("sh -c 'echo out; echo err >&2'", '/bin/sh')

        then:
        waitFor(n) == 'exit 0'
        t.read("$n/stdout") == 'out\n'
        t.read("$n/stderr") == 'err\n'
    }

    def "a read past the end of stdout parks until output comes"() {
        given:
        int n = run('cat', '/bin/cat')
        OpenFile out = t.open("$n/stdout")
        def parked = out.read(0, 100)

        expect:
        !parked.isDone()

        when:
        OpenFile stdin = t.open("$n/stdin", Message.OWRITE)
        TreeFixture.await(stdin.write(0, 'late line\n'.bytes))

        then:
        new String(TreeFixture.await(parked), StandardCharsets.UTF_8) == 'late line\n'

        cleanup:
        stdin?.clunk()
        out?.clunk()
    }

    def "two readers of one session see the same bytes"() {
        when:
        int n = run('seq 1 1000', '/usr/bin/seq')
        waitFor(n)

        then:
        t.read("$n/stdout") == t.read("$n/stdout")
        t.read("$n/stdout") == (1..1000).join('\n') + '\n'
    }

    def "signalling an exited session says it exited and how"() {
        given:
        int n = run(null, '/bin/true')
        waitFor(n)

        when:
        t.write("$n/ctl", 'signal 15')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: signal: session $n has already exited (exit 0)"
    }

    def "wipe kills a running process and removes the session at once"() {
        given:
        int n = run('sleep 100', '/bin/sleep')
        long pid = t.read("$n/ctl").split(' ')[1] as long

        when:
        t.write("$n/ctl", 'wipe')

        then:
        !t.root().list()*.name().contains(n as String)
        conditions.eventually {
            assert !ProcessHandle.of(pid).map { it.isAlive() }.orElse(false)
        }
    }

    def "output past the spool cap is reported in ctl, in wait and on reads past it, and the process is stopped"() {
        when:
        int n = run("sh -c 'head -c 10000 /dev/zero; sleep 100'", '/bin/sh')
        String status = waitFor(n)

        then:
        status.readLines()[0] == 'signal 15'
        status.readLines()[1] == 'spool capped:stdout at 4096 bytes'
        t.read("$n/ctl").contains(' spool=capped:stdout ')
        TreeFixture.await(t.open("$n/stdout").read(0, 8192)).length == 4096

        when:
        TreeFixture.await(t.open("$n/stdout").read(4096, 100))

        then:
        def e = thrown(NinePException)
        e.message == 'stdout: spool cap of 4096 bytes reached'
    }

    def "procs lists the caller's processes: session pid state owner cpu rss start argv"() {
        given:
        int mine = run('sleep 100', '/bin/sleep')
        int theirs = t.newSession('bob@lab')
        t.write("$theirs/argv", 'sleep 100', 'bob@lab')
        t.write("$theirs/ctl", 'exec /bin/sleep', 'bob@lab')
        long pid = t.read("$mine/ctl").split(' ')[1] as long

        when:
        def lines = t.read('procs').readLines()
        def f = lines[0].split(' ')

        then:
        lines.size() == 1
        f[0] == "$mine"
        f[1] == "$pid"
        f[2] == 'running'
        f[3] == 'alice@lab'
        f[4] ==~ /[0-9]+\.[0-9]/
        (f[5] as long) > 0
        Math.abs((f[6] as long) - System.currentTimeMillis().intdiv(1000)) < 120
        f[7..-1] == ['/bin/sleep', '100']

        and: 'an admin sees both'
        t.read('procs', 'root@lab').readLines().size() == 2
    }

    def "state counts running sessions"() {
        given:
        run('sleep 100', '/bin/sleep')

        expect:
        t.read('state').readLines().contains('running 1')
    }
}
