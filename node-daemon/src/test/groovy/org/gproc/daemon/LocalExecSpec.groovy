package org.gproc.daemon

import groovy.json.JsonSlurper
import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.Stat
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path

import static org.gproc.daemon.NinePFiles.clone
import static org.gproc.daemon.NinePFiles.push
import static org.gproc.daemon.NinePFiles.readFile
import static org.gproc.daemon.NinePFiles.text
import static org.gproc.daemon.NinePFiles.writeFile

/**
 * gprocd --local-exec root@lab: only root@lab may exec node files; alice and bob may run only binaries they pushed.
 * Each refusal is tried the way an attacker would: absolute paths, '..', PATH names, symlinks in fs/, files written
 * into fs/ without the cache, an admin exec'ing in a restricted principal's session.
 */
@Timeout(300)
class LocalExecSpec extends Specification {
    @Shared
    Path log = Files.createTempDirectory('gprocd-local-exec').resolve('audit.jsonl')
    @Shared
    @AutoCleanup
    DaemonFixture f = new DaemonFixture({ it.localExec(['root@lab'] as Set).auditLog(log) })
    @Shared
    byte[] echo = Files.readAllBytes(Path.of('/bin/echo'))

    def cleanupSpec() {
        log.parent.toFile().deleteDir()
    }

    /** Sets argv, writes ctl (extra lines, then exec); returns [session, stdout] or throws the exec error. */
    static List run(BlockingNinePClient c, String argv, String program, String extraCtl = '', int session = 0) {
        int n = session
        Fid ctl
        if (n == 0) {
            (ctl, n) = clone(c)
        } else {
            ctl = c.open(c.walk("$n/ctl"), Message.OWRITE)
        }
        writeFile(c, "$n/argv", argv)
        c.write(ctl, 0, (extraCtl + "exec $program\nclose stdin\n").bytes)
        String status = text(readFile(c, "$n/wait"))
        [n, status, text(readFile(c, "$n/stdout"))]
    }

    static String refusal(Closure<?> action) {
        try {
            action()
        } catch (NinePException e) {
            return e.message
        }
        'no refusal'
    }

    def "a restricted principal runs a pushed binary, linked as a private copy or as the shared blob"() {
        given:
        def alice = f.connect('alice@lab')
        String hash = push(alice, echo)

        expect:
        run(alice, 'echo copy', 'bin/echo', "link $hash bin/echo $mode\n")[1..2] == ['exit 0', "copy\n"]

        where:
        mode << ['755', '555']
    }

    def "an allowed principal runs node files"() {
        expect:
        run(f.connect('root@lab'), 'echo local', '/bin/echo')[1..2] == ['exit 0', "local\n"]
    }

    def "a restricted principal is refused #what, with the rule and the flag named"() {
        given:
        def alice = f.connect('alice@lab')
        String hash = push(alice, echo)
        def (Fid ctl, int n) = clone(alice)
        setup.call(alice, n, hash, f.daemon.node(1).sessions().visible(n, 'alice@lab').fsRoot())

        when:
        String message = refusal { alice.write(ctl, 0, "exec $program\n".bytes) }

        then:
        message.contains(expected)

        where:
        what                                        | program              | setup                                        || expected
        'a node file by absolute path'              | '/bin/echo'          | { cl, sn, h, fs -> }                           || "exec: principal 'alice@lab' may only run pushed binaries (gprocd --local-exec): '/bin/echo' is a node file"
        '/usr/bin/env, which would search PATH'     | '/usr/bin/env'       | { cl, sn, h, fs -> }                           || 'is a node file'
        'a path climbing out with ..'               | '../../../../../../bin/echo' | { cl, sn, h, fs -> }                   || 'leads outside the session\'s fs/'
        'a bare name (never a PATH lookup)'         | 'echo'               | { cl, sn, h, fs -> }                           || "'echo' is not a file in the session's fs/"
        'a file written into fs/ without the cache' | 'mine'               | { cl, sn, h, fs -> fsFile(cl, sn, 'mine', 'hello') } || 'is not a blob in cache/'
        'a symlink in fs/ to a node file'           | 'evil'               | { cl, sn, h, fs -> Files.createSymbolicLink(fs.resolve('evil'), Path.of('/bin/echo')) } || 'leads outside the session\'s fs/ through a symbolic link'
        'a symlink in fs/ to a pushed binary'       | 'alias'              | { cl, sn, h, fs -> cl.write(cl.open(cl.walk("$sn/ctl"), 1), 0, "link $h bin/echo 755\n".bytes); Files.createSymbolicLink(fs.resolve('alias'), Path.of('bin/echo')) } || 'is reached through a symbolic link'
        'a directory symlinked out of fs/'          | 'd/echo'             | { cl, sn, h, fs -> Files.createSymbolicLink(fs.resolve('d'), Path.of('/bin')) } || 'leads outside the session\'s fs/ through a symbolic link'
    }

