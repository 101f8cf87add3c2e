package org.gproc.daemon.tree

import org.gproc.daemon.session.Limits
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.Stat
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

@Timeout(60)
class FsSpec extends Specification {
    @AutoCleanup
    TreeFixture t = new TreeFixture(Limits.DEFAULTS.withMaxPushBytes(1000))
    int n

    def setup() {
        n = t.newSession()
    }

    def "fs/ accepts created files: written, read back, listed with their mode"() {
        when:
        def f = t.walk("$n/fs").create('data.txt', 0640, Message.ORDWR)
        TreeFixture.await(f.write(0, 'hello fs'.bytes))
        f.clunk()

        then:
        t.read("$n/fs/data.txt") == 'hello fs'
        t.walk("$n/fs").list().collect { [it.name(), it.mode(), it.length()] } == [['data.txt', 0640, 8L]]
        Files.readString(t.node.sessions().visible(n, 'alice@lab').fsRoot().resolve('data.txt')) == 'hello fs'
    }

    def "fs/ accepts created directories, and files inside them"() {
        when:
        t.walk("$n/fs").create('lib', Stat.DMDIR | 0755, Message.OREAD).clunk()
        def f = t.walk("$n/fs/lib").create('libx.so', 0755, Message.OWRITE)
        TreeFixture.await(f.write(0, [1, 2, 3] as byte[]))
        f.clunk()

        then:
        t.walk("$n/fs/lib").stat().mode() == (Stat.DMDIR | 0755)
        t.walk("$n/fs/lib/libx.so").stat().length() == 3
        t.walk("$n/fs/lib/libx.so").parent().stat().name() == 'lib'
        t.walk("$n/fs/lib").parent().stat().name() == 'fs'
    }

    def "creating a name that exists is refused"() {
        given:
        t.walk("$n/fs").create('a', 0644, Message.OWRITE).clunk()

        when:
        t.walk("$n/fs").create('a', 0644, Message.OWRITE)

        then:
        def e = thrown(NinePException)
        e.message == "create '$n/fs/a': file exists"
    }

    def "a bad name '#name' is refused"() {
        when:
        t.walk("$n/fs").create(name, 0644, Message.OWRITE)

        then:
        def e = thrown(NinePException)
        e.message.startsWith('fs: bad file name')

        where:
        name << ['', '.', '..', 'a/b', 'x\u0000y', 'x' * 256]
    }

    def "a symbolic link in fs/ is not served, so it cannot lead out"() {
        given:
        def fsRoot = t.node.sessions().visible(n, 'alice@lab').fsRoot()
        Files.createSymbolicLink(fsRoot.resolve('etc'), Path.of('/etc'))

        when:
        t.walk("$n/fs/etc")

        then:
        def e = thrown(NinePException)
        e.message == "'$n/fs/etc' is not a regular file or directory (not served over 9P)"
        t.walk("$n/fs").list().isEmpty()
    }

    def "exec and link may not leave fs/ through a symbolic link"() {
        given:
        def fsRoot = t.node.sessions().visible(n, 'alice@lab').fsRoot()
        Files.createSymbolicLink(fsRoot.resolve('bin'), Path.of('/bin'))

        when:
        t.write("$n/ctl", 'exec bin/true')

        then:
        def e = thrown(NinePException)
        e.message == "ctl: exec: 'bin/true' leads outside the session's fs/ through a symbolic link"
    }

    def "writes past the push limit are refused"() {
        given:
        def f = t.walk("$n/fs").create('big', 0644, Message.OWRITE)

        when:
        TreeFixture.await(f.write(990, new byte[20]))

        then:
        def e = thrown(NinePException)
        e.message == "write '/$n/fs/big': 1010 bytes is over the push limit of 1000 bytes per file (--max-push)"

        cleanup:
        f?.clunk()
    }

    def "files and empty directories can be removed; fs/ itself cannot"() {
        given:
        t.walk("$n/fs").create('d', Stat.DMDIR | 0755, Message.OREAD).clunk()
        t.walk("$n/fs/d").create('f', 0644, Message.OWRITE).clunk()

        when:
        t.walk("$n/fs/d").remove()

        then:
        def e = thrown(NinePException)
        e.message == "remove '$n/fs/d': directory not empty"

        when:
        t.walk("$n/fs/d/f").remove()
        t.walk("$n/fs/d").remove()

        then:
        t.walk("$n/fs").list().isEmpty()

        when:
        t.walk("$n/fs").remove()

        then:
        e = thrown(NinePException)
        e.message == "remove '$n/fs': permission denied (wipe the session instead)"
    }

    def "wstat changes mode, length and name"() {
        given:
        def f = t.walk("$n/fs").create('prog', 0644, Message.OWRITE)
        TreeFixture.await(f.write(0, 'abcdef'.bytes))
        f.clunk()
        def dontTouch = Stat.dontTouch()

        when:
        t.walk("$n/fs/prog").wstat(new Stat(dontTouch.type(), dontTouch.dev(), dontTouch.qid(), 0755, -1, -1, 3L,
                'prog2', '', '', ''))

        then:
        def st = t.walk("$n/fs/prog2").stat()
        st.mode() == 0755
        st.length() == 3
        t.read("$n/fs/prog2") == 'abc'
    }

    def "wstat cannot turn a file into a directory"() {
        given:
        t.walk("$n/fs").create('f', 0644, Message.OWRITE).clunk()
        def d = Stat.dontTouch()

        when:
        t.walk("$n/fs/f").wstat(new Stat(d.type(), d.dev(), d.qid(), Stat.DMDIR | 0755, -1, -1, -1L, '', '', '', ''))

        then:
        def e = thrown(NinePException)
        e.message == "wstat '$n/fs/f': cannot change a file into a directory or back"
    }

    def "OTRUNC empties a file and ORCLOSE removes it at clunk"() {
        given:
        def f = t.walk("$n/fs").create('tmp', 0644, Message.OWRITE)
        TreeFixture.await(f.write(0, 'data'.bytes))
        f.clunk()

        when:
        t.walk("$n/fs/tmp").open(Message.OWRITE | Message.OTRUNC).clunk()

        then:
        t.walk("$n/fs/tmp").stat().length() == 0

        when:
        t.walk("$n/fs/tmp").open(Message.OREAD | Message.ORCLOSE).clunk()
        t.walk("$n/fs/tmp")

        then:
        thrown(NinePException)
    }

    def "fs/ of a wiped session is gone with it"() {
        given:
        def fsRoot = t.node.sessions().visible(n, 'alice@lab').fsRoot()
        t.walk("$n/fs").create('a', 0644, Message.OWRITE).clunk()

        when:
        t.write("$n/ctl", 'wipe')

        then:
        !Files.exists(fsRoot.parent)
    }
}
