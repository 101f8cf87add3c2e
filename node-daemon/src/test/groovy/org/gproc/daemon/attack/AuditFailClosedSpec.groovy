package org.gproc.daemon.attack

import groovy.json.JsonSlurper
import org.gproc.daemon.DaemonFixture
import org.gproc.daemon.GprocDaemon
import org.gproc.daemon.NinePFiles
import org.gproc.daemon.audit.AuditLog
import org.gproc.daemon.policy.UnixUser
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.NinePException
import org.apache.sshd.client.session.ClientSession
import org.apache.sshd.common.SshConstants
import org.apache.sshd.common.channel.exception.SshChannelOpenException
import org.apache.sshd.common.util.net.SshdSocketAddress
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.ByteBuffer
import java.nio.channels.FileChannel
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption
import java.time.Instant

/**
 * The audit log on a full disk (a 1 MiB tmpfs of our own), for what the log records besides logins and clones: a
 * gateway jump and a relay's {@code /n/ctl} line are refused (fail closed; the relay's error names the log) and pass
 * once there is room; a process that exits meanwhile cannot be refused, so its exit line is kept and written late
 * with its own time, and what did not fit is counted in an {@code audit-lost} line. One daemon (relay and gateway to
 * a second, plain one) for every feature.
 */
@Timeout(300)
@IgnoreIf({ UnixUser.effectiveUid() != 0 || !new File('/bin/mount').exists() })
class AuditFailClosedSpec extends Specification {
    @Shared Path mount = Files.createTempDirectory('gprocd-failclosed-tmpfs')
    @Shared Path log = mount.resolve('audit.jsonl')
    @Shared Path filler = mount.resolve('filler')
    @Shared Path work = Files.createTempDirectory('gprocd-failclosed')
    @Shared GprocDaemon target
    @Shared DaemonFixture f
    @Shared RawSsh raw
    @Shared ClientSession gatewaySession
    AuditLog own
    PollingConditions conditions = new PollingConditions(timeout: 60, delay: 0.05)

    def setupSpec() {
        def r = new ProcessBuilder('mount', '-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mount.toString())
                .redirectErrorStream(true).start()
        assert r.waitFor() == 0: "mount tmpfs: ${r.inputStream.text}"
        Path keys = work.resolve('authorized_keys')
        Files.writeString(keys, '')
        target = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(work.resolve('target_key'))
                .authorizedKeys(keys).stateDir(work.resolve('target')).start()
        Path site = work.resolve('site.groovy')
        Files.writeString(site, "nodes { b1 { host = '127.0.0.1'; port = ${target.port()} } }\n")
        f = new DaemonFixture({ it.auditLog(log).relay(true).gatewayFor(site) })
        // logged in while the log has room: a full disk refuses new logins, and the jump is judged on its own
        raw = new RawSsh(f.daemon.hostKey())
        gatewaySession = raw.connect('alice', f.daemon.port())
        gatewaySession.addPublicKeyIdentity(f.keys['alice@lab'])
        gatewaySession.auth().verify(RawSsh.WAIT)
    }

    def cleanupSpec() {
        gatewaySession?.close()
        raw?.close()
        f?.close()
        target?.close()
        new ProcessBuilder('umount', mount.toString()).start().waitFor()
        Files.deleteIfExists(mount)
        work.toFile().deleteDir()
    }

    def cleanup() {
        Files.deleteIfExists(filler)
        waitWritable()
    }

    List<Map> lines() {
        Files.readAllLines(log).collect { new JsonSlurper().parseText(it) as Map }
    }

    /**
     * Fills the file system, then has the log fail a write: until then the page its last line is in may still
     * take a line or two, so {@code alice} (connected before) is refused clones, whose refusal lines fill it.
     */
    void fillDisk(def alice) {
        try (FileChannel c = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer page = ByteBuffer.allocate(4096)
            while (true) {
                page.clear()
                try {
                    c.write(page)
                } catch (IOException full) {
                    break
                }
            }
        }
        long deadline = System.nanoTime() + 60_000_000_000L
        while (!f.daemon.audit().unwritable()?.contains('No space left')) {
            assert System.nanoTime() < deadline: "the log never failed a write: ${f.daemon.audit().unwritable()}"
            try {
                NinePFiles.clone(alice)
            } catch (NinePException refused) {
                Thread.sleep(20)
            }
        }
    }

    void waitWritable() {
        conditions.eventually {
            assert f.daemon.audit().unwritable() == null && f.daemon.audit().backlogged() == 0
        }
    }

    /**
     * A direct-tcpip channel through the daemon to the target node; null when it opens, else the reason code of the
     * refusal (SSHD's server sends the code and a generic text, never the reason: that is in the logs).
     */
    Integer jump() {
        def channel = gatewaySession.createDirectTcpipChannel(new SshdSocketAddress('localhost', 0),
                new SshdSocketAddress('127.0.0.1', target.port()))
        try {
            channel.open().verify(RawSsh.WAIT)
            return null
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.cause) {
                if (t instanceof SshChannelOpenException) {
                    return t.reasonCode
                }
            }
            throw e
        } finally {
            channel.close(true)
        }
    }

