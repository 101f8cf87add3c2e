package org.gproc.daemon.tree

import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.Qid
import org.gproc.transport.ninep.Stat
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout

@Timeout(60)
class XcpuTreeSpec extends Specification {
    @AutoCleanup
    TreeFixture t = new TreeFixture()

    def "the root lists the node files and cache/ in table order"() {
        expect:
        t.root().list()*.name() == ['clone', 'arch', 'uname', 'env', 'procs', 'state', 'ctl', 'cache']
        t.root().stat().isDirectory()
        t.root().stat().name() == '/'
    }

    def "attach without an authenticated principal is refused"() {
        when:
        t.tree.attach('', 'alice', '')

        then:
        def e = thrown(NinePException)
        e.message == 'attach: no authenticated principal'
    }

    def "opening clone allocates sessions 1, 2, ... and the fid lands on N/ctl reading N"() {
        when:
        def first = t.cloneFile()
        def second = t.cloneFile()

        then:
        TreeFixture.text(first) == '1'
        TreeFixture.text(second) == '2'
        first.entry().stat().name() == 'ctl'
        first.entry().parent().stat().name() == '1'
        t.root().list()*.name().containsAll(['1', '2'])

        cleanup:
        first?.clunk()
        second?.clunk()
    }

    def "walking a session that does not exist names it"() {
        when:
        t.walk('42')

        then:
        def e = thrown(NinePException)
        e.message == "'42' does not exist (or belongs to another principal)"
    }

    def "walking a file a session does not have names it and the session"() {
        given:
        int n = t.newSession()

        when:
        t.walk("$n/nope")

        then:
        def e = thrown(NinePException)
        e.message == "'nope' does not exist in session $n"
    }

    def "a session directory lists its files in table order, mode 0700, owned by the cloner"() {
        given:
        int n = t.newSession()

        when:
        def dir = t.walk("$n")

        then:
        dir.list()*.name() == ['ctl', 'argv', 'env', 'fs', 'stdin', 'stdout', 'stderr', 'wait', 'id']
        dir.stat().mode() == (Stat.DMDIR | 0700)
        dir.stat().uid() == 'alice@lab'
        dir.qid().type() == Qid.QTDIR
    }

    def "qid.path encodes the file type and the session; sessions differ"() {
        given:
        int a = t.newSession()
        int b = t.newSession()

        expect:
        t.walk("$a/ctl").qid().path() != t.walk("$b/ctl").qid().path()
        t.walk("$a/ctl").qid().path() != t.walk("$a/argv").qid().path()
        t.walk("$a/ctl").qid() == t.walk("$a/ctl").qid()
        Qids.typeOf(t.walk("$a/stdout").qid()) == FileType.STDOUT
    }

    def ".. from a session file leads to the session, and from the session to the root"() {
        given:
        int n = t.newSession()

        expect:
        t.walk("$n/ctl").parent().stat().name() == "$n"
        t.walk("$n").parent().stat().name() == '/'
        t.root().parent().stat().name() == '/'
        t.walk("$n/fs").parent().stat().name() == "$n"
    }

    def "arch and uname report the node"() {
        expect:
        t.read('arch') == XcpuTree.arch()
        t.read('arch') ==~ /[a-z0-9_]+/
        t.read('uname').startsWith('Linux ')
    }

    def "arch is read-only"() {
        when:
        t.open('arch', Message.OWRITE)

        then:
        def e = thrown(NinePException)
        e.message == "open 'arch' for writing: permission denied (mode 0444)"
    }

    def "state reports load, memory, sessions, cache bytes, uptime and version"() {
        given:
        t.newSession()

        when:
        def lines = t.read('state').readLines().collectEntries { [(it.split(' ')[0]): it.substring(it.indexOf(' ') + 1)] }

        then:
        lines.keySet() == ['load', 'memtotal', 'memavail', 'sessions', 'running', 'cache', 'uptime', 'version'] as Set
        lines.load ==~ /[0-9.]+ [0-9.]+ [0-9.]+/
        (lines.memtotal as long) > 0
        lines.sessions == '1'
        lines.running == '0'
        lines.cache == '0'
        lines.version == 'gprocd test'
    }

    def "the node env lists KEY=VALUE lines and admins may add to it"() {
        when:
        t.write('env', "EDITOR=ed 'GREETING=hello world'", 'root@lab')

        then:
        t.read('env').readLines() == ['EDITOR=ed', "'GREETING=hello world'", 'HOME=/tmp', 'PATH=/usr/bin:/bin']
    }

    def "a principal who is not an admin cannot change the node env"() {
        when:
        t.open('env', Message.OWRITE, 'alice@lab')

        then:
        def e = thrown(NinePException)
        e.message == 'env: only admins may change the node environment (alice@lab is not one)'
    }

    def "a bad token in the node env is refused and changes nothing"() {
        when:
        t.write('env', 'GOOD=1 bad', 'root@lab')

        then:
        def e = thrown(NinePException)
        e.message == "env: token 'bad' is not KEY=VALUE"
        !t.read('env').contains('GOOD')
    }

    def "nothing can be created or removed at the root or in a session directory"() {
        given:
        int n = t.newSession()

        when:
        t.root().create('x', 0644, Message.OWRITE)

        then:
        def e = thrown(NinePException)
        e.message.startsWith("create 'x': permission denied")

        when:
        t.walk("$n/argv").remove()

        then:
        e = thrown(NinePException)
        e.message == "remove 'argv': permission denied (write 'wipe' to ctl to remove a session)"
    }

    def "a handle on a wiped session is stale"() {
        given:
        int n = t.newSession()
        def ctl = t.walk("$n/ctl")
        def argv = t.walk("$n/argv")

        when:
        t.write("$n/ctl", 'wipe')
        argv.open(Message.OREAD)

        then:
        def e = thrown(NinePException)
        e.message == "session $n is gone (wiped or reaped)"

        when:
        ctl.stat()

        then:
        e = thrown(NinePException)
        e.message == "session $n is gone (wiped or reaped)"
        !t.root().list()*.name().contains("$n" as String)
    }

    def "the root ctl reads its usage and wipes a session by number"() {
        given:
        int n = t.newSession()

        when:
        t.write('ctl', "wipe $n")

        then:
        t.read('ctl') == 'kill <signal> <session>\nwipe <session>\n'
        !t.root().list()*.name().contains("$n" as String)
    }

    def "the root ctl names an unknown session and an unknown verb"() {
        when:
        t.write('ctl', 'wipe 99')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: no session '99' on n1"

        when:
        t.write('ctl', 'wip 1')

        then:
        e = thrown(NinePException)
        e.message == "ctl: unknown verb 'wip' (did you mean 'wipe'?)"
    }
}
