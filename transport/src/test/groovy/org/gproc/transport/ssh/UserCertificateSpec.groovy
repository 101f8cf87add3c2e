package org.gproc.transport.ssh

import org.gproc.transport.cert.CertificateAuthority
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.time.Duration

/**
 * The client logs in with a user certificate: IDENTITY-cert.pub beside the key (as OpenSSH) or an explicit file.
 * The peer is OpenSSH's own sshd trusting our CA (TrustedUserCAKeys) with no authorized_keys at all, so only a
 * certificate it accepts gets in.
 */
@Timeout(300)
@IgnoreIf({ !Sshd.available() })
class UserCertificateSpec extends Specification {

    @Shared @TempDir Path dir
    @Shared CertificateAuthority ca
    @Shared Sshd sshd
    @Shared Path knownHosts
    @Shared String user = System.getProperty('user.name')
    @Shared int serials = 1

    def setupSpec() {
        ca = CertificateAuthority.init(dir.resolve('ca'))
        sshd = Sshd.start(dir, ['AuthorizedKeysFile none', "TrustedUserCAKeys ${ca.keyFile()}.pub".toString()])
        knownHosts = sshd.knownHosts()
    }

    def cleanupSpec() {
        sshd?.close()
    }

    /** A fresh key in its own directory; with {@code principals}, our CA's certificate beside it (KEY-cert.pub). */
    Path key(String name, List<String> principals = null, Duration validity = Duration.ofHours(1)) {
        Path d = Files.createDirectories(dir.resolve(name))
        Path key = OpenSsh.keygen(d, 'id_ed25519', "${name}@lab")
        if (principals) {
            ca.signUserKeyFile(Path.of("${key}.pub"), principals, validity, serials++, name)
        }
        key
    }

    SshConnector.Builder builder(Path identity) {
        SshConnector.builder().identity(identity).knownHosts(knownHosts).username(user)
    }

    void opens(SshConnector.Builder b) {
        try (SshConnector c = b.build()) {
            c.open('127.0.0.1', sshd.port).close()
        }
    }

    IOException refusedBy(SshConnector.Builder b) {
        try (SshConnector c = b.build()) {
            c.open('127.0.0.1', sshd.port).close()
        } catch (HostKeyException e) {
            throw new AssertionError('expected a login refusal, got a host key refusal', e)
        } catch (IOException e) {
            return e
        }
        throw new AssertionError('the login was not refused')
    }

    def "KEY-cert.pub beside the identity is presented, and OpenSSH's sshd lets us in on its principal"() {
        given:
        Path id = key('auto', [user])

        when:
        SshConnector c = builder(id).build()

        then:
        c.certificate().get().id == 'auto'

        when:
        c.open('127.0.0.1', sshd.port).close()

        then:
        notThrown(IOException)
        sshd.log().contains("ID auto (serial ${serials - 1})")

        cleanup:
        c?.close()
    }

    def "without a certificate the same sshd refuses the plain key, naming our key"() {
        given:
        Path id = key('plain')

        when:
        IOException e = refusedBy(builder(id))

        then:
        e.message.contains("127.0.0.1 port ${sshd.port}: the node refused our key ${OpenSsh.fingerprint(id)}")
        !e.message.contains('certificate')
    }

    def "an explicit certificate(path) is presented from anywhere"() {
        given:
        Path id = key('explicit', [user])
        Path moved = dir.resolve('elsewhere-cert.pub')
        Files.move(dir.resolve('explicit/id_ed25519-cert.pub'), moved)

        expect:
        refusedBy(builder(id))
        opens(builder(id).certificate(moved))
    }

    def "noCertificate() leaves KEY-cert.pub unused"() {
        given:
        Path id = key('none', [user])

        expect:
        refusedBy(builder(id).noCertificate()).message.contains('the node refused our key')
    }

    def "a certificate for another principal is refused by the node, and the error names the certificate"() {
        given:
        Path id = key('other-principal', ['someone-else'])

        when:
        IOException e = refusedBy(builder(id))

        then:
        e.message.contains("the node refused our key ${OpenSsh.fingerprint(id)} and our user certificate "
                + "'other-principal' (serial ")
    }

