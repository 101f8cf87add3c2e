package org.gproc.cli.agent

import org.gproc.client.DaemonCluster
import org.gproc.client.GprocRunner
import spock.lang.AutoCleanup
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption
import java.nio.file.attribute.PosixFilePermissions
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * The warm control node end to end: one agent (in this JVM, on real daemons over real SSH) and the real thin client
 * (the C source, compiled here), against the same command run directly in a JVM of its own. A fallback script stands
 * in for scripts/gproc, so a command the client hands back to be run directly shows as "FALLBACK".
 */
@Timeout(240)
@Requires({ AgentSpec.compiler() != null })
class AgentSpec extends Specification {
    @Shared @AutoCleanup DaemonCluster daemons = new DaemonCluster(2)
    @Shared GprocRunner direct
    @Shared Path work
    @Shared Path client
    @Shared Path fallback
    @Shared AgentPaths paths
    @Shared AgentServer agent
    @Shared Thread agentThread
    @Shared List<String> keys

    /** The system's python (a user's pyenv shim is not for nobody to run). */
    static final String PYTHON = Files.isExecutable(Path.of('/usr/bin/python3')) ? '/usr/bin/python3' : 'python3'

    static String compiler() {
        ['/usr/bin/cc', '/usr/bin/gcc'].find { Files.isExecutable(Path.of(it)) }
    }

    def setupSpec() {
        direct = GprocRunner.against(daemons)
        keys = ['-i', daemons.inventoryFile.toString(), '--identity', daemons.identity().toString()]
        work = Files.createTempDirectory('gproc-agent-spec')
        client = work.resolve('gproc-agent-client')
        Path source = Path.of(System.getProperty('gproc.root'), 'repl/cli/src/main/c/gproc-agent-client.c')
        def cc = new ProcessBuilder(compiler(), '-O2', '-o', client.toString(), source.toString())
                .redirectErrorStream(true).start()
        assert cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0: cc.inputStream.text
        fallback = work.resolve('fallback')
        fallback.text = '#!/bin/sh\necho "FALLBACK $*"\nexit 99\n'
        fallback.toFile().setExecutable(true)
        paths = new AgentPaths(work.resolve('run'))
        (agent, agentThread) = startAgent(paths, Duration.ofMinutes(10))
        new PollingConditions(timeout: 30).eventually { assert AgentClient.ask(paths.socket(), 'status') != null }
    }

    def cleanupSpec() {
        agent?.stopSoon()
        agentThread?.join(10_000)
        work?.toFile()?.deleteDir()
    }

