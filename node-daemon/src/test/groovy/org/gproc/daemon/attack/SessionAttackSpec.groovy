package org.gproc.daemon.attack

import org.gproc.daemon.DaemonFixture
import org.gproc.daemon.NinePFiles
import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.Message.*
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.RawPeer
import org.gproc.transport.ninep.Stat
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path

/**
 * Attacks through the XCPU tree of a real gprocd over real SSH, by alice (an ordinary principal): fid and session
 * floods past the limits, oversize and malformed argv/env, cache names that are not hashes, symbolic links in fs/,
 * and every way at bob's session. Each gets a clear error naming the rule; bob's running session stays intact.
 */
@Timeout(600)
class SessionAttackSpec extends Specification {
    static final int MAX_FIDS = 32
    static final int MAX_SESSIONS = 4
    static final int MAX_ARGV = 4096
    static final int MAX_ENV = 2048

    @Shared @AutoCleanup DaemonFixture f = new DaemonFixture({
        it.maxFids(MAX_FIDS).maxSessionsPerPrincipal(MAX_SESSIONS).maxArgvBytes(MAX_ARGV).maxEnvBytes(MAX_ENV)
                .msize(65536)
    })
    @Shared Victim victim
    BlockingNinePClient alice
    List<Integer> mine = []

    def setupSpec() {
        victim = new Victim(f)
    }

    def setup() {
        alice = f.connect('alice@lab')
    }

    def cleanup() {
        mine.each { n -> try { NinePFiles.writeFile(alice, "$n/ctl", 'wipe') } catch (NinePException ignored) { } }
        victim.assertIntact()
    }

    int newSession() {
        def (Fid ctl, int n) = NinePFiles.clone(alice)
        alice.clunk(ctl)
        mine << n
        n
    }

    String refused(Closure<?> attack) {
        try {
            attack()
        } catch (NinePException e) {
            return e.message
        }
        throw new AssertionError('the attack was not refused')
    }

    // ---- floods ---------------------------------------------------------------------------------------------

    def "fid flood: 200 pipelined walks get at most --max-fids fids, the rest 'too many fids'; the connection lives"() {
        given:
        def peer = new RawPeer(f.connector('alice@lab').open('127.0.0.1', f.daemon.port()))
        peer.version(8192)
        peer.attach(0, 'alice')

        when:
        (1..200).each { peer.send(new Twalk(it, 0, it, [])) }
        List<R> replies = (1..200).collect { peer.next(60) }
        def errors = replies.findAll { it instanceof Rerror }*.ename().unique()
        Outcomes.note('fid flood: 200 pipelined Twalks past --max-fids 32', "${replies.count { it instanceof Rwalk }} Rwalk, ${replies.count { it instanceof Rerror }} Rerror: ${errors}")

        then:
        replies.count { it instanceof Rwalk } == MAX_FIDS - 1
        errors.size() == 1
        errors[0].startsWith('too many fids: this connection already holds its limit of 32 fids')

        when: 'the fids are clunked'
        (1..200).each { peer.send(new Tclunk(it, it)) }
        (1..200).each { peer.next(60) }

        then: 'the connection works again'
        peer.rpc(new Twalk(1, 0, 1, ['arch'])) instanceof Rwalk

        cleanup:
        peer?.close()
    }

    def "session flood: clones past --max-sessions are refused naming the limit; bob can still clone"() {
        given:
        MAX_SESSIONS.times { newSession() }

        when:
        def e = refused { alice.open(alice.walk('clone'), Message.ORDWR) }
        Outcomes.note('session flood past --max-sessions 4', e)

        then:
        e == "clone: alice@lab already has 4 sessions on n1, the limit per principal (--max-sessions); wipe some first"

        when: 'bob (who has the victim session) clones one more'
        def (Fid ctl, int n) = NinePFiles.clone(victim.bob)
        victim.bob.write(ctl, 0, 'wipe\n'.bytes)

        then:
        n > 0
    }

