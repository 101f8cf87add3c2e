package org.gproc.daemon.attack

import org.apache.sshd.client.SshClient
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver
import org.apache.sshd.client.keyverifier.ServerKeyVerifier
import org.apache.sshd.client.session.ClientSession
import org.apache.sshd.common.SshConstants
import org.apache.sshd.common.config.keys.KeyUtils
import org.apache.sshd.common.keyprovider.KeyIdentityProvider
import org.apache.sshd.common.session.ConnectionService
import org.apache.sshd.common.util.buffer.Buffer
import org.gproc.daemon.DaemonFixture
import org.gproc.daemon.NinePFiles
import org.gproc.transport.ninep.Codec
import org.gproc.transport.ninep.Message
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.OpenSsh
import org.gproc.transport.ssh.ServerRefusalSpec
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.time.Duration

/**
 * SSH-level attacks on a real gprocd, with the real OpenSSH client where it can ask, and SSHD's client for the
 * requests OpenSSH only sends with an agent or a display at hand. The transport's {@code SshNodeServerSpec} and
 * {@code ServerRefusalSpec} ask the same of the bare {@code SshNodeServer}; this spec asks the assembled daemon and
 * checks that nothing is opened, that no session appears, and that bob's running session is untouched.
 */
@Timeout(600)
class SshAttackSpec extends Specification {
    static final Duration WAIT = Duration.ofSeconds(60)

    @Shared @AutoCleanup DaemonFixture f = new DaemonFixture()
    @Shared Victim victim
    @Shared Path aliceKey
    @Shared SshClient client

    def setupSpec() {
        victim = new Victim(f)
        aliceKey = f.dir.resolve('alice_key')
        Keys.write(f.keys['alice@lab'], aliceKey, 'alice@lab')
        Files.setPosixFilePermissions(aliceKey, PosixFilePermissions.fromString('rw-------'))
        client = SshClient.setUpDefaultClient()
        // Test-only verifier: accepts exactly the key of the daemon under test.
        client.serverKeyVerifier = { s, a, k -> KeyUtils.compareKeys(k, f.daemon.hostKey()) } as ServerKeyVerifier
        client.keyIdentityProvider = KeyIdentityProvider.EMPTY_KEYS_PROVIDER
        client.hostConfigEntryResolver = HostConfigEntryResolver.EMPTY
        client.start()
    }

    def cleanupSpec() {
        client?.stop()
    }

    def cleanup() {
        assert sessionsOf('alice@lab') == 0: 'an attack left a session behind'
        victim.assertIntact()
    }

    int sessionsOf(String principal) {
        f.daemon.node(1).sessions().visibleTo(principal).findAll { it.owner() == principal }.size()
    }

    List<String> ssh() {
        OpenSsh.sshBase(aliceKey, f.knownHosts(), f.daemon.port())
    }

    def "OpenSSH: #what is refused by the daemon"() {
        when:
        def r = OpenSsh.run(ssh() + args, new byte[0])
        Outcomes.note("ssh ${what}", "exit ${r.exit}: ${r.err.readLines().findAll { l -> expected.any { l.contains(it) } }.join('; ')}")

        then:
        r.exit != 0
        expected.any { r.err.contains(it) }
        r.out.length == 0

        where:
        what                         | args                                                                 | expected
        'exec (ssh host id)'         | ['127.0.0.1', 'id']                                                  | ['exec request failed']
        'shell with a pty (-tt)'     | ['-tt', '127.0.0.1']                                                 | ['PTY allocation request failed', 'shell request failed']
        'shell without a pty (-T)'   | ['-T', '127.0.0.1']                                                  | ['shell request failed']
        'sftp subsystem'             | ['-s', '127.0.0.1', 'sftp']                                          | ['subsystem request failed']
        'subsystem xcpu'             | ['-s', '127.0.0.1', 'xcpu']                                          | ['subsystem request failed']
        'subsystem XCPU@GPROC'       | ['-s', '127.0.0.1', 'XCPU@GPROC']                                    | ['subsystem request failed']
        'subsystem xcpu@gproc/../sftp' | ['-s', '127.0.0.1', 'xcpu@gproc/../sftp']                          | ['subsystem request failed']
        '-W stdio forwarding'        | ['-W', "127.0.0.1:${f.daemon.port()}".toString(), '127.0.0.1']       | ['stdio forwarding failed', 'open failed']
        '-R remote forwarding'       | ['-N', '-o', 'ExitOnForwardFailure=yes', '-R', '0:127.0.0.1:9', '127.0.0.1'] | ['remote port forwarding failed']
    }

    def "OpenSSH: -L local forwarding is refused when something uses it"() {
        given:
        int local = new ServerSocket(0).withCloseable { it.localPort }
        def p = new ProcessBuilder(ssh() + ['-N', '-L', "127.0.0.1:${local}:127.0.0.1:${f.daemon.port()}".toString(),
                                            '127.0.0.1']).redirectErrorStream(true).start()
        def log = new StringBuffer()
        Thread.start { p.inputStream.eachLine { log << it << '\n' } }
        Socket s = null

        when:
        s = connectWithin(60, local)
        s.soTimeout = 60_000
        int first = s.inputStream.read()

        then:
        first == -1
        new PollingConditions(timeout: 60).eventually { assert log.toString().contains('open failed') }
        Outcomes.note('ssh -L local forwarding (used)', log.readLines().find { it.contains('open failed') })

        cleanup:
        s?.close()
        p?.destroy()
        p?.waitFor()
    }

