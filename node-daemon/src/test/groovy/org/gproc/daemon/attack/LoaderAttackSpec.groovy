package org.gproc.daemon.attack

import groovy.json.JsonSlurper
import org.gproc.daemon.DaemonFixture
import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.Stat
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path

import static org.gproc.daemon.NinePFiles.clone
import static org.gproc.daemon.LocalExecSpec.refusal
import static org.gproc.daemon.NinePFiles.push
import static org.gproc.daemon.NinePFiles.readFile
import static org.gproc.daemon.NinePFiles.sha256
import static org.gproc.daemon.NinePFiles.text
import static org.gproc.daemon.NinePFiles.writeFile

/**
 * The loader's environment against {@code --local-exec root@lab}: alice may run pushed binaries only, and a real
 * shared library with a constructor (built here with cc) is what she tries to slip in through LD_PRELOAD and the rest
 * of glibc's unsecure variables. Each refusal has its twin: the same library pushed as a blob runs, and the exec line
 * records the environment's keys and the library's sha256.
 */
@Timeout(300)
@IgnoreIf({ !new File('/usr/bin/cc').exists() })
class LoaderAttackSpec extends Specification {
    @Shared Path dir = Files.createTempDirectory('gprocd-loader-attack')
    @Shared Path log = dir.resolve('audit.jsonl')
    @Shared @AutoCleanup DaemonFixture f = new DaemonFixture({ it.localExec(['root@lab'] as Set).auditLog(log) })
    @Shared byte[] evil
    @Shared byte[] trueBinary = Files.readAllBytes(Path.of('/bin/true'))
    PollingConditions conditions = new PollingConditions(timeout: 60)

    def setupSpec() {
        Path c = dir.resolve('evil.c')
        Files.writeString(c, '#include <unistd.h>\n__attribute__((constructor)) static void evil(void) {'
                + ' write(1, "EVIL\\n", 5); }\n')
        def cc = new ProcessBuilder('cc', '-shared', '-fPIC', '-o', dir.resolve('evil.so').toString(), c.toString())
                .redirectErrorStream(true).start()
        assert cc.waitFor() == 0: cc.inputStream.text
        evil = Files.readAllBytes(dir.resolve('evil.so'))
    }

    def cleanupSpec() {
        dir.toFile().deleteDir()
    }

    List<Map> execLines() {
        Files.readAllLines(log).collect { new JsonSlurper().parseText(it) as Map }.findAll { it.event == 'exec' }
    }

    /** A session with /bin/true pushed as bin/true plus {@code ctl} lines; runs it with {@code env}. */
    static List run(BlockingNinePClient c, String env, String ctlLines = '') {
        String t = push(c, Files.readAllBytes(Path.of('/bin/true')))
        def (Fid ctl, int n) = clone(c)
        writeFile(c, "$n/env", env)
        c.write(ctl, 0, ("link $t bin/true 555\n" + ctlLines + "exec bin/true\nclose stdin\n").bytes)
        [n, text(readFile(c, "$n/wait")), text(readFile(c, "$n/stdout"))]
    }

    /** Writes {@code data} into the session's fs/ over 9P: a file, not a cached blob. */
    static void createInFs(BlockingNinePClient c, int n, String name, byte[] data) {
        String parent = name.contains('/') ? "$n/fs/" + name.substring(0, name.lastIndexOf('/')) : "$n/fs"
        Fid file = c.create(c.walk(parent), name.substring(name.lastIndexOf('/') + 1), 0755, Message.OWRITE)
        c.writeAll(file, 0, data)
        c.clunk(file)
    }

    def "LD_PRELOAD of a library written into fs/ (not a cached blob) is refused, naming LD_PRELOAD"() {
        given:
        def alice = f.connect('alice@lab')
        String t = push(alice, trueBinary)
        def (Fid ctl, int n) = clone(alice)
        createInFs(alice, n, 'evil.so', evil)
        writeFile(alice, "$n/env", 'LD_PRELOAD=./evil.so')

        when:
        String why = refusal { alice.write(ctl, 0, "link $t bin/true 555\nexec bin/true\n".bytes) }
        Outcomes.note('LD_PRELOAD=./evil.so written into fs/', why)

        then:
        why.contains('LD_PRELOAD')
        why.contains("'./evil.so' (sha256 ${sha256(evil)}) is not a blob in cache/")
        why.contains("principal 'alice@lab' may only run pushed binaries")
        conditions.eventually {
            def line = execLines().find { it.session == n }
            assert line.outcome == 'refused' && line.envKeys.contains('LD_PRELOAD')
        }
    }

    def "the same library pushed as a blob runs, and the exec line records the env keys and its sha256"() {
        given:
        def alice = f.connect('alice@lab')
        String e = push(alice, evil)

        when:
        def (n, status, out) = run(alice, 'LD_PRELOAD=./lib/evil.so', "link $e lib/evil.so 444\n")

        then:
        status == 'exit 0'
        out == 'EVIL\n'
        conditions.eventually {
            def line = execLines().find { it.session == n }
            assert line.outcome == 'accepted'
            assert line.envKeys.contains('LD_PRELOAD')
            assert line.loads == [[variable: 'LD_PRELOAD', path: './lib/evil.so', sha256: sha256(evil)]]
        }
    }

    @Shared byte[] loader = Files.readAllBytes(Path.of('/lib64/ld-linux-x86-64.so.2'))