    def "session flood: 40 clones at once over 4 connections never exceed --max-sessions"() {
        given:
        def peers = (1..4).collect { new RawPeer(f.connector('alice@lab').open('127.0.0.1', f.daemon.port())) }
        peers.each { it.version(8192); it.attach(0, 'alice') }

        when:
        peers.each { p -> (1..10).each { p.send(new Twalk(it, 0, it, ['clone'])) } }
        peers.each { p -> (1..10).each { assert p.next(60) instanceof Rwalk } }
        peers.each { p -> (1..10).each { p.send(new Topen(it, it, Message.ORDWR)) } }
        List<R> replies = peers.collectMany { p -> (1..10).collect { p.next(60) } }
        int owned = f.daemon.node(1).sessions().visibleTo('alice@lab').count { it.owner() == 'alice@lab' }
        Outcomes.note('session flood: 40 concurrent clones', "${replies.count { it instanceof Ropen }} opened, ${replies.count { it instanceof Rerror }} refused; alice owns ${owned}")

        then:
        replies.count { it instanceof Ropen } == MAX_SESSIONS
        owned == MAX_SESSIONS

        cleanup:
        peers.each { it.close() }
        new PollingConditions(timeout: 60).eventually {
            f.daemon.node(1).sessions().visibleTo('alice@lab').findAll { it.owner() == 'alice@lab' }.each {
                NinePFiles.writeFile(alice, "${it.id()}/ctl", 'wipe')
            }
            assert f.daemon.node(1).sessions().visibleTo('alice@lab').count { it.owner() == 'alice@lab' } == 0
        }
    }

    // ---- argv and env ---------------------------------------------------------------------------------------

    def "oversize #file: #what is refused naming the limit"() {
        given:
        int n = newSession()
        Fid fid = alice.open(alice.walk("$n/$file"), Message.OWRITE)

        when:
        def e = refused { writes.each { off, len -> alice.write(fid, off, ('x' * len).bytes) } }
        Outcomes.note("oversize ${file}: ${what}", e)

        then:
        e == expected

        where:
        file   | what                                   | writes                    || expected
        'argv' | 'one write of 5000 bytes'              | [[0L, 5000]]              || 'argv: 5000 bytes is over the limit of 4096 bytes (--max-argv)'
        'argv' | '4000 bytes, then 200 more at 4000'    | [[0L, 4000], [4000L, 200]] || 'argv: 4200 bytes is over the limit of 4096 bytes (--max-argv)'
        'argv' | 'a write at offset 2^63-1'             | [[Long.MAX_VALUE, 1]]     || "argv: write at offset ${Long.MAX_VALUE} is past the end (0 bytes)"
        'env'  | 'one write of 3000 bytes'              | [[0L, 3000]]              || 'env: 3000 bytes is over the limit of 2048 bytes (--max-env)'
        'env'  | '2000 bytes, then 100 more at 2000'    | [[0L, 2000], [2000L, 100]] || 'env: 2100 bytes is over the limit of 2048 bytes (--max-env)'
    }

    def "malformed #file at exec: #what"() {
        given:
        int n = newSession()
        NinePFiles.writeFile(alice, "$n/$file", text)

        when:
        def e = refused { NinePFiles.writeFile(alice, "$n/ctl", 'exec /bin/echo') }
        Outcomes.note("malformed ${file} at exec: ${what}", e)

        then:
        e.startsWith(expected)

        where:
        file   | what                      | text                || expected
        'argv' | 'an unterminated quote'   | "echo 'oops"        || 'argv: unterminated quote'
        'env'  | 'a token without ='       | 'JUSTNAME'          || "env: token 'JUSTNAME' is not KEY=VALUE"
        'env'  | 'a bad variable name'     | '1X=y'              || "env: '1X' is not a variable name"
        'env'  | 'an unterminated quote'   | "A='b"              || 'env: unterminated quote'
    }

    def "NUL bytes in #file reach no process: #outcome"() {
        given:
        int n = newSession()
        NinePFiles.writeFile(alice, "$n/$file", text)

        when:
        String result
        try {
            NinePFiles.writeFile(alice, "$n/ctl", 'exec /bin/echo\nclose stdin')
            result = "ran: wait=${NinePFiles.text(NinePFiles.readFile(alice, "$n/wait"))}, stdout=${NinePFiles.text(NinePFiles.readFile(alice, "$n/stdout")).inspect()}"
        } catch (NinePException e) {
            result = "refused: ${e.message}"
        }
        Outcomes.note("NUL byte in ${file}", result)

        then: 'refused with a clear error: no NUL can be passed to execve'
        result.startsWith('refused: ') && result.contains('NUL')

        where:
        file   | text
        'argv' | "echo a\u0000b c"
        'env'  | "A=x\u0000B=y"
        outcome = 'refused'
    }

