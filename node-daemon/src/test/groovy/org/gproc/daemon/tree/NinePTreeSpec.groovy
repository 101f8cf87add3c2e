package org.gproc.daemon.tree

import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.FramePipe
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePClient
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.Stat
import org.gproc.transport.ninep.server.NinePServer
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.charset.StandardCharsets
import java.time.Duration
import java.util.concurrent.TimeUnit

/** The tree behind the real 9P server core and client, in-process (FramePipe), as a control node drives it. */
@Timeout(120)
class NinePTreeSpec extends Specification {
    @AutoCleanup
    TreeFixture t = new TreeFixture()
    NinePServer server = new NinePServer(t.tree)
    List<NinePClient> clients = []

    def cleanup() {
        clients*.close()
        server.close()
    }

    BlockingNinePClient connect(String principal = 'alice@lab') {
        def pipe = FramePipe.pair()
        server.serve(principal, pipe.server())
        NinePClient c = NinePClient.connect(pipe.client(), 64 * 1024, 'whoever', '').get(10, TimeUnit.SECONDS)
        clients << c
        c.blocking(Duration.ofSeconds(60))
    }

    static String text(byte[] b) {
        new String(b, StandardCharsets.UTF_8)
    }

    def "open clone: the fid is the new session's ctl, reads N, and takes ctl verbs"() {
        given:
        def c = connect()

        when:
        def ctl = c.open(c.walk('clone'), Message.ORDWR)
        int n = text(c.read(ctl, 0, 100)) as int
        def argv = c.open(c.walk("$n/argv"), Message.OWRITE)
        c.write(argv, 0, "sh -c 'echo from 9P; exit 7'".bytes)
        c.write(ctl, 0, 'exec /bin/sh'.bytes)
        def wait = c.open(c.walk("$n/wait"), Message.OREAD)
        def out = c.open(c.walk("$n/stdout"), Message.OREAD)

        then:
        n == 1
        ctl.qid() == c.stat(c.walk("$n/ctl")).qid()
        text(c.readAll(wait)) == 'exit 7'
        text(c.readAll(out)) == 'from 9P\n'
    }

    def "errors reach the client as the tree wrote them"() {
        given:
        def c = connect()
        def ctl = c.open(c.walk('clone'), Message.ORDWR)

        when:
        c.write(ctl, 0, 'kil'.bytes)

        then:
        def e = thrown(NinePException)
        e.message == "ctl: unknown verb 'kil' (did you mean 'kill'?)"
    }

    def "the root lists node files and the caller's sessions only"() {
        given:
        def alice = connect('alice@lab')
        def bob = connect('bob@lab')
        alice.open(alice.walk('clone'), Message.ORDWR)
        bob.open(bob.walk('clone'), Message.ORDWR)

        expect:
        alice.readDir(alice.open(alice.walk(''), Message.OREAD))*.name() ==
                ['clone', 'arch', 'uname', 'env', 'procs', 'state', 'ctl', 'cache', '1']
        bob.readDir(bob.open(bob.walk(''), Message.OREAD))*.name().last() == '2'
    }

    def "walking into another principal's session fails over 9P too"() {
        given:
        def alice = connect('alice@lab')
        def bob = connect('bob@lab')
        alice.open(alice.walk('clone'), Message.ORDWR)

        when:
        bob.walk('1/ctl')

        then:
        thrown(NinePException)
    }

    def "a session outlives the connection that made it: another connection reads everything, exit status included"() {
        given:
        def first = connect()
        def ctl = first.open(first.walk('clone'), Message.ORDWR)
        int n = text(first.read(ctl, 0, 100)) as int
        first.write(first.open(first.walk("$n/argv"), Message.OWRITE), 0, 'seq 1 5000'.bytes)
        first.write(ctl, 0, 'exec /usr/bin/seq'.bytes)
        clients[0].close()

        when:
        def second = connect()
        def wait = second.open(second.walk("$n/wait"), Message.OREAD)
        def out = second.open(second.walk("$n/stdout"), Message.OREAD)

        then:
        text(second.readAll(wait)) == 'exit 0'
        text(second.readAll(out)) == (1..5000).join('\n') + '\n'
    }

    def "a flushed parked read leaves the session intact"() {
        given:
        def c = connect()
        def ctl = c.open(c.walk('clone'), Message.ORDWR)
        int n = text(c.read(ctl, 0, 100)) as int
        c.write(c.open(c.walk("$n/argv"), Message.OWRITE), 0, 'sleep 100'.bytes)
        c.write(ctl, 0, 'exec /bin/sleep'.bytes)
        def wait = c.open(c.walk("$n/wait"), Message.OREAD)

        when:
        def parked = c.async().read(wait, 0, 100)
        parked.cancel(true)
        c.write(ctl, 0, 'signal 9'.bytes)

        then:
        text(c.readAll(c.open(c.walk("$n/wait"), Message.OREAD))) == 'signal 9'
    }

    def "files created in fs/ over 9P hold exactly what was written"() {
        given:
        def c = connect()
        def ctl = c.open(c.walk('clone'), Message.ORDWR)
        int n = text(c.read(ctl, 0, 100)) as int
        byte[] data = new byte[3_000_000]
        new Random(7).nextBytes(data)

        when:
        def f = c.create(c.walk("$n/fs"), 'blob', 0644, Message.OWRITE)
        c.writeAll(f, 0, data)
        c.clunk(f)
        def back = c.open(c.walk("$n/fs/blob"), Message.OREAD)

        then:
        c.readAll(back) == data
        c.stat(c.walk("$n/fs/blob")).length() == data.length
        c.readDir(c.open(c.walk("$n/fs"), Message.OREAD))*.name() == ['blob']
    }

    def "a directory created in fs/ over 9P is a directory"() {
        given:
        def c = connect()
        def ctl = c.open(c.walk('clone'), Message.ORDWR)
        int n = text(c.read(ctl, 0, 100)) as int

        when:
        c.clunk(c.create(c.walk("$n/fs"), 'lib', Stat.DMDIR | 0755, Message.OREAD))

        then:
        c.stat(c.walk("$n/fs/lib")).directory
    }
}
