package org.gproc.daemon

import org.gproc.daemon.policy.UnixUser
import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

import static org.gproc.daemon.NinePFiles.clone
import static org.gproc.daemon.NinePFiles.push
import static org.gproc.daemon.NinePFiles.readFile
import static org.gproc.daemon.NinePFiles.text
import static org.gproc.daemon.NinePFiles.writeFile

/** gprocd --user-map as root: alice@lab runs as nobody, root@lab is mapped to root explicitly, bob@lab is not mapped. */
@Requires(value = { RootOnly.available() }, reason = RootOnly.REASON)
@Timeout(300)
class UserMapSpec extends Specification {
    @Shared
    Path mapDir = Files.createTempDirectory('gprocd-user-map')
    @Shared
    @AutoCleanup
    DaemonFixture f
    @Shared
    UnixUser nobody = UnixUser.lookup('nobody').get()

    def setupSpec() {
        Path map = mapDir.resolve('users')
        Files.writeString(map, '# principal  unix user\nalice@lab nobody\n\nroot@lab root   # the admin, explicitly\n')
        f = new DaemonFixture({ it.userMap(map) })
    }

    def cleanupSpec() {
        mapDir.toFile().deleteDir()
    }

    static List run(BlockingNinePClient c, String argv, String program, String extraCtl = '') {
        def (Fid ctl, int n) = clone(c)
        writeFile(c, "$n/argv", argv)
        c.write(ctl, 0, (extraCtl + "exec $program\nclose stdin\n").bytes)
        [n, text(readFile(c, "$n/wait")), text(readFile(c, "$n/stdout")), text(readFile(c, "$n/stderr"))]
    }

    def "id -u run through the daemon prints the mapped uid: #principal"() {
        expect:
        run(f.connect(principal), 'id -u', '/usr/bin/id')[1..2] == ['exit 0', "$uid\n".toString()]

        where:
        principal   | uid
        'alice@lab' | UnixUser.lookup('nobody').get().uid()
        'root@lab'  | 0
    }

    def "an unmapped principal is refused, naming the principal and the flag"() {
        given:
        def bob = f.connect('bob@lab')
        def (Fid ctl, int n) = clone(bob)

        when:
        bob.write(ctl, 0, 'exec /usr/bin/id\n'.bytes)

        then:
        def e = thrown(NinePException)
        e.message.contains("gprocd runs as root and principal 'bob@lab' has no entry in --user-map")
    }

    def "the mapped user writes its fs/ and runs a pushed binary there; the spools stay the daemon's"() {
        given:
        def alice = f.connect('alice@lab')
        String hash = push(alice, Files.readAllBytes(Path.of('/bin/sh')))

        when:
        def (int n, String status, String out, String err) = run(alice, "sh -c 'echo data > out && cat out && id -un'",
                'bin/sh', "link $hash bin/sh 755\n")
        Path fs = f.daemon.node(1).sessions().visible(n, 'alice@lab').fsRoot()

        then:
        [status, out] == ['exit 0', "data\n${nobody.name()}\n".toString()]
        Files.getAttribute(fs.resolve('out'), 'unix:uid') == nobody.uid()
        Files.getAttribute(fs.parent.resolve('stdout'), 'unix:uid') == 0
    }

    def "once a mapped user owns fs/, the daemon no longer serves it over 9P"() {
        given:
        def alice = f.connect('alice@lab')
        def (int n, String status) = run(alice, 'id -u', '/usr/bin/id')

        when:
        alice.walk(alice.walk("$n"), "fs")

        then:
        def e = thrown(NinePException)
        e.message.contains("fs/ of session $n is closed to 9P since exec")
    }

    def "after exec no link goes into a handed-over fs/: the daemon would create paths the user controls"() {
        given:
        def alice = f.connect('alice@lab')
        String hash = push(alice, Files.readAllBytes(Path.of('/bin/true')))
        def (int n, String status) = run(alice, 'id -u', '/usr/bin/id')

        when:
        alice.write(alice.open(alice.walk("$n/ctl"), Message.OWRITE), 0, "link $hash late 555\n".bytes)

        then:
        def e = thrown(NinePException)
        e.message.contains("fs/ of session $n is closed to 9P since exec")
    }

    def "a shared cache blob linked into fs/ stays the daemon's when fs/ is handed over"() {
        given:
        def alice = f.connect('alice@lab')
        String hash = push(alice, Files.readAllBytes(Path.of('/usr/bin/id')))

        when:
        def (int n, String status, String out) = run(alice, 'id -u', 'id', "link $hash id 555\n")

        then:
        status == 'exit 0'
        Files.getAttribute(f.daemon.node(1).cache().file(hash), 'unix:uid') == 0
    }

    def "a bad --user-map is refused at startup with its file and line: #why"() {
        given:
        Path map = mapDir.resolve("bad-${why.hashCode()}")
        Files.writeString(map, text)

        when:
        new DaemonFixture({ it.userMap(map) })

        then:
        def e = thrown(IOException)
        e.message.contains("--user-map $map:$line: ")
        e.message.contains(expected)

        where:
        why                 | text                                        | line || expected
        'one word'          | 'alice@lab nobody\nbob@lab\n'               | 2    || "expected 'principal unixuser', got 'bob@lab'"
        'three words'       | '# x\nalice@lab nobody extra\n'             | 2    || "got 'alice@lab nobody extra'"
        'no such user'      | 'alice@lab no-such-user-gproc\n'            | 1    || "no Unix user 'no-such-user-gproc'"
        'a principal twice' | 'alice@lab nobody\nalice@lab root\n'        | 2    || "principal 'alice@lab' is already mapped on line 1"
    }

    def "a missing --user-map file is refused at startup, naming it"() {
        given:
        Path map = mapDir.resolve('missing')

        when:
        new DaemonFixture({ it.userMap(map) })

        then:
        def e = thrown(IOException)
        e.message.contains("--user-map $map")
    }
}