    def "a NUL byte in the path of ctl '#verb' is a clear error"() {
        given:
        int n = newSession()

        when:
        def e = refused { NinePFiles.writeFile(alice, "$n/ctl", line) }
        Outcomes.note("ctl ${verb} with a NUL in the path", e)

        then:
        e.startsWith("ctl: ${verb}: ")
        !e.contains('internal error')

        where:
        verb   | line
        'exec' | "exec 'bin/a\u0000b'"
        'exec' | "exec '/bin/a\u0000b'"
        'dir'  | "dir 'a\u0000b'\nexec /bin/true"
        'link' | "link ${'a' * 64} 'a\u0000b' 755"
    }

    // ---- cache names ----------------------------------------------------------------------------------------

    def "cache: creating '#name' is refused"() {
        when:
        def e = refused { alice.create(alice.walk('cache'), name, 0444, Message.OWRITE) }
        Outcomes.note("cache name ${name.inspect()}", e)

        then:
        e.contains(expected)

        where:
        name                        || expected
        'ABCDEF' + '0' * 58         || 'sha256'
        'a' * 63                    || 'sha256'
        'a' * 65                    || 'sha256'
        'g' * 64                    || 'sha256'
        'x' * 64                    || 'sha256'
        '../' + 'a' * 61            || 'bad file name'
        'a' * 32 + '/' + 'a' * 31   || 'bad file name'
        '..'                        || 'bad file name'
        '.'                         || 'bad file name'
    }

    def "cache: walking '#name' does not leave the tree"() {
        when:
        String outcome
        try {
            Fid fid = alice.walk(alice.walk('cache'), name.split('/'))
            outcome = "walked to ${alice.stat(fid).name()}"
            alice.clunk(fid)
        } catch (NinePException e) {
            outcome = e.message
        }
        Outcomes.note("cache walk ${name}", outcome)

        then:
        outcome == expected

        where:
        name                  || expected
        '..'                  || 'walked to /'
        '../..'               || 'walked to /'
        '../../etc'           || "walk '../../etc': 'etc' does not exist or is not a directory (file does not exist)"
    }

    def "ctl link with '#hash' as the blob name is refused"() {
        given:
        int n = newSession()

        when:
        def e = refused { NinePFiles.writeFile(alice, "$n/ctl", "link ${hash} bin/x 755") }
        Outcomes.note("ctl link with blob name ${hash}", e)

        then:
        e.contains('sha256') || e.contains('64')

        where:
        hash << ['../../../../etc/passwd', 'a' * 63, 'A' * 64, "${'a' * 32}/${'a' * 31}".toString()]
    }

    // ---- symbolic links -------------------------------------------------------------------------------------

    def "symlinks: 9P cannot make one: Tcreate with the 9P2000.u DMSYMLINK bit makes a plain file"() {
        given:
        int n = newSession()
        Path fs = fsRoot(n)

        when:
        String outcome
        try {
            Fid link = alice.create(alice.walk("$n/fs"), 'evil', 0x02000000 | 0777, Message.OWRITE)
            alice.write(link, 0, '/etc/passwd'.bytes)
            alice.clunk(link)
            outcome = Files.isSymbolicLink(fs.resolve('evil')) ? 'a SYMLINK was made' : 'a regular file was made'
        } catch (NinePException e) {
            outcome = "refused: ${e.message}"
        }
        Outcomes.note('Tcreate with DMSYMLINK in fs/', outcome)

        then:
        !Files.isSymbolicLink(fs.resolve('evil'))
    }

