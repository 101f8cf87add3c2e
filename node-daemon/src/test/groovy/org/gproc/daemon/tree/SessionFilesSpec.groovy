package org.gproc.daemon.tree

import org.gproc.daemon.session.Limits
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.charset.StandardCharsets

@Timeout(60)
class SessionFilesSpec extends Specification {
    @AutoCleanup
    TreeFixture t = new TreeFixture(Limits.DEFAULTS.withMaxArgvBytes(1024).withMaxEnvBytes(64))

    def "a new session's ctl reads one status line: number, pid 0, state new and the settings"() {
        given:
        int n = t.newSession()

        expect:
        t.read("$n/ctl") == "$n 0 new type=normal owner=alice@lab spool=ok id=''\n"
    }

    def "argv keeps what is written; a write at offset 0 replaces it"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/argv", 'echo one')
        t.write("$n/argv", "sh -c 'exit 7'")

        then:
        t.read("$n/argv") == "sh -c 'exit 7'"
        t.walk("$n/argv").stat().length() == 14
    }

    def "argv may be written in pieces at increasing offsets"() {
        given:
        int n = t.newSession()
        def f = t.open("$n/argv", Message.OWRITE)

        when:
        TreeFixture.await(f.write(0, 'sh -c '.bytes))
        TreeFixture.await(f.write(6, "'exit 7'".bytes))
        f.clunk()

        then:
        t.read("$n/argv") == "sh -c 'exit 7'"
    }

    def "a write past the end of argv is refused"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/argv", 'x', 'alice@lab', 5)

        then:
        def e = thrown(NinePException)
        e.message == 'argv: write at offset 5 is past the end (0 bytes)'
    }

    def "a huge argv is refused with the limit named, and the old argv stays"() {
        given:
        int n = t.newSession()
        t.write("$n/argv", 'echo small')

        when:
        t.write("$n/argv", 'x' * 2000)

        then:
        def e = thrown(NinePException)
        e.message == 'argv: 2000 bytes is over the limit of 1024 bytes (--max-argv)'
        t.read("$n/argv") == 'echo small'
    }

    def "opening argv with OTRUNC empties it"() {
        given:
        int n = t.newSession()
        t.write("$n/argv", 'echo hi')

        when:
        t.open("$n/argv", Message.OWRITE | Message.OTRUNC).clunk()

        then:
        t.read("$n/argv") == ''
    }

    def "env keeps KEY=VALUE tokens"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/env", "A=1 'B=two words'")

        then:
        t.read("$n/env") == "A=1 'B=two words'"
    }

    def "env over its limit is refused"() {
        when:
        t.write("${t.newSession()}/env", 'A=' + 'x' * 100)

        then:
        def e = thrown(NinePException)
        e.message == 'env: 102 bytes is over the limit of 64 bytes (--max-env)'
    }

    def "id is set through ctl and read back"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/ctl", 'id job7/3')

        then:
        t.read("$n/id") == 'job7/3'
        t.read("$n/ctl").contains(' id=job7/3')
    }

    def "an id that is not job/rank is refused: '#bad'"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/ctl", "id $bad")

        then:
        def e = thrown(NinePException)
        e.message == "ctl: id: '$bad' is not <job>/<rank> (rank is a number)"

        where:
        bad << ['job', 'job/x', '/3', 'a/b/3']
    }

    def "id cannot be written directly"() {
        when:
        t.open("${t.newSession()}/id", Message.OWRITE)

        then:
        thrown(NinePException)
    }

    def "type switches between normal and persistent"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/ctl", 'type persistent')

        then:
        t.read("$n/ctl").contains(' type=persistent ')
    }

    def "an unknown type is refused"() {
        when:
        t.write("${t.newSession()}/ctl", 'type forever')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: type: 'forever' is neither normal nor persistent"
    }

    def "an unknown verb is named with the nearest one"() {
        when:
        t.write("${t.newSession()}/ctl", 'kil')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: unknown verb 'kil' (did you mean 'kill'?)"
    }

    def "close takes only stdin"() {
        when:
        t.write("${t.newSession()}/ctl", 'close stdout')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: close: only 'close stdin' is supported, not 'close stdout'"
    }

    def "signalling a session that has no process yet says so"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/ctl", 'signal 15')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: signal: session $n has no process yet (write 'exec' first)"
    }

    def "exec of a relative path that is not in fs/ is refused before anything runs"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/ctl", 'exec date')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: exec: 'date' is not a file in the session's fs/ (push or link it there, or give an absolute path)"
        t.read("$n/ctl").startsWith("$n 0 new ")
    }

    def "exec may not leave fs/ with '..'"() {
        when:
        t.write("${t.newSession()}/ctl", 'exec ../../x')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: exec: '../../x' leads outside the session's fs/"
    }

    def "wait cannot be opened for writing"() {
        when:
        t.open("${t.newSession()}/wait", Message.OWRITE)

        then:
        def e = thrown(NinePException)
        e.message == "open 'wait' for writing: permission denied (mode 0400)"
    }

    def "a wait fid refuses writes even if the core let one through"() {
        given:
        def f = t.open("${t.newSession()}/wait", Message.OREAD)

        when:
        TreeFixture.await(f.write(0, 'exit 0'.bytes))

        then:
        def e = thrown(NinePException)
        e.message == 'wait: read-only; a read waits for the exit'
    }

    def "stdout and stderr cannot be written, stdin cannot be read"() {
        given:
        int n = t.newSession()

        when:
        t.open("$n/$file", mode)

        then:
        thrown(NinePException)

        where:
        file     | mode
        'stdout' | Message.OWRITE
        'stderr' | Message.ORDWR
        'stdin'  | Message.OREAD
    }

    def "writing stdin before exec is an error"() {
        given:
        int n = t.newSession()
        def f = t.open("$n/stdin", Message.OWRITE)

        when:
        TreeFixture.await(f.write(0, 'hello'.bytes))

        then:
        def e = thrown(NinePException)
        e.message == "stdin: session $n has no process yet (write 'exec' to ctl first)"

        cleanup:
        f?.clunk()
    }

    def "reads of stdout and wait before exec park until the session is wiped, which fails them"() {
        given:
        int n = t.newSession()
        def out = t.open("$n/stdout")
        def wait = t.open("$n/wait")
        def outRead = out.read(0, 100)
        def waitRead = wait.read(0, 100)

        expect:
        !outRead.isDone()
        !waitRead.isDone()

        when:
        t.write("$n/ctl", 'wipe')
        TreeFixture.await(outRead)

        then:
        def e = thrown(NinePException)
        e.message == "session $n is gone (wiped or reaped)"

        when:
        TreeFixture.await(waitRead)

        then:
        e = thrown(NinePException)
        e.message == "wait: session $n was wiped before it exited"
    }

    def "a parked read of stdout or wait is answered with an error when its fid is clunked, running or not"() {
        given:
        int n = t.newSession()
        if (exec) {
            t.write("$n/argv", 'sleep 30')
            t.write("$n/ctl", 'exec /bin/sleep')
        }
        def file = t.open("$n/$name")
        def read = file.read(0, 100)

        expect:
        !read.isDone()

        when:
        file.clunk()
        TreeFixture.await(read, 10)

        then:
        def e = thrown(NinePException)
        e.message.endsWith('the fid was clunked while the read waited')
        t.read("$n/ctl").startsWith("$n ")

        where:
        name     | exec
        'stdout' | false
        'wait'   | false
        'stdout' | true
        'wait'   | true
    }

    def "a read that need not park is answered with its bytes, not with the clunk error"() {
        given:
        int n = t.newSession()
        t.write("$n/argv", 'echo hello')
        t.write("$n/ctl", 'exec /bin/echo')
        t.read("$n/wait")
        def file = t.open("$n/stdout")

        expect:
        new String(TreeFixture.await(file.read(0, 100))) == 'hello\n'

        cleanup:
        file?.clunk()
    }

    def "a cancelled (flushed) parked read does not disturb the session"() {
        given:
        int n = t.newSession()
        def wait = t.open("$n/wait")

        when:
        wait.read(0, 100).cancel(true)

        then:
        t.read("$n/ctl").startsWith("$n 0 new")
    }

    def "several commands in one write run in order"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/ctl", 'id j/1\ntype persistent\n')

        then:
        t.read("$n/ctl") == "$n 0 new type=persistent owner=alice@lab spool=ok id=j/1\n"
    }

    def "argv and env may be set through ctl, in the same write as exec"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/ctl", "argv sh -c 'exit 7'\nenv A=1 'B=two words'\n")

        then:
        t.read("$n/argv") == "sh -c 'exit 7'"
        t.read("$n/env") == "A=1 'B=two words'"
    }

    def "argv through ctl keeps the argv file's limit, and a refused argv stops the commands after it"() {
        given:
        int n = t.newSession()
        t.write("$n/argv", 'echo small')

        when:
        t.write("$n/ctl", 'argv ' + 'x' * 2000 + '\nid j/1\n')

        then:
        def e = thrown(NinePException)
        e.message == 'argv: 2000 bytes is over the limit of 1024 bytes (--max-argv)'
        t.read("$n/argv") == 'echo small'
        t.read("$n/ctl") == "$n 0 new type=normal owner=alice@lab spool=ok id=''\n"
    }

    def "a session's directory is watched from clone on, so exec does not wait to register it, and released by wipe"() {
        given:
        int before = t.watcher.watchedDirectories()

        when:
        int n = t.newSession()

        then:
        t.watcher.watchedDirectories() == before + 1

        when: 'it runs, exits and is wiped'
        t.write("$n/ctl", 'exec /bin/true\nclose stdin\n')
        def status = t.read("$n/wait")
        t.write("$n/ctl", 'wipe')

        then:
        status == 'exit 0'
        new PollingConditions(timeout: 20).eventually { assert t.watcher.watchedDirectories() == before }
    }

    def "a session wiped before it ever ran leaves no watch behind either"() {
        given:
        int before = t.watcher.watchedDirectories()
        int n = t.newSession()
        t.write("$n/argv", 'true')

        when:
        t.write("$n/ctl", 'wipe')

        then:
        new PollingConditions(timeout: 20).eventually { assert t.watcher.watchedDirectories() == before }
    }
}
