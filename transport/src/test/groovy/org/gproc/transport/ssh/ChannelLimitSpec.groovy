package org.gproc.transport.ssh

import org.gproc.transport.ninep.Message
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * One channel too many on a connection is refused on its own; the connection and its open channel carry on. Real
 * OpenSSH, multiplexing two subsystem channels over one connection (ControlMaster).
 */
@Timeout(120)
class ChannelLimitSpec extends Specification {
    @TempDir Path dir
    SshNodeServer server
    Process master
    Process first

    List<String> base(Path key, Path knownHosts, int port, Path control) {
        OpenSsh.sshBase(key, knownHosts, port) + ['-o', "ControlPath=${control}".toString()]
    }

    def cleanup() {
        first?.destroyForcibly()
        master?.destroyForcibly()
        server?.close()
    }

    def "with #limit channel(s) per connection a second subsystem channel is #outcome and the first keeps working"() {
        given:
        Path alice = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        Path hostKey = OpenSsh.keygen(dir, 'host_key', 'node')
        Path authorized = dir.resolve('authorized_keys')
        Files.copy(Path.of("${alice}.pub"), authorized)
        server = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(hostKey).authorizedKeys(authorized)
                .handler(new EchoNineP()).maxChannelsPerConnection(limit).build().start()
        Path knownHosts = OpenSsh.knownHostsFor(dir, server.port(), server.hostKey())
        Path control = dir.resolve('ctl.sock')
        master = new ProcessBuilder(base(alice, knownHosts, server.port(), control)
                + ['-o', 'ControlMaster=yes', '-N', '127.0.0.1']).redirectErrorStream(true).start()
        new PollingConditions(timeout: 30, delay: 0.1).eventually { assert Files.exists(control) }
        first = new ProcessBuilder(base(alice, knownHosts, server.port(), control)
                + ['-o', 'ControlMaster=no', '-s', '127.0.0.1', 'xcpu@gproc']).start()
        first.outputStream.write(EchoNineP.bytes(new Message.Tversion(0xFFFF, 65536, '9P2000')))
        first.outputStream.flush()
        byte[] reply = new byte[64]
        int got = first.inputStream.read(reply)

        when:
        def second = OpenSsh.run(base(alice, knownHosts, server.port(), control)
                + ['-o', 'ControlMaster=no', '-s', '127.0.0.1', 'xcpu@gproc'],
                EchoNineP.bytes(new Message.Tversion(0xFFFF, 65536, '9P2000')))
        first.outputStream.write(EchoNineP.bytes(new Message.Twrite(7, 1, 0, new byte[5])))
        first.outputStream.close()
        def firstReplies = EchoNineP.decodeAll(first.inputStream.readAllBytes())

        then:
        got > 0
        // refused over the shared connection (OpenSSH then falls back to a connection of its own, which is served)
        second.err.contains('Session open refused by peer') == (outcome == 'refused')
        firstReplies == [new Message.Rwrite(7, 5)]
        first.waitFor(30, TimeUnit.SECONDS)
        master.alive

        where:
        limit | outcome
        1     | 'refused'
        2     | 'served'
    }
}
