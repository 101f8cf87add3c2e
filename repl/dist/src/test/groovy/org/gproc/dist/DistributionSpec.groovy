package org.gproc.dist

import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * The two archives as an operator gets them: unpacked into empty directories and run with HOME in a directory of
 * its own, a PATH holding only the few commands the launchers use (no Maven, no C compiler, and no Java unless
 * JAVA_HOME names one), from a working directory outside both, so nothing can come from the source tree or ~/.m2.
 * The daemons are real gprocd processes on 127.0.0.1 and the client is the archive's own bin/gproc.
 */
class DistributionSpec extends Specification {

    static final String VERSION = System.getProperty('dist.version')
    static final Path ROOT = Path.of(System.getProperty('gproc.root')).toAbsolutePath().normalize()
    static final String CANONICAL = "nodes.each { it.push('/bin/date').run() }"
    static final String JAVA_HOME = System.getProperty('java.home')

    @Shared Path work = Files.createTempDirectory('gproc-dist-spec-')
    @Shared Path full        // gproc-VERSION/ from gproc-VERSION.tar.gz
    @Shared Path bundle      // gprocd-VERSION/ from gprocd-VERSION-linux-x86_64.tar.gz
    @Shared Path home
    @Shared Path tools       // the PATH every run gets
    @Shared Path keys