    def "a gateway jump passes with room in the log, is refused while the disk is full, and passes again after"() {
        given:
        def alice = f.connect('alice@lab')

        when: 'the log has room: the channel to the target opens'
        Integer withRoom = jump()

        then:
        withRoom == null
        conditions.eventually {
            assert lines().any { it.event == 'jump' && it.principal == 'alice@lab' && it.outcome == 'accepted' }
        }

        when:
        fillDisk(alice)
        Integer refusal = jump()
        Files.delete(filler)
        waitWritable()

        then: 'refused, and the refusal the log could not take is counted once it can'
        refusal == SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED
        conditions.eventually { assert lines().any { it.event == 'audit-lost' && it.refusals >= 1 } }
        jump() == null
    }

    def "a relay-child line passes the log's gate with room, and is refused, naming the log, while the disk is full"() {
        given:
        def alice = f.connect('alice@lab')
        String line = 'child c1 127.0.0.1 99999 ssh-ed25519 AAAA\n'

        when: 'with room the line is judged on its own merits'
        NinePFiles.writeFile(alice, 'n/ctl', line)

        then:
        NinePException judged = thrown()
        judged.message.contains("port '99999' is not 1..65535")

        when:
        fillDisk(alice)
        NinePFiles.writeFile(alice, 'n/ctl', line)

        then:
        NinePException refused = thrown()
        refused.message.contains("/n/ctl refused: the audit log ${log} cannot be written")
    }

    def "a process that exits while the disk is full gets its exit line late, with its own time, after what came before"() {
        given: 'a process that ends when the spec says so'
        def alice = f.connect('alice@lab')
        Path go = work.resolve('go')
        Files.deleteIfExists(go)
        def (Fid ctl, int n) = NinePFiles.clone(alice)
        NinePFiles.writeFile(alice, "$n/argv", "sh -c 'while [ ! -e $go ]; do sleep 0.05; done'")
        alice.write(ctl, 0, "exec /bin/sh\nclose stdin\n".bytes)
        conditions.eventually { assert lines().any { it.event == 'exec' && it.session == n } }

        when: 'it exits while nothing can be written'
        fillDisk(alice)
        Instant exited = Instant.now()
        Files.createFile(go)
        String status = NinePFiles.text(NinePFiles.readFile(alice, "$n/wait"))
        conditions.eventually { assert f.daemon.audit().backlogged() >= 1 }
        boolean inFileWhileFull = lines().any { it.event == 'exit' && it.session == n }
        Instant freed = Instant.now()
        Files.delete(filler)

        then: 'once there is room it is written, stamped when it happened, and nothing was lost'
        status == 'exit 0'
        !inFileWhileFull
        conditions.eventually {
            def exit = lines().find { it.event == 'exit' && it.session == n }
            assert exit != null
            assert Instant.parse(exit.time) >= exited.minusMillis(1) && Instant.parse(exit.time) < freed
        }
        lines().findIndexOf { it.event == 'exec' && it.session == n } <
                lines().findIndexOf { it.event == 'exit' && it.session == n }
    }

    def "what does not fit the backlog, and refusals made while the disk was full, are counted in an audit-lost line"() {
        given: 'a second log on the same full disk, given more lines than its backlog keeps'
        Path second = mount.resolve('second.jsonl')
        own = AuditLog.open(second)
        def alice = f.connect('alice@lab')
        fillDisk(alice)

        when:
        (AuditLog.BACKLOG_LINES + 3).times { own.event('exit').field('session', it).log() }
        own.event('clone').refused('clone refused: the audit log cannot be written').ifWritable().log()
        String refusal = null
        try {
            NinePFiles.clone(alice)
        } catch (NinePException e) {
            refusal = e.message
        }
        conditions.eventually { assert own.backlogged() == AuditLog.BACKLOG_LINES && own.lost() == 4 }
        Files.delete(filler)
        own.close()
        waitWritable()
        def mine = Files.readAllLines(second).collect { new JsonSlurper().parseText(it) as Map }

        then: 'the kept lines in order, then one count of the rest'
        refusal.contains('clone refused: the audit log')
        mine.size() == AuditLog.BACKLOG_LINES + 1
        mine.take(AuditLog.BACKLOG_LINES)*.session == (0..<AuditLog.BACKLOG_LINES).toList()
        mine.last().event == 'audit-lost' && mine.last().lines == 3 && mine.last().refusals == 1
        mine.last().reason.contains('did not fit the backlog')

        and: "the daemon's own log counts alice's refused clone the same way"
        conditions.eventually {
            assert lines().any { it.event == 'audit-lost' && it.refusals >= 1 }
        }

        cleanup:
        own?.close()
        Files.deleteIfExists(second)
    }
}