    def "symlinks: wstat cannot rename a file out of its directory: '#name'"() {
        given:
        int n = newSession()
        alice.clunk(alice.create(alice.walk("$n/fs"), 'f', 0644, Message.OWRITE))

        when:
        def e = refused { alice.wstat(alice.walk("$n/fs/f"), renamed(name)) }
        Outcomes.note("wstat rename to ${name}", e)

        then:
        e.contains('bad file name')
        Files.exists(fsRoot(n).resolve('f'))

        where:
        name << ['../../../escaped', 'sub/x', '..', '/tmp/x']
    }

    def "symlinks: a link planted in fs/ to / is not followed by #what"() {
        given:
        int n = newSession()
        Files.createSymbolicLink(fsRoot(n).resolve('out'), Path.of('/'))

        when:
        def e = refused { attack(this, n) }
        Outcomes.note("planted fs/out -> /: ${what}", e)

        then:
        e.contains(expected)

        where:
        what                 | attack                                                                    || expected
        'walk'               | { t, s -> t.alice.walk("$s/fs/out/etc/passwd") }                           || "'out' does not exist or is not a directory"
        'exec'               | { t, s -> NinePFiles.writeFile(t.alice, "$s/ctl", 'exec out/bin/sh') }   || 'through a symbolic link'
        'dir'                | { t, s -> NinePFiles.writeFile(t.alice, "$s/ctl", 'dir out/tmp\nexec /bin/true') } || 'through a symbolic link'
        'link'               | { t, s -> NinePFiles.writeFile(t.alice, "$s/ctl", "link ${'a' * 64} out/tmp/x 755") } || 'through a symbolic link'
        'create inside it'   | { t, s -> t.alice.create(t.alice.walk("$s/fs/out"), 'x', 0644, Message.OWRITE) } || "'out' does not exist or is not a directory"
    }

    def "symlinks: a link the session's own process makes in fs/ is not served"() {
        given:
        int n = newSession()
        NinePFiles.writeFile(alice, "$n/argv", "sh -c 'ln -s / up && ln -s /etc/passwd pw'")
        NinePFiles.writeFile(alice, "$n/ctl", 'exec /bin/sh\nclose stdin')
        assert NinePFiles.text(NinePFiles.readFile(alice, "$n/wait")) == 'exit 0'

        when:
        def up = refused { alice.walk("$n/fs/up/etc/passwd") }
        def pw = refused { alice.walk("$n/fs/pw") }
        def listed = alice.readDir(alice.open(alice.walk("$n/fs"), Message.OREAD))*.name()
        Outcomes.note('process-made symlinks fs/up -> /, fs/pw -> /etc/passwd', "${up}; ${pw}; fs/ lists ${listed}")

        then:
        up.contains("'up' does not exist or is not a directory")
        pw.contains("'pw' does not exist or is not a directory")
        listed.isEmpty()
    }

    def "symlinks: a directory swapped for a link after it was walked does not lead out"() {
        given: 'alice made fs/d and holds a fid on it'
        int n = newSession()
        alice.clunk(alice.create(alice.walk("$n/fs"), 'd', Stat.DMDIR | 0755, Message.OREAD))
        Fid d = alice.walk("$n/fs/d")
        Path dir = fsRoot(n).resolve('d')

        when: 'the session (its process, say) replaces d with a link to /etc, and alice walks on from her fid'
        Files.delete(dir)
        Files.createSymbolicLink(dir, Path.of('/etc'))
        String outcome
        try {
            Fid pw = alice.walk(d, 'passwd')
            outcome = "LEAKED: ${NinePFiles.text(alice.read(alice.open(pw, Message.OREAD), 0, 40)).readLines()[0]}"
        } catch (NinePException e) {
            outcome = e.message
        }
        Outcomes.note('fs/d swapped for a link to /etc after the walk', outcome)

        then:
        outcome == "'${n}/fs/d' is no longer a directory (not served over 9P)"
    }