    def setupSpec() {
        full = unpack(System.getProperty('dist.archive'), 'full').resolve("gproc-$VERSION")
        bundle = unpack(System.getProperty('dist.node.bundle'), 'node').resolve("gprocd-$VERSION")
        home = Files.createDirectories(work.resolve('home'))
        tools = Files.createDirectories(work.resolve('tools'))
        ['sh', 'dirname', 'readlink', 'sed', 'head', 'cksum', 'cut', 'mkdir'].each { tool ->
            String found = ['sh', '-c', "command -v $tool"].execute().text.trim()
            assert found: "the spec needs $tool"
            Files.createSymbolicLink(tools.resolve(tool), Path.of(found))
        }
        keys = Files.createDirectories(work.resolve('keys'))
        def keygen = ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'alice', '-f', keys.resolve('id').toString()]
                .execute()
        assert keygen.waitFor() == 0
        Files.copy(keys.resolve('id.pub'), keys.resolve('authorized_keys'))
        Files.writeString(work.resolve('job.groovy'), CANONICAL + '\n')
    }

    def cleanupSpec() {
        work.toFile().deleteDir()
    }

    def "the full archive's gprocd serves the canonical line to the same archive's gproc, with HOME elsewhere and no Maven on PATH"() {
        given: 'Java only through JAVA_HOME, launchers reached through symbolic links in another directory'
        def env = [PATH: tools.toString(), HOME: home.toString(), JAVA_HOME: JAVA_HOME]
        Path links = Files.createDirectories(work.resolve('links'))
        Files.createSymbolicLink(links.resolve('gprocd'), full.resolve('bin/gprocd'))
        Files.createSymbolicLink(links.resolve('gproc'), full.resolve('bin/gproc'))
        def before = listing(full)
        def daemon = startDaemon(links.resolve('gprocd'), env, 'full-daemon')

        when:
        def run = gproc(links.resolve('gproc'), env, daemon, 'run', work.resolve('job.groovy').toString())
        def exec = gproc(links.resolve('gproc'), env, daemon, 'exec', '-w', 'n[1-2]', '/bin/date')

        then: 'one date line per node from each'
        run.exit == 0
        nodeLines(run.out) == ['n1', 'n2'] as Set
        exec.exit == 0
        nodeLines(exec.out) == ['n1', 'n2'] as Set

        and: 'the daemon runs on the jars of lib/, the client wrote nothing into the install, Maven is nowhere'
        !daemon.commandLine().contains('.m2')
        daemon.commandLine().contains(full.resolve('lib').toString())
        listing(full) == before
        !Files.exists(tools.resolve('mvn'))

        cleanup:
        daemon?.stop()
    }

    def "the node bundle's gprocd runs on its own jlink runtime, with no Java on PATH and no JAVA_HOME"() {
        given:
        def daemon = startDaemon(bundle.resolve('bin/gprocd'), [PATH: tools.toString(), HOME: home.toString()],
                'bundle-daemon')
        def clientEnv = [PATH: tools.toString(), HOME: home.toString(), JAVA_HOME: JAVA_HOME]

        when:
        def run = gproc(full.resolve('bin/gproc'), clientEnv, daemon, 'run', work.resolve('job.groovy').toString())
        def exec = gproc(full.resolve('bin/gproc'), clientEnv, daemon, 'exec', '-w', 'n[1-2]', '/bin/date')

        then:
        run.exit == 0
        nodeLines(run.out) == ['n1', 'n2'] as Set
        exec.exit == 0
        nodeLines(exec.out) == ['n1', 'n2'] as Set
        daemon.executable() == bundle.resolve('runtime/bin/java').toRealPath()

        cleanup:
        daemon?.stop()
    }

    def "the node bundle holds only the daemon's jars, without Groovy, and a runtime of the modules gprocd uses"() {
        given: "node-daemon's runtime class path, as its build wrote it"
        def expected = Files.readString(ROOT.resolve('node-daemon/target/classpath.txt')).trim().split(':')
                .collect { Path.of(it).fileName.toString() } as Set
        expected << "gproc-node-daemon-${VERSION}.jar".toString()

        when:
        def jars = Files.list(bundle.resolve('lib')).withCloseable { s ->
            s.map { it.fileName.toString() }.filter { it.endsWith('.jar') }.toList() as Set
        }
        def modules = Files.readAllLines(bundle.resolve('runtime/release'))
                .find { it.startsWith('MODULES=') }.replaceAll(/^MODULES="|"$/, '').split(' ') as Set

        then:
        jars == expected
        jars.every { !it.startsWith('groovy') }
        modules.containsAll(['java.base', 'java.naming', 'jdk.crypto.ec'])
        !modules.contains('java.desktop')   // Groovy's and the REPL's, not the daemon's
        !Files.exists(bundle.resolve('bin/gproc'))
    }

    def "a launcher that cannot run says why: #problem"() {
        when:
        def result = launch(launcher(), env(), args)

        then:
        result.exit == exit
        result.err.contains(message)
        !result.err.contains('Exception')

        where:
        problem                       | launcher                                 | env                                            | args                           || exit | message
        'no Java (gproc)'             | { full.resolve('bin/gproc') }            | { [PATH: tools.toString(), HOME: home.toString()] } | ['--help']                 || 1    | 'gproc: no Java found (JAVA_HOME is not set and there is no java on PATH): install a Java 17 or newer'
        'no Java (gprocd, archive)'   | { full.resolve('bin/gprocd') }           | { [PATH: tools.toString(), HOME: home.toString()] } | ['--help']                 || 1    | 'or unpack the node bundle gprocd-VERSION-linux-x86_64.tar.gz, which brings its own'
        'no runtime/ in the bundle'   | { copyWithout(bundle, 'runtime').resolve('bin/gprocd') } | { [PATH: tools.toString(), HOME: home.toString()] } | ['--help'] || 1 | 'gprocd: no Java found'
        'Java 11'                     | { full.resolve('bin/gproc') }            | { [PATH: tools.toString(), HOME: home.toString(), JAVA_HOME: fakeJava('11.0.2').toString()] } | ['--help'] || 1 | 'is Java 11, and gproc needs Java 17 or newer: set JAVA_HOME to one'
        'JAVA_HOME without a java'    | { full.resolve('bin/gproc') }            | { [PATH: tools.toString(), HOME: home.toString(), JAVA_HOME: work.resolve('no-such-jdk').toString()] } | ['--help'] || 1 | 'has no bin/java: point JAVA_HOME at a Java 17 or newer'
        'lib/ missing (gproc)'        | { copyWithout(full, 'lib').resolve('bin/gproc') }   | { [PATH: tools.toString(), HOME: home.toString(), JAVA_HOME: JAVA_HOME] } | ['--help'] || 1 | '/lib/ is missing or incomplete (no gproc-cli jar or launcher.sh): unpack the archive again'
        'lib/ missing (gprocd)'       | { copyWithout(bundle, 'lib').resolve('bin/gprocd') } | { [PATH: tools.toString(), HOME: home.toString()] } | ['--help'] || 1 | '/lib/ is missing or incomplete (no gproc-node-daemon jar or launcher.sh)'
        'an unknown gprocd flag'      | { bundle.resolve('bin/gprocd') }         | { [PATH: tools.toString(), HOME: home.toString()] } | ['--listen', '127.0.0.1:0', '--host-key', 'k', '--state-dir', 's', '--authorized-keys', 'a', '--bogus'] || 2 | "Unknown option: '--bogus'"
        'a bad --log-level'           | { bundle.resolve('bin/gprocd') }         | { [PATH: tools.toString(), HOME: home.toString()] } | ['--log-level', 'loud']    || 2    | "'loud' is not a log level (use error, warn, info, debug or trace)"
        'an unknown gproc flag'       | { full.resolve('bin/gproc') }            | { [PATH: tools.toString(), HOME: home.toString(), JAVA_HOME: JAVA_HOME] } | ['--bogus'] || 2 | "Unknown option: '--bogus'"
    }

    def "gprocd logs one line per event and no SSH library chatter at --log-level #label"() {
        given:
        def daemon = startDaemon(bundle.resolve('bin/gprocd'), [PATH: tools.toString(), HOME: home.toString()],
                "log-$level", level == null ? [] : ['--log-level', level])
        def clientEnv = [PATH: tools.toString(), HOME: home.toString(), JAVA_HOME: JAVA_HOME]

        when: 'a client comes, runs a command and leaves, then the daemon stops'
        def exec = gproc(full.resolve('bin/gproc'), clientEnv, daemon, 'exec', '-w', 'n1', '/bin/date')
        daemon.stop()
        def lines = Files.readAllLines(daemon.err).findAll { it }

        then:
        exec.exit == 0
        exec.err.isEmpty()                              // the client logs nothing without -v
        lines.every { it ==~ /^(ERROR|WARN|INFO) \S.*/ }   // "LEVEL message": no thread, no logger name
        lines.every { !it.contains('org.apache.sshd') && !it.contains('SshException') }
        lines.any { it.startsWith('INFO ') } == infoShown
        !isRoot() || lines.count { it.contains('runs as root without --user-map') } == 1

        where:
        level  || infoShown
        null   || true
        'warn' || false
        label = level ?: 'unset (info)'
    }

    def "more verbosity is asked for with gprocd --log-level debug and gproc -vv"() {
        given:
        def daemon = startDaemon(bundle.resolve('bin/gprocd'), [PATH: tools.toString(), HOME: home.toString()],
                'log-debug', ['--log-level', 'debug'])
        def clientEnv = [PATH: tools.toString(), HOME: home.toString(), JAVA_HOME: JAVA_HOME]

        when:
        def exec = gproc(full.resolve('bin/gproc'), clientEnv, daemon, 'exec', '-vv', '-w', 'n1', '/bin/date')
        daemon.stop()

        then:
        exec.exit == 0
        exec.err.readLines().any { it.contains(' DEBUG ') }
        Files.readAllLines(daemon.err).any { it.contains(' DEBUG ') }
    }

    @Requires(value = { hasCommand('systemd-analyze') }, reason = 'systemd-analyze is not installed here')
    def "gprocd.service and its root drop-in pass systemd-analyze verify; a broken copy does not"() {
        given: 'the unit and drop-in as shipped, ExecStart pointed at the unpacked bundle'
        Path units = Files.createDirectories(work.resolve("units-$broken"))
        String unit = Files.readString(bundle.resolve('systemd/gprocd.service'))
                .replace('/opt/gproc/', bundle.toString() + '/')
        if (broken) {
            unit = unit.replace('KillMode=process', 'KillMode=gently')
        }
        Files.writeString(units.resolve('gprocd.service'), unit)
        Files.createDirectories(units.resolve('gprocd.service.d'))
        Files.writeString(units.resolve('gprocd.service.d/root.conf'),
                Files.readString(bundle.resolve('systemd/gprocd-root.conf')).replace('/opt/gproc/', bundle.toString() + '/'))

        when: 'verify exits 0 even for bad lines, so what it prints about the files is the verdict'
        def p = new ProcessBuilder('systemd-analyze', 'verify', units.resolve('gprocd.service').toString())
                .redirectErrorStream(true).start()
        String said = p.inputStream.text
        p.waitFor(60, TimeUnit.SECONDS)
        def complaints = said.readLines().findAll { it.contains(units.toString()) }

        then:
        complaints.isEmpty() == !broken
        !broken || complaints.any { it.contains('kill mode') }

        where:
        broken << [false, true]
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private Path unpack(String archive, String into) {
        Path dir = Files.createDirectories(work.resolve(into))
        def tar = ['tar', '-xzf', archive, '-C', dir.toString()].execute()
        assert tar.waitFor() == 0: "tar -xzf $archive: ${tar.err.text}"
        dir
    }

    private Path copyWithout(Path install, String part) {
        Path copy = work.resolve("without-$part-${install.fileName}")
        if (!Files.exists(copy)) {
            def cp = ['cp', '-a', install.toString(), copy.toString()].execute()
            assert cp.waitFor() == 0
            copy.resolve(part).toFile().deleteDir()
        }
        copy
    }

    /** A JAVA_HOME whose bin/java is a script that prints {@code version}, as an old JDK would. */
    private Path fakeJava(String version) {
        Path jdk = work.resolve("jdk-$version")
        if (!Files.exists(jdk)) {
            Files.createDirectories(jdk.resolve('bin'))
            Path java = jdk.resolve('bin/java')
            Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"$version\" 2019-01-15' >&2\n")
            java.toFile().setExecutable(true)
        }
        jdk
    }

    static boolean hasCommand(String name) {
        ['sh', '-c', "command -v $name"].execute().waitFor() == 0
    }

    static boolean isRoot() {
        ['id', '-u'].execute().text.trim() == '0'
    }

    private static Set<String> nodeLines(String out) {
        out.readLines().findAll { it ==~ /^n\d+: .*\d{4}$/ }.collect { it.substring(0, it.indexOf(':')) } as Set
    }

    private static Map<String, Long> listing(Path dir) {
        Files.walk(dir).withCloseable { s ->
            s.filter { Files.isRegularFile(it) }.toList().collectEntries { [(dir.relativize(it).toString()): Files.size(it)] }
        }
    }

    /** Runs a launcher with exactly {@code env} from an empty directory of its own; two minutes at most. */
    private Result launch(Path launcher, Map<String, String> env, List<String> args) {
        Path cwd = Files.createTempDirectory(work, 'cwd-')
        def pb = new ProcessBuilder([launcher.toString()] + args).directory(cwd.toFile())
        pb.environment().clear()
        pb.environment().putAll(env)
        Path out = cwd.resolve('.out')
        Path err = cwd.resolve('.err')
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
        Process p = pb.start()
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly()
            assert false: "$launcher $args did not finish in 120 s; stderr: ${Files.readString(err)}"
        }
        new Result(p.exitValue(), Files.readString(out), Files.readString(err))
    }

    private Result gproc(Path launcher, Map<String, String> env, Daemon daemon, String... args) {
        launch(launcher, env, ['-i', daemon.inventory.toString(), '--identity', keys.resolve('id').toString()]
                + (args as List))
    }

    /** gprocd with two nodes on free ports; returns once it has written its inventory and said it serves. */
    private Daemon startDaemon(Path launcher, Map<String, String> env, String name, List<String> extra = []) {
        Path dir = Files.createDirectories(work.resolve(name))
        Path inventory = dir.resolve('cluster.groovy')
        def pb = new ProcessBuilder([launcher.toString(), '--listen', '127.0.0.1:0', '--instances', '2',
                                     '--host-key', dir.resolve('host_key').toString(),
                                     '--authorized-keys', keys.resolve('authorized_keys').toString(),
                                     '--state-dir', dir.resolve('state').toString(),
                                     '--write-inventory', inventory.toString()] + extra).directory(dir.toFile())
        pb.environment().clear()
        pb.environment().putAll(env)
        def daemon = new Daemon(dir.resolve('gprocd.out'), dir.resolve('gprocd.err'), inventory)
        pb.redirectOutput(daemon.out.toFile()).redirectError(daemon.err.toFile())
        daemon.process = pb.start()
        new PollingConditions(timeout: 120, delay: 0.2).eventually {
            assert daemon.process.alive || Files.readString(daemon.out).contains('serving'):
                    "gprocd exited: ${Files.readString(daemon.err)}"
            assert Files.readString(daemon.out).contains('serving n1..n2 on 127.0.0.1:')
            assert Files.exists(inventory.resolveSibling('cluster.groovy.known_hosts'))
        }
        daemon
    }

    static final class Result {
        final int exit
        final String out
        final String err

        Result(int exit, String out, String err) {
            this.exit = exit
            this.out = out
            this.err = err
        }

        String toString() { "exit $exit\nstdout: $out\nstderr: $err" }
    }

    static final class Daemon {
        final Path out
        final Path err
        final Path inventory
        Process process

        Daemon(Path out, Path err, Path inventory) {
            this.out = out
            this.err = err
            this.inventory = inventory
        }

        String commandLine() {
            new String(Files.readAllBytes(Path.of("/proc/${process.pid()}/cmdline"))).replace('\0' as char, ' ' as char)
        }

        Path executable() {
            Path.of("/proc/${process.pid()}/exe").toRealPath()
        }

        /** SIGTERM, as systemd stops it; SIGKILL only if it has not exited after a minute. */
        void stop() {
            if (process.alive) {
                process.destroy()
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly()
                }
            }
        }
    }
}
