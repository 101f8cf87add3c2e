package org.gproc.daemon

import org.gproc.client.Cluster
import org.gproc.client.ClusterOptions
import org.gproc.client.Inventory
import org.gproc.client.RemoteProcess
import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePClient
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.SshConnector
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * gprocd restarted on the same state dir, as separate processes (kill -9 must hit a real daemon): one life of the
 * state dir, step by step. Daemon A is killed with SIGKILL while its sessions run; B takes them back; C takes over
 * from B with --restart (SIGHUP); C's SIGTERM ends everything.
 */
@Stepwise
@Timeout(240)
class RestartSpec extends Specification {
    static final int LINES = 300

    @Shared Path dir = Files.createTempDirectory('gprocd-restart')
    @Shared Path state = dir.resolve('state')
    @Shared Path aliceKey = dir.resolve('alice_ed25519')
    @Shared KeyPair bob = Keys.generate()
    @Shared Process daemon
    @Shared int port
    @Shared Map<String, Integer> sessions = [:]
    @Shared Map<String, Long> pids = [:]
    @Shared def poll = new PollingConditions(timeout: 60, delay: 0.05)

    def setupSpec() {
        Keys.write(Keys.generate(), aliceKey, 'alice@lab')
        Files.writeString(dir.resolve('authorized_keys'), Files.readString(Path.of("${aliceKey}.pub")).trim() + '\n'
                + Keys.publicKeyLine(bob.public) + ' bob@lab\n')
    }

    def cleanupSpec() {
        daemon?.destroyForcibly()?.waitFor(30, TimeUnit.SECONDS)
        pids.values().each { pid -> ProcessHandle.of(pid).ifPresent { it.destroyForcibly() } }
        dir.toFile().deleteDir()
    }

    def "kill -9 while jobs stream output and read stdin: their processes run on"() {
        given:
        daemon = start('a')
        def c = connect('alice@lab')

        when: 'a job that prints numbered lines, one that waits for a file, one that reads two lines of stdin, cat'
        sessions.stream = exec(c, "sh -c 'i=0; while [ \$i -lt $LINES ]; do i=\$((i+1)); echo line \$i; sleep 0.01; done; exit 3'", true)
        sessions.later = exec(c, "sh -c 'while [ ! -e ${dir.resolve('go')} ]; do sleep 0.05; done; echo late; exit 7'", true)
        sessions.reader = exec(c, "sh -c 'read a; read b; echo \"got \$a \$b\"; exit 5'", false)
        sessions.cat = exec(c, 'cat', false)
        // stdin fids stay open (clunking the last one would be EOF): the daemon dies holding them
        c.writeAll(c.open(c.walk("${sessions.reader}/stdin"), Message.OWRITE), 0, 'one\n'.bytes)
        c.writeAll(c.open(c.walk("${sessions.cat}/stdin"), Message.OWRITE), 0, 'x\n'.bytes)
        sessions.each { name, n -> pids[name] = NinePFiles.text(NinePFiles.readFile(c, "$n/ctl")).split(' ')[1] as long }
        poll.eventually { assert Files.size(spool(sessions.stream)) > 0 }
        daemon.destroyForcibly() // SIGKILL

        then:
        daemon.waitFor(30, TimeUnit.SECONDS)
        daemon.exitValue() == 137
        pids.values().every { ProcessHandle.of(it).map { p -> p.alive }.orElse(false) }
    }

    def "a process that exits while no daemon runs; directories that cannot be taken back are set aside"() {
        when:
        Files.createFile(dir.resolve('go'))

        then:
        poll.eventually { assert !ProcessHandle.of(pids.later).map { it.alive }.orElse(false) }

        when: 'a record that does not parse, a name that is no number, a record whose monitor is another process'
        Path sessionsDir = state.resolve('n1/sessions')
        Files.createDirectories(sessionsDir.resolve('90'))
        Files.writeString(sessionsDir.resolve('90/session'), 'gproc-session 1\nnumber ninety\nargv /bin/true\n')
        Files.createDirectories(sessionsDir.resolve('junk'))
        Files.createDirectories(sessionsDir.resolve('91'))
        long me = ProcessHandle.current().pid()
        Files.writeString(sessionsDir.resolve('91/session'), """gproc-session 1
number 91
incarnation 1
owner bob@lab
created 0
type normal
job ''
process $me 1 $me 1
cgroup -
stdin closed
state running
argv /bin/true
""")

        then:
        [90, 91].every { Files.isDirectory(sessionsDir.resolve(it as String)) }
    }