    def "OpenSSH: env (SetEnv) and agent forwarding (-A) asked with the subsystem are not granted; 9P still works"() {
        given: 'a Tversion frame on stdin'
        ByteBuffer v = Codec.encode(new Message.Tversion(Message.NOTAG, 8192, '9P2000'))
        byte[] frame = new byte[v.remaining()]
        v.get(frame)

        when:
        def r = OpenSsh.run(ssh() + ['-v', '-A', '-o', 'SetEnv=LD_PRELOAD=/tmp/evil.so',
                                     '-s', '127.0.0.1', 'xcpu@gproc'], frame)
        def d = Codec.decode(ByteBuffer.wrap(r.out).order(ByteOrder.LITTLE_ENDIAN), 8192)
        Outcomes.note('ssh SetEnv/-A with the subsystem',
                "9P still answers ${d.class.simpleName}; ssh -v: ${r.err.readLines().findAll { it =~ /(?i)env|agent|x11/ }.take(4).join('; ')}")

        then: 'the subsystem answers (the env and agent requests themselves are refused: see the channel request cases)'
        d instanceof Message.Rversion
    }

    def "SSHD client: channel request '#type' is refused by the daemon"() {
        given:
        def s = login()
        def ch = new ServerRefusalSpec.ProbeChannel()
        s.getService(ConnectionService).registerChannel(ch)
        ch.open().verify(WAIT)

        when:
        def ok = ch.request(type, payload)
        Outcomes.note("channel request ${type}", ok ? 'ACCEPTED' : 'SSH_MSG_CHANNEL_FAILURE')

        then:
        !ok

        cleanup:
        s?.close(true)

        where:
        type                         | payload
        'env'                        | { Buffer b -> b.putString('LD_PRELOAD'); b.putString('/tmp/x.so') }
        'x11-req'                    | { Buffer b -> b.putBoolean(false); b.putString('MIT-MAGIC-COOKIE-1'); b.putString('00' * 16); b.putUInt(0) }
        'auth-agent-req@openssh.com' | null
        'pty-req'                    | { Buffer b -> b.putString('xterm'); 4.times { b.putUInt(80) }; b.putBytes(new byte[] {0}) }
        'exec'                       | { Buffer b -> b.putString('/bin/sh -c id') }
        'shell'                      | null
        'subsystem'                  | { Buffer b -> b.putString('sftp') }
        'subsystem'                  | { Buffer b -> b.putString('') }
    }

    def "SSHD client: global request '#type' is refused by the daemon"() {
        given:
        def s = login()
        Buffer packet = s.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST, 64)
        packet.putString(type)
        packet.putBoolean(true)

        when:
        def reply = s.request(type, payload(packet), WAIT)
        Outcomes.note("global request ${type}", reply == null ? 'SSH_MSG_REQUEST_FAILURE' : 'ACCEPTED')

        then:
        reply == null

        cleanup:
        s?.close(true)

        where:
        type                              | payload
        'tcpip-forward'                   | { Buffer b -> b.putString('127.0.0.1'); b.putUInt(0); b }
        'streamlocal-forward@openssh.com' | { Buffer b -> b.putString('/tmp/gproc-attack.sock'); b }
    }

    def "SSHD client: a channel open before authentication gets no channel, and the connection is dropped"() {
        given: 'key exchange done, no authentication'
        ClientSession s = client.connect('alice', '127.0.0.1', f.daemon.port()).verify(WAIT).session
        s.waitFor([ClientSession.ClientSessionEvent.WAIT_AUTH], WAIT)

        when: 'SSH_MSG_CHANNEL_OPEN "session" is sent straight away'
        Buffer open = s.createBuffer(SshConstants.SSH_MSG_CHANNEL_OPEN, 64)
        open.putString('session')
        open.putUInt(0)
        open.putUInt(1 << 20)
        open.putUInt(32768)
        s.writePacket(open)
        def events = s.waitFor([ClientSession.ClientSessionEvent.CLOSED], WAIT)
        Outcomes.note('channel open before userauth', "connection ${events.contains(ClientSession.ClientSessionEvent.CLOSED) ? 'closed by the daemon' : 'left open'}; authenticated=${s.authenticated}")

        then:
        events.contains(ClientSession.ClientSessionEvent.CLOSED)
        !s.authenticated
    }

    def "SSHD client: a service request for ssh-connection before authentication drops the connection"() {
        given:
        ClientSession s = client.connect('alice', '127.0.0.1', f.daemon.port()).verify(WAIT).session
        s.waitFor([ClientSession.ClientSessionEvent.WAIT_AUTH], WAIT)

        when:
        Buffer req = s.createBuffer(SshConstants.SSH_MSG_SERVICE_REQUEST, 32)
        req.putString('ssh-connection')
        s.writePacket(req)
        def events = s.waitFor([ClientSession.ClientSessionEvent.CLOSED], WAIT)
        Outcomes.note('service request ssh-connection before userauth', events.contains(ClientSession.ClientSessionEvent.CLOSED) ? 'connection closed by the daemon' : 'left open')

        then:
        events.contains(ClientSession.ClientSessionEvent.CLOSED)
        !s.authenticated
    }

    def "the daemon still serves alice after the attacks"() {
        expect:
        NinePFiles.text(NinePFiles.readFile(f.connect('alice@lab'), 'arch')) ==~ /[a-z0-9_]+/
    }

    static Socket connectWithin(int seconds, int port) {
        long deadline = System.currentTimeMillis() + seconds * 1000L
        while (true) {
            try {
                return new Socket('127.0.0.1', port)
            } catch (IOException notYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw notYet
                }
                Thread.sleep(200) // polling for ssh to open its forward
            }
        }
    }

    ClientSession login() {
        ClientSession s = client.connect('alice', '127.0.0.1', f.daemon.port()).verify(WAIT).session
        s.addPublicKeyIdentity(f.keys['alice@lab'])
        s.auth().verify(WAIT)
        s
    }
}