    static void fsFile(BlockingNinePClient c, int n, String name, String content) {
        Fid file = c.create(c.walk("$n/fs"), name, 0755, Message.OWRITE)
        c.writeAll(file, 0, content.bytes)
        c.clunk(file)
    }

    def "an admin allowed node files is still refused them in a restricted principal's session"() {
        given:
        def alice = f.connect('alice@lab')
        def root = f.connect('root@lab')
        def (Fid ctl, int n) = clone(alice)

        when:
        Fid adminCtl = root.open(root.walk("$n/ctl"), Message.OWRITE)
        String message = refusal { root.write(adminCtl, 0, 'exec /bin/echo\n'.bytes) }

        then:
        message.contains("principal 'alice@lab' may only run pushed binaries")
    }

    def "each refusal is in the audit log as a refused exec naming the rule"() {
        given:
        def bob = f.connect('bob@lab')
        def (Fid ctl, int n) = clone(bob)
        refusal { bob.write(ctl, 0, 'exec /bin/sh\n'.bytes) }

        expect:
        new PollingConditions(timeout: 30).eventually {
            def line = Files.readAllLines(log).collect { new JsonSlurper().parseText(it) }
                    .find { it.event == 'exec' && it.session == n && it.node == 'n1' && it.principal == 'bob@lab' }
            assert line != null
            assert line.outcome == 'refused'
            assert line.reason.contains('--local-exec')
        }
    }

    def "a blob hard-linked into fs/ cannot be rewritten, truncated or chmod-ed: it is every session's copy"() {
        given:
        def alice = f.connect('alice@lab')
        String hash = push(alice, echo)
        def (Fid ctl, int n) = clone(alice)
        alice.write(ctl, 0, "link $hash shared 555\n".bytes)

        expect:
        refusal { alice.open(alice.walk("$n/fs/shared"), Message.OWRITE) }.contains('shared and read-only')
        refusal { alice.open(alice.walk("$n/fs/shared"), Message.OREAD | Message.OTRUNC) }.contains('shared and read-only')
        refusal { alice.wstat(alice.walk("$n/fs/shared"), withMode(0777)) }.contains('shared and read-only')
        refusal { alice.wstat(alice.walk("$n/fs/shared"), withLength(0)) }.contains('shared and read-only')
        NinePFiles.sha256(Files.readAllBytes(f.daemon.node(1).cache().file(hash))) == hash

    }

    def "the private copy a writable link mode gives may change freely (twin of the above)"() {
        given:
        def alice = f.connect('alice@lab')
        String hash = push(alice, echo)
        def (Fid ctl, int n) = clone(alice)
        alice.write(ctl, 0, "link $hash own 755\n".bytes)

        when:
        alice.clunk(alice.open(alice.walk("$n/fs/own"), Message.OWRITE | Message.OTRUNC))

        then:
        alice.stat(alice.walk("$n/fs/own")).length() == 0
        NinePFiles.sha256(Files.readAllBytes(f.daemon.node(1).cache().file(hash))) == hash
    }

    def "gprocd --local-exec takes '*' or a comma list; '#value' is refused naming the flag"() {
        given:
        Path dir = Files.createTempDirectory('gprocd-flags')

        when:
        def (code, out, err) = GprocdSpec.run('--listen', '127.0.0.1:0', '--host-key', dir.resolve('k').toString(),
                '--authorized-keys', dir.resolve('a').toString(), '--state-dir', dir.resolve('s').toString(),
                '--local-exec', value)

        then:
        code != '0'
        err.contains("--local-exec '$value'")
        !Files.exists(dir.resolve('s'))

        cleanup:
        dir.toFile().deleteDir()

        where:
        value << ['alice@lab,,bob@lab', 'alice@lab,*', ',']
    }

    static Stat withMode(int mode) {
        def d = Stat.dontTouch()
        new Stat(d.type(), d.dev(), d.qid(), mode, d.atime(), d.mtime(), d.length(), '', '', '', '')
    }

    static Stat withLength(long length) {
        def d = Stat.dontTouch()
        new Stat(d.type(), d.dev(), d.qid(), d.mode(), d.atime(), d.mtime(), length, '', '', '', '')
    }
}
