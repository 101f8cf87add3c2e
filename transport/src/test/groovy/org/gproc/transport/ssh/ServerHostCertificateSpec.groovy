package org.gproc.transport.ssh

import org.gproc.transport.ninep.Message
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path

/**
 * The node presents a host certificate made by ssh-keygen -h; the real OpenSSH client, trusting only the CA through
 * a known_hosts @cert-authority line and StrictHostKeyChecking=yes, accepts it for a name the CA signed and for no
 * other.
 */
@Timeout(300)
@Requires(value = { OpenSshPresent.tools() }, reason = 'the OpenSSH ssh and ssh-keygen binaries are not on PATH')
class ServerHostCertificateSpec extends Specification {

    @Shared @TempDir Path dir
    @Shared Path ca, aliceKey, authorizedKeys
    @Shared EchoNineP echo = new EchoNineP()
    @Shared int serial = 1

    def setupSpec() {
        ca = OpenSsh.keygen(dir, 'host_ca', 'cluster-host-ca')
        aliceKey = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        authorizedKeys = dir.resolve('authorized_keys')
        Files.copy(Path.of("${aliceKey}.pub"), authorizedKeys)
    }

    /** A host key in its own directory, signed by ssh-keygen -s with {@code args}; returns the key (cert beside). */
    Path signedHostKey(List<String> args, Path by = ca) {
        Path d = Files.createDirectories(dir.resolve("host${serial}"))
        Path key = OpenSsh.keygen(d, 'host_key', 'node')
        def r = OpenSsh.run(['ssh-keygen', '-q', '-s', by.toString(), '-I', "node-${serial}".toString(),
                             '-z', "${serial++}".toString()] + args + ["${key}.pub".toString()])
        assert r.exit == 0: "ssh-keygen -s failed: $r"
        key
    }

    static Path certOf(Path key) {
        Path.of("${key}-cert.pub")
    }

    SshNodeServer serve(Path hostKey, Path cert) {
        SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(hostKey).hostCertificate(cert)
                .authorizedKeys(authorizedKeys).handler(echo).build().start()
    }

    Path caOnlyKnownHosts(int port, Path caKey = ca) {
        Path kh = dir.resolve("known_hosts_ca_${port}")
        Files.writeString(kh, "@cert-authority [127.0.0.1]:${port} ${Files.readString(Path.of("${caKey}.pub")).strip()}\n")
        kh
    }

    OpenSsh.Result tversion(Path knownHosts, int port) {
        OpenSsh.run(OpenSsh.sshBase(aliceKey, knownHosts, port) + ['-v', '-s', '127.0.0.1', 'xcpu@gproc'],
                EchoNineP.bytes(new Message.Tversion(0xFFFF, 8192, '9P2000')))
    }

    def "OpenSSH trusting only the CA connects to a node whose certificate names the address it dialled"() {
        given:
        Path hostKey = signedHostKey(['-h', '-n', '127.0.0.1,n1', '-V', '-5m:+1h'])
        SshNodeServer server = serve(hostKey, certOf(hostKey))

        when:
        def r = tversion(caOnlyKnownHosts(server.port()), server.port())

        then:
        r.exit == 0
        r.err.contains('Server host certificate: ssh-ed25519-cert-v01@openssh.com')
        EchoNineP.decodeAll(r.out)*.class == [Message.Rversion]

        cleanup:
        server?.close()
    }

    def "OpenSSH refuses a node whose certificate is #what"() {
        given:
        Path hostKey = signedHostKey(args, signer == 'other' ? OpenSsh.keygen(dir, "other_ca_${serial}", 'x') : ca)
        SshNodeServer server = serve(hostKey, certOf(hostKey))

        when:
        def r = tversion(caOnlyKnownHosts(server.port()), server.port())

        then:
        r.exit == 255
        r.err.contains(expected)
        r.err.contains('Host key verification failed')
        r.out.length == 0

        cleanup:
        server?.close()

        where:
        what                            | args                                           | signer | expected
        'for another name'              | ['-h', '-n', 'n2,10.0.0.2', '-V', '-5m:+1h']   | 'ca'   | 'not a listed principal'
        'expired'                       | ['-h', '-n', '127.0.0.1', '-V', '20200101:20200102'] | 'ca' | 'expired'
        'signed by a CA it does not trust' | ['-h', '-n', '127.0.0.1', '-V', '-5m:+1h']  | 'other' | 'No matching CA found'
    }

    def "our SshConnector trusting only the CA connects to a node presenting a certificate for the address"() {
        given:
        Path hostKey = signedHostKey(['-h', '-n', '127.0.0.1', '-V', '-5m:+1h'])
        SshNodeServer server = serve(hostKey, certOf(hostKey))
        int before = echo.opened.size()

        when:
        SshConnector c = SshConnector.builder().identity(aliceKey).knownHosts(caOnlyKnownHosts(server.port()))
                .hostKeyPolicy(HostKeyPolicy.STRICT).build()
        c.open('127.0.0.1', server.port()).close()

        then: 'the subsystem was served to alice'
        new PollingConditions(timeout: 60).eventually {
            assert echo.opened.size() == before + 1
            assert echo.opened.last().principal() == 'alice@lab'
        }

        cleanup:
        c?.close()
        server?.close()
    }

    def "a node without a host certificate is not trusted by the CA line alone"() {
        given:
        SshNodeServer server = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate())
                .authorizedKeys(authorizedKeys).handler(echo).build().start()

        when:
        def r = tversion(caOnlyKnownHosts(server.port()), server.port())

        then:
        r.exit == 255
        r.err.contains('Host key verification failed')

        cleanup:
        server?.close()
    }

    def "start fails naming the file when the host certificate is #what"() {
        given:
        Path hostKey = signedHostKey(['-h', '-n', '127.0.0.1'])
        Path file
        switch (what) {
            case 'missing': file = dir.resolve('no-such-cert.pub'); break
            case 'garbage': file = dir.resolve('garbage-cert.pub'); Files.writeString(file, 'ssh-ed25519-cert-v01@openssh.com AAAA!!\n'); break
            case 'a plain public key': file = Path.of("${hostKey}.pub"); break
            case 'for another key': file = certOf(signedHostKey(['-h', '-n', '127.0.0.1'])); break
            case 'a user certificate': file = certOf(signedHostKey(['-n', 'alice'])); break
        }

        when:
        SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(hostKey).hostCertificate(file)
                .authorizedKeys(authorizedKeys).handler(echo).build().start()

        then:
        IOException e = thrown()
        e.message.contains(file.toString())
        e.message.contains(words)

        where:
        what                 | words
        'missing'            | 'no-such-cert.pub'
        'garbage'            | 'garbage-cert.pub'
        'a plain public key' | 'host_key.pub'
        'for another key'    | "not this server's host key"
        'a user certificate' | 'is a user certificate'
    }
}
