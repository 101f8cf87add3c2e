package org.gproc.daemon

import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path

import static org.gproc.daemon.NinePFiles.*

/** The daemon end to end: real SSH, the transport's 9P client, real processes. */
@Timeout(300)
class EndToEndSpec extends Specification {
    @Shared
    @AutoCleanup
    DaemonFixture f = new DaemonFixture()

    def "push /bin/date through cache/ and link, exec it, read stdout: wait says exit 0"() {
        given:
        def c = f.connect()
        byte[] date = Files.readAllBytes(Path.of('/bin/date'))

        when:
        String hash = push(c, date)
        def (int n, String status) = run(c, "date +%Y", 'bin/date', "link $hash bin/date 755\n")

        then:
        status == 'exit 0'
        text(readFile(c, "$n/stdout")).trim() == String.valueOf(Calendar.getInstance().get(Calendar.YEAR))
        c.stat(c.walk("cache/$hash")).length() == date.length
    }

    def "a second push of the same binary sends nothing: the walk finds it"() {
        given:
        def c = f.connect()
        byte[] data = Files.readAllBytes(Path.of('/bin/true'))
        push(c, data)

        when:
        def blob = c.walk("cache/${sha256(data)}")
        long length = c.stat(blob).length()
        c.clunk(blob)

        then:
        length == data.length
    }

    def "a push whose bytes do not match the name fails at clunk, naming both hashes"() {
        given:
        def c = f.connect()
        String claimed = sha256('one thing'.bytes)
        Fid blob = c.create(c.walk('cache'), claimed, 0444, Message.OWRITE)
        c.writeAll(blob, 0, 'another thing'.bytes)

        when:
        c.clunk(blob)

        then:
        def e = thrown(NinePException)
        e.message.contains(claimed)
        e.message.contains(sha256('another thing'.bytes))
    }

    def "sh -c 'exit 7' gives exit 7"() {
        expect:
        run(f.connect(), "sh -c 'exit 7'", '/bin/sh')[1] == 'exit 7'
    }

    def "sleep 100 and signal 15 gives signal 15"() {
        given:
        def c = f.connect()
        def (Fid ctl, int n) = clone(c)
        writeFile(c, "$n/argv", 'sleep 100')
        c.write(ctl, 0, 'exec /bin/sleep'.bytes)

        when:
        c.write(ctl, 0, 'signal 15'.bytes)

        then:
        text(readFile(c, "$n/wait")) == 'signal 15'
    }

    def "20 MB of binary output arrives byte-exact"() {
        given:
        def c = f.connect()
        byte[] data = new byte[20 * 1024 * 1024]
        new Random(20).nextBytes(data)
        String hash = push(c, data)

        when:
        def (int n, String status) = run(c, 'cat data', '/bin/cat', "link $hash data 444\n")
        byte[] out = readFile(c, "$n/stdout")

        then:
        status == 'exit 0'
        out.length == data.length
        sha256(out) == hash
    }

    def "a client killed mid-run reconnects and gets the whole output and the exit status"() {
        given: 'a process that prints, then waits for its stdin to end, prints more and exits 3'
        def connector = f.connector('alice@lab')
        def c = f.connect('alice@lab', 1, connector)
        def (Fid ctl, int n) = clone(c)
        writeFile(c, "$n/argv", "sh -c 'seq 1 50000; read x; seq 50001 100000; exit 3'")
        c.open(c.walk("$n/stdin"), Message.OWRITE)
        c.write(ctl, 0, 'exec /bin/sh'.bytes)
        Fid out = c.open(c.walk("$n/stdout"), Message.OREAD)
        c.read(out, 0, 10)

        when: 'the client dies: its connection drops, which clunks its stdin fid (EOF for the process)'
        connector.close()
        def again = f.connect('alice@lab')

        then:
        text(readFile(again, "$n/wait")) == 'exit 3'
        text(readFile(again, "$n/stdout")) == (1..100000).join('\n') + '\n'
    }

    def "another principal cannot walk into the session, whatever SSH user name it sent"() {
        given:
        def alice = f.connect('alice@lab')
        def (Fid ctl, int n) = clone(alice)
        def bob = f.connect('bob@lab')

        when:
        bob.walk("$n/ctl")

        then:
        def e = thrown(NinePException)
        e.message == "'$n' does not exist (or belongs to another principal)"
        !bob.readDir(bob.open(bob.walk(''), Message.OREAD))*.name().contains(n as String)

        and: 'an admin can'
        def root = f.connect('root@lab')
        text(root.read(root.open(root.walk("$n/ctl"), Message.OREAD), 0, 200)).startsWith("$n 0 new ")
    }

    def "writing wait is refused over the wire too"() {
        given:
        def c = f.connect()
        def (Fid ctl, int n) = clone(c)

        when:
        c.open(c.walk("$n/wait"), Message.OWRITE)

        then:
        def e = thrown(NinePException)
        e.message == "open 'wait' for writing: permission denied (mode 0400)"
    }
}