    def "the next daemon takes every session back: reattach reads all output from offset 0 and the exit codes"() {
        given:
        daemon = start('b')
        Cluster cluster = Cluster.connect(inventory(), ClusterOptions.defaults())
        def c = connect('alice@lab')

        when:
        Map<String, RemoteProcess> back = cluster.reattach().collectEntries { [(it.session()): it] }
        NinePFiles.writeFile(c, "${sessions.reader}/stdin", 'two\n')
        Fid catIn = c.open(c.walk("${sessions.cat}/stdin"), Message.OWRITE)
        c.writeAll(catIn, 0, 'y\n'.bytes)
        c.clunk(catIn) // the last stdin fid: EOF reaches cat through the fifo the new daemon reopened
        def stream = back[sessions.stream as String]

        then:
        stream.waitFor(Duration.ofSeconds(120))
        stream.text.readLines() == (1..LINES).collect { "line $it".toString() }
        stream.exitValue() == 3
        back[sessions.later as String].text == 'late\n'
        back[sessions.later as String].exitValue() == 7
        back[sessions.reader as String].text == 'got one two\n'
        back[sessions.reader as String].exitValue() == 5
        back[sessions.cat as String].text == 'x\ny\n'
        back[sessions.cat as String].exitValue() == 0
        log('b').contains('took back 5 session(s)')

        cleanup:
        cluster?.close()
    }

    def "what could not be taken back is reported and kept; a monitor pid now used by another process is not adopted"() {
        given:
        def c = connect('bob@lab')
        String text = log('b')

        expect:
        text =~ /sessions\/90 not taken back: its record is malformed: .*number.*; moved to .*unadopted\/90/
        text =~ /sessions\/junk not taken back: 'junk' is no session number; moved to/
        Files.isDirectory(state.resolve('n1/unadopted/90'))
        Files.isDirectory(state.resolve('n1/unadopted/junk'))
        ProcessHandle.current().alive

        when: "bob's session 91 names this test JVM as its monitor: not its start time, not a monitor"
        NinePFiles.readFile(c, '91/wait')

        then: 'its status is lost, it has no members (this JVM and its children are never taken for them)'
        NinePException e = thrown()
        e.message.contains('exit status lost')
        NinePFiles.text(NinePFiles.readFile(c, '91/ctl')) =~ /^91 \d+ exited .*owner=bob@lab/
        !NinePFiles.text(NinePFiles.readFile(c, '91/ctl')).contains('orphans=')

        when: 'a signal to it: the pid it names is now someone else, never signalled'
        NinePFiles.writeFile(c, '91/ctl', 'signal KILL')

        then:
        NinePException refused = thrown()
        refused.message.contains('has already exited')
        daemon.alive
    }

    def "an adopted session belongs to its owner: bob can neither see nor open alice's, and numbers go on above"() {
        given:
        def alice = connect('alice@lab')
        def asBob = connect('bob@lab')

        when:
        asBob.walk("${sessions.stream}/stdout")

        then:
        thrown(NinePException)
        !NinePFiles.text(NinePFiles.readFile(asBob, 'procs')).contains('line')

        when:
        def (Fid ctl, int n) = NinePFiles.clone(alice)

        then:
        n > 91
        NinePFiles.text(NinePFiles.readFile(alice, "${sessions.stream}/ctl")).contains("owner=alice@lab")
    }

    def "gprocd --restart: the running daemon gets SIGHUP and leaves its sessions running; the new one takes them"() {
        given:
        def c = connect('alice@lab')
        sessions.hup = exec(c, "sh -c 'while [ ! -e ${dir.resolve('go2')} ]; do sleep 0.05; done; echo after; exit 4'", true)
        pids.hup = NinePFiles.text(NinePFiles.readFile(c, "${sessions.hup}/ctl")).split(' ')[1] as long
        Process old = daemon

        when:
        daemon = start('c', '--restart')

        then:
        old.waitFor(60, TimeUnit.SECONDS)
        old.exitValue() == 0
        log('b').contains('exiting for a restart')
        log('c').contains('--restart: gprocd pid ' + old.pid() + ' has left')
        ProcessHandle.of(pids.hup).map { it.alive }.orElse(false)

        when:
        Files.createFile(dir.resolve('go2'))
        Cluster cluster = Cluster.connect(inventory(), ClusterOptions.defaults())
        def back = cluster.reattach().find { it.session() == sessions.hup as String }

        then:
        back.waitFor(Duration.ofSeconds(60))
        back.text == 'after\n'
        back.exitValue() == 4

        cleanup:
        cluster?.close()
    }