    private static List startAgent(AgentPaths at, Duration idle) {
        def log = new PrintStream(Files.newOutputStream(at.dir().resolveSibling(at.dir().fileName.toString() + '.log'),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)
        def server = new AgentServer(at, Path.of(System.getProperty('user.home')), idle, null, log)
        int[] status = [-1]
        Thread t = Thread.start { status[0] = server.run() }
        [server, t, status]
    }

    private String agentLog(AgentPaths at = paths) {
        at.dir().resolveSibling(at.dir().fileName.toString() + '.log').text
    }

    /** The thin client as scripts/gproc runs it, with no agent start command: an absent agent means FALLBACK. */
    private Process startClient(Map options = [:], List<String> args) {
        def command = [client.toString(), (options.socket ?: paths.socket()).toString(), fallback.toString(),
                       work.resolve('client.log').toString(), '0'] + keys + args
        def pb = new ProcessBuilder((options.prefix ?: []) + command)
        if (options.stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
        }
        pb.start()
    }

    private GprocRunner.Result viaAgent(Map options = [:], String... args) {
        Process p = startClient(options, args.toList())
        def out = new ByteArrayOutputStream()
        def err = new ByteArrayOutputStream()
        Thread o = Thread.start { p.inputStream.transferTo(out) }
        Thread e = Thread.start { p.errorStream.transferTo(err) }
        if (options.stdin != null) {
            p.outputStream.withStream { it.write(options.stdin.toString().getBytes(StandardCharsets.UTF_8)) }
        }
        assert p.waitFor(120, TimeUnit.SECONDS)
        o.join()
        e.join()
        new GprocRunner.Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8))
    }

    def "exec through the agent prints the same stdout, stderr and exit code as exec run directly"() {
        given:
        String[] args = ['exec', '-w', 'n[1-2]', 'echo out; echo err >&2; exit 3']

        when:
        def warm = viaAgent(args)
        def cold = direct.run(args)

        then:
        warm.code == 3
        warm.code == cold.code
        warm.out.readLines().sort() == cold.out.readLines().sort()
        warm.err.readLines().sort() == cold.err.readLines().sort()
        warm.out.readLines().sort() == ['n1: out', 'n2: out']
    }

    def "a node set the inventory lacks fails through the agent with the direct command's message and status"() {
        when:
        def warm = viaAgent('exec', '-w', 'n7', 'true')
        def cold = direct.run('exec', '-w', 'n7', 'true')

        then:
        warm.code == 1
        warm.code == cold.code
        warm.err == cold.err
        warm.err.contains("-w 'n7'")
        warm.out == ''
    }

    def "the client's standard input reaches every node"() {
        when:
        def r = viaAgent(stdin: 'alpha\nbeta\n', 'exec', '-w', 'n[1-2]', 'cat')

        then:
        r.code == 0
        r.out.readLines().sort() == ['n1: alpha', 'n1: beta', 'n2: alpha', 'n2: beta']
    }

    def "with --nostdin the client's standard input is never read"() {
        when:
        def r = viaAgent(stdin: 'alpha\n', 'exec', '--nostdin', '-w', 'n1', 'cat')

        then:
        r.code == 0
        r.out == ''
    }

    def "Ctrl-C to the thin client kills the remote process and exits 130"() {
        given:
        Process p = startClient(['exec', '-w', 'n1', 'echo started; exec sleep 97'])
        def reader = new BufferedReader(new InputStreamReader(p.inputStream, StandardCharsets.UTF_8))

        when:
        String first = reader.readLine()
        new ProcessBuilder('kill', '-INT', p.pid().toString()).start().waitFor()
        boolean ended = p.waitFor(60, TimeUnit.SECONDS)

        then:
        first == 'n1: started'
        ended
        p.exitValue() == 130
        p.errorStream.text.contains('SIGINT: sending SIGINT to 1 remote process')
        new PollingConditions(timeout: 30).eventually {
            assert !viaAgent('ps', '-w', 'n1').out.contains('sleep 97')
        }
    }

    def "SIGTERM to the thin client of a command that installs no handler ends it with 143"() {
        given:
        Process p = startClient(['exec', '-w', 'n1', 'echo started; exec sleep 96'])
        def reader = new BufferedReader(new InputStreamReader(p.inputStream, StandardCharsets.UTF_8))

        when:
        reader.readLine()
        new ProcessBuilder('kill', '-TERM', p.pid().toString()).start().waitFor()

        then:
        p.waitFor(60, TimeUnit.SECONDS)
        p.exitValue() == 143
        new PollingConditions(timeout: 30).eventually {
            assert !viaAgent('ps', '-w', 'n1').out.contains('sleep 96')
        }
    }

    def "--no-agent, -v and commands the agent does not serve are handed back to run directly"() {
        expect:
        viaAgent(*args).out.startsWith('FALLBACK')
        viaAgent(*args).code == 99

        where:
        args << [['--no-agent', 'exec', '-w', 'n1', 'true'], ['-v', 'status'], ['nodeset', '-c', 'n[1-4]']]
    }

    def "the same commands without --no-agent or -v run in the agent"() {
        expect:
        viaAgent('exec', '-w', 'n1', 'true').code == 0
        viaAgent('status').out.contains('n2')
    }

    def "a connection from another uid is refused and logged"() {
        given: 'the directories and socket opened up for the test only (the agent itself refuses to start so)'
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString('rwx--x--x'))
        Files.setPosixFilePermissions(paths.dir(), PosixFilePermissions.fromString('rwx--x--x'))
        Files.setPosixFilePermissions(paths.socket(), PosixFilePermissions.fromString('rw-rw-rw-'))
        String probe = '''import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
try:
    s.sendall(b"V" + struct.pack(">I", 13) + b"gproc-agent 1" + b"Q" + struct.pack(">I", 6) + b"status")
    print("answer" if s.recv(100) else "closed")
except (BrokenPipeError, ConnectionResetError):
    print("closed")'''

        when:
        def asNobody = run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', PYTHON, '-c', probe,
                            paths.socket().toString()])
        def asOwner = run([PYTHON, '-c', probe, paths.socket().toString()])

        then:
        asNobody.trim() == 'closed'
        asOwner.trim() == 'answer'
        agentLog().contains('refused a connection from user nobody')

        cleanup:
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString('rwx------'))
        Files.setPosixFilePermissions(paths.dir(), PosixFilePermissions.fromString('rwx------'))
        Files.setPosixFilePermissions(paths.socket(), PosixFilePermissions.fromString('rw-------'))
    }

    def "the thin client does not talk to an agent whose directory others can open"() {
        given:
        Files.setPosixFilePermissions(paths.dir(), PosixFilePermissions.fromString('rwx--x--x'))

        when:
        def r = viaAgent('exec', '-w', 'n1', 'true')

        then:
        r.out.startsWith('FALLBACK')
        r.err.contains('is not this user\'s with mode 0700')

        cleanup:
        Files.setPosixFilePermissions(paths.dir(), PosixFilePermissions.fromString('rwx------'))
    }

    def "an agent replaces a stale socket, and a second agent leaves a live one alone"() {
        given: 'a socket file nobody listens on'
        def at = new AgentPaths(work.resolve('stale'))
        at.prepare()
        run([PYTHON, '-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])',
             at.socket().toString()])
        assert Files.exists(at.socket())

        when:
        def (first, firstThread) = startAgent(at, Duration.ofMinutes(1))
        new PollingConditions(timeout: 30).eventually { assert AgentClient.ask(at.socket(), 'status') != null }
        def (second, secondThread, secondStatus) = startAgent(at, Duration.ofMinutes(1))
        secondThread.join(30_000)

        then:
        secondStatus[0] == 3
        AgentClient.ask(at.socket(), 'status').startsWith('pid ')
        agentLog(at).contains('replaced a stale socket')

        cleanup:
        first?.stopSoon()
        firstThread?.join(10_000)
    }

    def "the idle timeout ends the agent and removes its socket"() {
        given:
        def at = new AgentPaths(work.resolve('idle'))

        when:
        def (server, thread, status) = startAgent(at, Duration.ofSeconds(1))
        thread.join(60_000)

        then:
        status[0] == 0
        !Files.exists(at.socket())
        agentLog(at).contains('idle for 1s: stopping')
    }

    def "an idle time that is no time is refused naming the flag's rule"() {
        when:
        def r = direct.runInProcess('agent', 'run', '--idle', value)

        then:
        r.code == 2
        r.err.contains("'${value}' is not an idle time")

        where:
        value << ['0s', '10x', '-5m']
    }

    def "an agent directory open to others or owned by another user is refused with the rule it breaks"() {
        given:
        Path open = work.resolve('open')
        Files.createDirectory(open, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString('rwxr-xr-x')))

        when:
        new AgentPaths(open).prepare()

        then:
        def e = thrown(IOException)
        e.message.contains('must be rwx------')
    }

    private static String run(List<String> command) {
        def p = new ProcessBuilder(command).redirectErrorStream(true).start()
        assert p.waitFor(30, TimeUnit.SECONDS)
        p.inputStream.text
    }
}
