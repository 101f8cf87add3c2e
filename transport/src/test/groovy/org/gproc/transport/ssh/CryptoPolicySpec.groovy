package org.gproc.transport.ssh

import org.apache.sshd.common.kex.KexProposalOption
import org.gproc.transport.ninep.Message
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** The algorithms actually negotiated, and what a peer gets when it offers only what we do not. */
@Timeout(300)
class CryptoPolicySpec extends Specification {

    @Shared @TempDir Path dir
    @Shared Path aliceKey, knownHosts
    @Shared EchoNineP echo = new EchoNineP()
    @Shared SshNodeServer server
    @Shared int port
    @Shared byte[] tversion = EchoNineP.bytes(new Message.Tversion(1, 8192, '9P2000'))

    def setupSpec() {
        aliceKey = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        Path rsaKey = OpenSsh.keygen(dir, 'rsa', 'rsa@lab', 'rsa')
        Path authorizedKeys = dir.resolve('authorized_keys')
        Files.writeString(authorizedKeys, Files.readString(Path.of("${aliceKey}.pub")) + Files.readString(Path.of("${rsaKey}.pub")))
        server = SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('host_key'))
                .authorizedKeys(authorizedKeys).handler(echo).build().start()
        port = server.port()
        knownHosts = OpenSsh.knownHostsFor(dir, port, server.hostKey())
    }

    def cleanupSpec() {
        server?.close()
    }

    def "our client and server agree on ML-KEM-768+X25519, AES-128-GCM, Ed25519 and no compression"() {
        given:
        def connector = SshConnector.builder().identity(aliceKey).knownHosts(knownHosts).build()

        when:
        def s = connector.open('127.0.0.1', port).session()

        then:
        s.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS) == 'mlkem768x25519-sha256'
        s.getNegotiatedKexParameter(KexProposalOption.SERVERKEYS) == 'ssh-ed25519'
        s.getNegotiatedKexParameter(KexProposalOption.C2SENC) == 'aes128-gcm@openssh.com'
        s.getNegotiatedKexParameter(KexProposalOption.S2CENC) == 'aes128-gcm@openssh.com'
        s.getNegotiatedKexParameter(KexProposalOption.C2SCOMP) == 'none'
        s.getNegotiatedKexParameter(KexProposalOption.S2CCOMP) == 'none'

        cleanup:
        connector?.close()
    }

    def "the server offers exactly the pinned lists"() {
        expect:
        server.sshd().keyExchangeFactories*.name == ['mlkem768x25519-sha256', 'curve25519-sha256', 'curve25519-sha256@libssh.org']
        server.sshd().cipherFactories*.name == ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com']
        server.sshd().signatureFactories*.name == ['ssh-ed25519', 'ssh-ed25519-cert-v01@openssh.com']
        server.sshd().compressionFactories*.name == ['none']
        server.sshd().userAuthFactories*.name == ['publickey']
    }

    def "OpenSSH connects with #option"() {
        when:
        def r = OpenSsh.run(OpenSsh.sshBase(aliceKey, knownHosts, port) + ['-v'] + option + ['-s', '127.0.0.1', 'xcpu@gproc'], tversion)

        then:
        r.exit == 0
        r.err.contains(expected)
        EchoNineP.decodeAll(r.out)*.class == [Message.Rversion]

        where:
        option                                                      | expected
        []                                                          | 'kex: algorithm: curve25519-sha256'
        ['-o', 'KexAlgorithms=curve25519-sha256@libssh.org']        | 'kex: algorithm: curve25519-sha256@libssh.org'
        ['-c', 'chacha20-poly1305@openssh.com']                     | 'cipher: chacha20-poly1305@openssh.com MAC: <implicit> compression: none'
        ['-c', 'aes256-gcm@openssh.com']                            | 'cipher: aes256-gcm@openssh.com MAC: <implicit> compression: none'
        ['-C']                                                      | 'compression: none'
    }

    def "OpenSSH offering only #what is refused: #expected"() {
        when:
        def r = OpenSsh.run(OpenSsh.sshBase(aliceKey, knownHosts, port) + option + ['-s', '127.0.0.1', 'xcpu@gproc'], tversion)

        then:
        r.exit == 255
        r.err.contains(expected)
        r.out.length == 0

        where:
        what                  | option                                                          | expected
        'sntrup761'           | ['-o', 'KexAlgorithms=sntrup761x25519-sha512@openssh.com']      | 'no matching key exchange method found'
        'ECDH on NIST curves' | ['-o', 'KexAlgorithms=ecdh-sha2-nistp256']                      | 'no matching key exchange method found'
        'Diffie-Hellman'      | ['-o', 'KexAlgorithms=diffie-hellman-group14-sha256']           | 'no matching key exchange method found'
        'AES-CTR'             | ['-c', 'aes128-ctr']                                            | 'no matching cipher found'
        'RSA host keys'       | ['-o', 'HostKeyAlgorithms=rsa-sha2-256']                        | 'no matching host key type found'
        'host certificates'   | ['-o', 'HostKeyAlgorithms=ssh-ed25519-cert-v01@openssh.com']    | 'no matching host key type found'
    }

    def "an RSA user key is refused even when authorized_keys lists it"() {
        when:
        def r = OpenSsh.run(OpenSsh.sshBase(dir.resolve('rsa'), knownHosts, port) + ['-s', '127.0.0.1', 'xcpu@gproc'], tversion)

        then:
        r.exit == 255
        r.err.contains('Permission denied (publickey)')
    }
}