    def "a second daemon on a state dir in use is refused, naming the running one"() {
        when:
        def err = new StringWriter()
        def cmd = Gprocd.commandLine()
        cmd.err = new PrintWriter(err)
        int code = cmd.execute('--listen', '127.0.0.1:0', '--host-key', dir.resolve('host_key').toString(),
                '--authorized-keys', dir.resolve('authorized_keys').toString(), '--state-dir', state.toString())

        then:
        code == 1
        err.toString().contains("--state-dir $state is in use by another gprocd (pid ${daemon.pid()})")
    }

    def "SIGTERM still ends every session and removes it"() {
        given:
        def c = connect('alice@lab')
        int n = exec(c, 'sleep 300', true)
        long pid = NinePFiles.text(NinePFiles.readFile(c, "$n/ctl")).split(' ')[1] as long

        when:
        daemon.destroy() // SIGTERM

        then:
        daemon.waitFor(60, TimeUnit.SECONDS)
        poll.eventually { assert !ProcessHandle.of(pid).map { it.alive }.orElse(false) }
        !Files.exists(state.resolve("n1/sessions/$n"))
    }

    // ---- fixture ------------------------------------------------------------------------------------------------

    private Process start(String name, String... extra) {
        String java = Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
        // SIGHUP back to its default, as systemd starts a service: a JVM started with it ignored (a build run under
        // nohup) keeps ignoring it, and the --restart step would wait in vain
        List<String> command = ['env', '--default-signal=HUP', java, '-XX:TieredStopAtLevel=1', '-cp', System.getProperty('java.class.path'),
                'org.gproc.daemon.Gprocd', '--listen', '127.0.0.1:0', '--host-key', dir.resolve('host_key').toString(),
                '--authorized-keys', dir.resolve('authorized_keys').toString(), '--state-dir', state.toString(),
                '--write-inventory', dir.resolve('inv.groovy').toString(), '--stop-timeout', '2'] + (extra as List)
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("gprocd-${name}.log").toFile()).start()
        poll.eventually { assert log(name).contains(': serving ') || !p.alive: allLogs() }
        assert p.alive: allLogs()
        port = (log(name) =~ /serving n1 on 127\.0\.0\.1:(\d+)/)[0][1] as int
        p
    }

    private String allLogs() {
        ['a', 'b', 'c'].collect { "---- gprocd $it:\n" + log(it) }.join('\n')
    }

    private String log(String name) {
        Path file = dir.resolve("gprocd-${name}.log")
        Files.exists(file) ? Files.readString(file) : ''
    }

    private Inventory inventory() {
        Inventory.load(dir.resolve('inv.groovy')).withIdentity(aliceKey)
    }

    private BlockingNinePClient connect(String principal) {
        KeyPair keys = principal == 'bob@lab' ? bob : Keys.loadOrGenerate(aliceKey, 'alice@lab')
        SshConnector ssh = SshConnector.builder().identity(keys).knownHosts(dir.resolve('inv.groovy.known_hosts')).build()
        NinePClient client = NinePClient.connect(ssh.open('127.0.0.1', port), 1 << 16, 'x', '').get(30, TimeUnit.SECONDS)
        client.blocking(Duration.ofSeconds(60))
    }

    /** Starts argv in a new session (stdin left open unless closeStdin); returns the session number. */
    private static int exec(BlockingNinePClient c, String argv, boolean closeStdin) {
        def (Fid ctl, int n) = NinePFiles.clone(c)
        NinePFiles.writeFile(c, "$n/argv", argv)
        String program = argv.startsWith('sh ') ? '/bin/sh' : argv.startsWith('cat') ? '/bin/cat' : '/bin/sleep'
        c.write(ctl, 0, ("exec $program\n" + (closeStdin ? 'close stdin\n' : '')).bytes)
        c.clunk(ctl)
        n
    }

    private Path spool(int n) {
        state.resolve("n1/sessions/$n/stdout")
    }
}