    def "symlinks: a file fid held across its directory being swapped for a link does not write outside"() {
        given: 'alice made fs/d/f and holds a fid on it; a file of the same name waits outside fs/'
        int n = newSession()
        alice.clunk(alice.create(alice.walk("$n/fs"), 'd', Stat.DMDIR | 0755, Message.OREAD))
        alice.clunk(alice.create(alice.walk("$n/fs/d"), 'f', 0644, Message.OWRITE))
        Fid held = alice.walk("$n/fs/d/f")
        Path outside = Files.createDirectories(f.dir.resolve('outside'))
        Files.writeString(outside.resolve('f'), 'untouched')
        Path dir = fsRoot(n).resolve('d')

        when: 'd becomes a link to the outside directory, and alice opens her fid for writing'
        Files.delete(dir.resolve('f'))
        Files.delete(dir)
        Files.createSymbolicLink(dir, outside)
        String outcome
        try {
            alice.write(alice.open(held, Message.OWRITE), 0, 'written through the link'.bytes)
            outcome = "WROTE: ${Files.readString(outside.resolve('f'))}"
        } catch (NinePException e) {
            outcome = e.message
        }
        Outcomes.note('held fid on fs/d/f, d swapped for a link, then open for writing', outcome)

        then:
        Files.readString(outside.resolve('f')) == 'untouched'
        outcome == "'${n}/fs/d' is no longer a directory (not served over 9P)"
    }

    // ---- another principal's session ------------------------------------------------------------------------

    def "bob's session: alice #what is refused"() {
        when:
        def e = refused { attack(this, victim.session) }
        Outcomes.note("alice vs bob's session: ${what}", e)

        then:
        e.contains(expected)

        where:
        what                          | attack                                                                  || expected
        'walking into it'             | { t, s -> t.alice.walk("$s") }                                           || 'does not exist'
        'reading its stdout'          | { t, s -> t.alice.walk("$s/stdout") }                                    || 'does not exist'
        'writing its ctl'             | { t, s -> t.alice.walk("$s/ctl") }                                       || 'does not exist'
        'reading its env'             | { t, s -> t.alice.walk("$s/env") }                                       || 'does not exist'
        'reading its argv'            | { t, s -> t.alice.walk("$s/argv") }                                      || 'does not exist'
        'walking into its fs/'        | { t, s -> t.alice.walk("$s/fs") }                                        || 'does not exist'
        'via her own session and ..'  | { t, s -> t.alice.walk("${t.newSession()}/fs/../../$s") }                  || 'does not exist'
        'signalling it (node ctl)'    | { t, s -> NinePFiles.writeFile(t.alice, 'ctl', "kill 9 $s") }          || "no session '"
        'wiping it (node ctl)'        | { t, s -> NinePFiles.writeFile(t.alice, 'ctl', "wipe $s") }            || "no session '"
        'signalling it as 0N'         | { t, s -> NinePFiles.writeFile(t.alice, 'ctl', "kill 9 0$s") }         || "no session '"
        'signalling it as +N'         | { t, s -> NinePFiles.writeFile(t.alice, 'ctl', "kill 9 +$s") }         || "no session '"
    }

    def "bob's session: alice attaching with uname bob@lab gains nothing, and /procs does not show it"() {
        given:
        def peer = new RawPeer(f.connector('alice@lab').open('127.0.0.1', f.daemon.port()))
        peer.version(8192)
        peer.attach(0, 'bob@lab', '')

        when:
        def walk = peer.rpc(new Twalk(1, 0, 1, ["${victim.session}".toString()]))
        String procs = NinePFiles.text(NinePFiles.readFile(alice, 'procs'))
        Outcomes.note("alice attaching as uname bob@lab, walking to bob's session", walk)
        Outcomes.note("alice reading /procs", procs.readLines().any { it.split(' ')[0] == "${victim.session}" } ? 'LISTS bob' : "bob's session not listed")

        then:
        walk instanceof Rerror
        !procs.readLines().any { it.split(' ')[0] == "${victim.session}" }

        cleanup:
        peer?.close()
    }

    def "the positive twin: the admin sees bob's session (and leaves it alone)"() {
        given:
        def root = f.connect('root@lab')

        expect:
        NinePFiles.text(NinePFiles.readFile(root, "${victim.session}/argv")) == Victim.ARGV
    }

    Path fsRoot(int n) {
        f.daemon.node(1).sessions().visible(n, 'alice@lab').fsRoot()
    }

    static Stat renamed(String name) {
        Stat k = Stat.dontTouch()
        new Stat(k.type(), k.dev(), k.qid(), k.mode(), k.atime(), k.mtime(), k.length(), name, k.uid(), k.gid(), k.muid())
    }
}