    /** A session with the control node's loader pushed as .lib/ld.so and /bin/true as bin/true; its ctl fid. */
    List loaderSession(BlockingNinePClient c, String argv) {
        String l = push(c, loader)
        String t = push(c, trueBinary)
        def (Fid ctl, int n) = clone(c)
        writeFile(c, "$n/argv", argv)
        c.write(ctl, 0, "link $l .lib/ld.so 555\nlink $t bin/true 555\n".bytes)
        [ctl, n]
    }

    def "the pushed loader's --preload of a file written into fs/ is refused for alice, naming the option"() {
        given:
        def alice = f.connect('alice@lab')
        byte[] other = Arrays.copyOf(evil, evil.length + 1) // not the blob another feature pushed
        def (Fid ctl, int n) = loaderSession(alice, '.lib/ld.so --preload ./evil.so bin/true')
        createInFs(alice, n, 'evil.so', other)

        when:
        String why = refusal { alice.write(ctl, 0, "exec .lib/ld.so\n".bytes) }
        Outcomes.note('pushed ld.so --preload ./evil.so', why)

        then:
        why.contains("principal 'alice@lab' may only run pushed binaries")
        why.contains("the pushed loader's --preload must name cached blobs only")
        why.contains("'./evil.so' (sha256 ${sha256(other)}) is not a blob in cache/")
    }

    def "the pushed loader may run a cached program for alice, and the exec line records what it loads; a node program or an unknown option is refused"() {
        given:
        def alice = f.connect('alice@lab')

        when:
        def (Fid ctl, int n) = loaderSession(alice, '.lib/ld.so --inhibit-cache --argv0 bin/true bin/true')
        alice.write(ctl, 0, "exec .lib/ld.so\nclose stdin\n".bytes)

        then:
        text(readFile(alice, "$n/wait")) == 'exit 0'
        conditions.eventually {
            def line = execLines().find { it.session == n }
            assert line.outcome == 'accepted' && line.sha256 == sha256(loader)
            assert line.loads == [[variable: 'program', path: 'bin/true', sha256: sha256(trueBinary)]]
        }

        when:
        def (Fid ctl2, int n2) = loaderSession(alice, '.lib/ld.so /bin/sh -c id')
        String nodeFile = refusal { alice.write(ctl2, 0, "exec .lib/ld.so\n".bytes) }
        def (Fid ctl3, int n3) = loaderSession(alice, '.lib/ld.so --list bin/true')
        String unknown = refusal { alice.write(ctl3, 0, "exec .lib/ld.so\n".bytes) }

        then:
        nodeFile.contains("the pushed loader's program '/bin/sh' is a node file")
        unknown.contains("the pushed loader's option '--list' is refused")
    }

    def "#variable is refused for alice: #why"() {
        given:
        def alice = f.connect('alice@lab')
        String t = push(alice, trueBinary)
        def (Fid ctl, int n) = clone(alice)
        Fid sub = alice.create(alice.walk("$n/fs"), 'lib', 0755 | Stat.DMDIR, Message.OREAD)
        alice.clunk(sub)
        createInFs(alice, n, 'lib/x.so', 'not a cached blob'.bytes) // evil.so itself is one: the twin pushed it
        writeFile(alice, "$n/env", "$variable=$value")

        when:
        String message = refusal { alice.write(ctl, 0, "link $t bin/true 555\nexec bin/true\n".bytes) }

        then:
        message.contains(variable)
        message.contains(expected)

        where:
        variable          | value                  | expected                                          | why
        'LD_LIBRARY_PATH' | './lib'                | "'./lib/x.so' (sha256"                            | 'a directory holding a file that is no blob'
        'LD_LIBRARY_PATH' | '/usr/lib'             | 'must name cached blobs only'                      | "the node's own libraries"
        'LD_LIBRARY_PATH' | ':'                    | "'./lib/x.so' (sha256"                            | 'an empty entry is the working directory'
        'GCONV_PATH'      | './lib'                | "'./lib/x.so' (sha256"                            | 'gconv modules are code'
        'LD_AUDIT'        | './lib/x.so'           | 'is not a blob in cache/'                          | 'audit modules are code'
        'LD_PRELOAD'      | 'libevil.so'           | "has no directory"                                 | "a bare name is looked up in the node's directories"
        'LD_PRELOAD'      | '$ORIGIN/lib/x.so'     | 'loader expansion'                                 | 'expansions are refused'
        'GLIBC_TUNABLES'  | 'glibc.malloc.check=3' | 'is refused'                                       | 'it names no file to check'
        'MALLOC_TRACE'    | './trace'              | 'is refused'                                       | 'it names a file to write'
    }

    def "an unrestricted principal may preload a node library, and the exec line records its sha256"() {
        given:
        def root = f.connect('root@lab')
        Path lib = dir.resolve('evil.so')
        def (Fid ctl, int n) = clone(root)
        writeFile(root, "$n/env", "LD_PRELOAD=${lib}")
        writeFile(root, "$n/argv", 'true')

        when:
        root.write(ctl, 0, "exec /bin/true\nclose stdin\n".bytes)
        String status = text(readFile(root, "$n/wait"))

        then:
        status == 'exit 0'
        text(readFile(root, "$n/stdout")) == 'EVIL\n'
        conditions.eventually {
            assert execLines().find { it.session == n }?.loads == [[variable: 'LD_PRELOAD', path: lib.toString(), sha256: sha256(evil)]]
        }
    }
}