    def "a certificate that does not certify the identity's key is an error naming both files"() {
        given:
        Path id = key('mine')
        Path other = key('theirs', [user])
        Path cert = dir.resolve('theirs/id_ed25519-cert.pub')

        when:
        builder(id).certificate(cert).build()

        then:
        IOException e = thrown()
        e.message.startsWith("certificate ${cert} (certificate 'theirs' (serial ")
        e.message.contains("certifies key ${OpenSsh.fingerprint(other)}, not identity ${id} (${OpenSsh.fingerprint(id)})")

        when: 'the same certificate found beside the identity is just as wrong'
        Files.copy(cert, dir.resolve('mine/id_ed25519-cert.pub'))
        builder(id).build()

        then:
        IOException e2 = thrown()
        e2.message.contains("not identity ${id}")
    }

    def "a host certificate is not a login: #how"() {
        given:
        Path id = key("host-cert-${how.size()}")
        Path cert = ca.signHostKeyFile(Path.of("${id}.pub"), ['n17'], Duration.ofHours(1), 9, 'n17-host')
        if (how == 'explicit') {
            Files.move(cert, dir.resolve('n17-cert.pub'), StandardCopyOption.REPLACE_EXISTING)
            cert = dir.resolve('n17-cert.pub')
        }

        when:
        (how == 'explicit' ? builder(id).certificate(cert) : builder(id)).build()

        then:
        IOException e = thrown()
        e.message.contains("certificate ${cert}")
        e.message.contains('is a host certificate')

        where:
        how << ['explicit', 'beside the key']
    }

    def "an expired certificate given explicitly is an error; found beside the key it is skipped for the plain key"() {
        given:
        Path id = key('expired')
        Path cert = Path.of("${id}-cert.pub")
        def r = OpenSsh.run(['ssh-keygen', '-q', '-s', ca.keyFile().toString(), '-I', 'expired', '-n', user,
                             '-V', '20200101:20200102', "${id}.pub".toString()])
        assert r.exit == 0: r

        when:
        builder(id).certificate(cert).build()

        then:
        IOException e = thrown()
        e.message.contains("certificate ${cert}")
        e.message.contains('is not valid now (valid from 2020-01-0')
        e.message.contains('renew it with gproc keys sign-user')

        when:
        SshConnector c = builder(id).build()

        then:
        c.certificate().isEmpty()

        cleanup:
        c?.close()
    }

    def "CA trust both ways with OpenSSH's sshd: its ssh-keygen host certificate through @cert-authority, our user certificate"() {
        given: 'a second sshd presenting a host certificate for 127.0.0.1 only; known_hosts holds just the CA line'
        Path hostDir = Files.createDirectories(dir.resolve('certified-host'))
        OpenSsh.keygen(hostDir, 'sshd_host_key', 'sshd host key')
        def r = OpenSsh.run(['ssh-keygen', '-q', '-s', ca.keyFile().toString(), '-h', '-I', 'sshd-host', '-z', '77',
                             '-n', '127.0.0.1', '-V', '-5m:+1h', hostDir.resolve('sshd_host_key.pub').toString()])
        assert r.exit == 0: r
        Sshd certified = Sshd.start(hostDir, ['AuthorizedKeysFile none',
                "TrustedUserCAKeys ${ca.keyFile()}.pub".toString(),
                "HostCertificate ${hostDir.resolve('sshd_host_key-cert.pub')}".toString()])
        Path caOnly = hostDir.resolve('known_hosts')
        Files.writeString(caOnly, "@cert-authority * ${ca.publicKeyLine()}\n")
        Path id = key('both-ways', [user])

        when:
        SshConnector c = SshConnector.builder().identity(id).knownHosts(caOnly).username(user).build()
        c.open('127.0.0.1', certified.port).close()

        then:
        notThrown(IOException)

        when: 'the same node reached under a name its certificate does not hold'
        c.open('localhost', certified.port)

        then:
        HostKeyException e = thrown()
        e.certificateRule().get().name() == 'PRINCIPALS'
        e.message.contains("'sshd-host' (serial 77)")
        new PollingConditions(timeout: 30).eventually {
            assert certified.log() =~ /Connection closed by 127\.0\.0\.1 port \d+ \[preauth\]/
        }
        certified.log().count('Accepted publickey') == 1   // only the first connection ever authenticated

        cleanup:
        c?.close()
        certified?.close()
    }

    def "a certificate file that is not a certificate is an error naming the file"() {
        given:
        Path id = key('garbage')
        Path bad = dir.resolve('garbage/id_ed25519-cert.pub')
        Files.copy(Path.of("${id}.pub"), bad)

        when:
        builder(id).build()

        then:
        IOException e = thrown()
        e.message.contains("certificate ${bad}")
        e.message.contains('not a certificate')
    }
}
