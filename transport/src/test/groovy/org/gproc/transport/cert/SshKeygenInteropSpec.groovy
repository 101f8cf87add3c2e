package org.gproc.transport.cert

import org.gproc.transport.cert.CertificateRefusedException.Rule
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.OpenSsh
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.time.Clock
import java.time.Duration

/** Both directions against the real ssh-keygen: what we sign it reads, what it signs we check. */
@Timeout(180)
class SshKeygenInteropSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared Path caKey
    @Shared CertificateAuthority ca
    @Shared CertificateChecks checks

    def setupSpec() {
        ca = CertificateAuthority.init(dir.resolve('ca'))
        caKey = ca.keyFile()
        checks = CertificateChecks.trusting(Certificates.readCaKeys(Path.of("${caKey}.pub")), RevocationList.none(),
                Clock.systemUTC())
    }

    static OpenSsh.Result keygen(List<String> args) {
        OpenSsh.run(['ssh-keygen'] + args)
    }

    /** ssh-keygen -s CA ...: signs a fresh user key and returns the certificate ssh-keygen wrote. */
    Path sshKeygenSign(String name, List<String> options, Path signingKey = caKey) {
        Path key = OpenSsh.keygen(dir, name, "${name}@laptop")
        def r = keygen(['-q', '-s', signingKey.toString()] + options + ["${key}.pub".toString()])
        assert r.exit == 0: "ssh-keygen -s failed: $r"
        dir.resolve("${name}-cert.pub")
    }

    def "ssh-keygen -L reads a user certificate we signed, field by field"() {
        given:
        Path key = OpenSsh.keygen(dir, 'alice', 'alice@laptop')
        Path cert = ca.signUserKeyFile(Path.of("${key}.pub"), ['alice@lab', 'alice'], Duration.ofHours(8), 7, 'alice-laptop')

        when:
        def r = keygen(['-L', '-f', cert.toString()])

        then:
        r.exit == 0
        String out = r.text
        out.contains('Type: ssh-ed25519-cert-v01@openssh.com user certificate')
        out.contains("Public key: ED25519-CERT ${OpenSsh.fingerprint(Path.of("${key}.pub"))}")
        out.contains("Signing CA: ED25519 ${Keys.fingerprint(ca.publicKey())} (using ssh-ed25519)")
        out.contains('Key ID: "alice-laptop"')
        out.contains('Serial: 7')
        out =~ /Valid: from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d to \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/
        out =~ /Principals: \n\s+alice@lab\n\s+alice\n/
        out =~ /Critical Options: \(none\)/
        out =~ /Extensions: \(none\)/
    }

    def "ssh-keygen -L reads a host certificate we signed"() {
        given:
        Path key = OpenSsh.keygen(dir, 'n17_host', '')
        Path cert = ca.signHostKeyFile(Path.of("${key}.pub"), ['n17', 'n17.site-b.example'], Duration.ofDays(90), 17, 'n17')

        when:
        def r = keygen(['-L', '-f', cert.toString()])

        then:
        r.exit == 0
        r.text.contains('Type: ssh-ed25519-cert-v01@openssh.com host certificate')
        r.text =~ /Principals: \n\s+n17\n\s+n17.site-b.example\n/
        r.text.contains('Serial: 17')
    }

    def "ssh-keygen -L refuses a certificate file we wrote and someone then altered (bad-input twin)"() {
        given:
        Path key = OpenSsh.keygen(dir, 'mallory', '')
        Path cert = ca.signUserKeyFile(Path.of("${key}.pub"), ['mallory'], Duration.ofHours(1), 1, 'm')
        String line = Files.readString(cert)
        Files.writeString(cert, line.substring(0, 60) + line.substring(70))

        expect:
        keygen(['-L', '-f', cert.toString()]).exit != 0

        when:
        Certificates.read(cert)

        then:
        IOException e = thrown()
        e.message.startsWith("certificate ${cert}: ")
    }

    def "a user certificate made by ssh-keygen -s with our CA key is accepted, for its principal"() {
        given:
        Path cert = sshKeygenSign('u1', ['-I', 'id', '-n', 'alice@lab', '-V', '+1h'])

        expect:
        checks.checkUser(Certificates.read(cert), Optional.empty()) == 'alice@lab'
        checks.checkUser(Certificates.read(cert), Optional.of('alice@lab')) == 'alice@lab'
    }

    def "ssh-keygen certificates are refused for #what"() {
        given:
        Path cert = sshKeygenSign(name, options, signer(dir))

        when:
        checks.checkUser(Certificates.read(cert), Optional.empty())

        then:
        CertificateRefusedException e = thrown()
        e.rule() == rule
        e.message.startsWith("certificate '${name}-id' (serial 42) ")
        e.message.contains(message)

        where:
        what                              | name  | options                                                                   | signer                                          || rule                  | message
        'a host certificate (-h)'         | 'h1'  | ['-h', '-I', 'h1-id', '-z', '42', '-n', 'n17', '-V', '+1h']               | { caKey }                                       || Rule.CERTIFICATE_TYPE | 'is a host certificate, not a user certificate'
        'an expired window'               | 'e1'  | ['-I', 'e1-id', '-z', '42', '-n', 'alice@lab', '-V', '20200101:20200102'] | { caKey }                                       || Rule.EXPIRED          | 'expired at 2020-01-0'
        'a window in the future'          | 'f1'  | ['-I', 'f1-id', '-z', '42', '-n', 'alice@lab', '-V', '+1d:+2d']           | { caKey }                                       || Rule.NOT_YET_VALID   | 'is not valid before'
        'force-command'                   | 'c1'  | ['-I', 'c1-id', '-z', '42', '-n', 'alice@lab', '-V', '+1h', '-O', 'force-command=/bin/sh'] | { caKey }                      || Rule.CRITICAL_OPTION | "critical option 'force-command'"
        'verify-required'                 | 'v1'  | ['-I', 'v1-id', '-z', '42', '-n', 'alice@lab', '-V', '+1h', '-O', 'verify-required'] | { caKey }                            || Rule.CRITICAL_OPTION | "critical option 'verify-required'"
        'source-address'                  | 's1'  | ['-I', 's1-id', '-z', '42', '-n', 'alice@lab', '-V', '+1h', '-O', 'source-address=10.0.0.0/8'] | { caKey }                  || Rule.CRITICAL_OPTION | "critical option 'source-address'"
        'no principals (valid for anyone)'| 'a1'  | ['-I', 'a1-id', '-z', '42', '-V', '+1h']                                  | { caKey }                                       || Rule.PRINCIPALS       | 'has no principals'
        'another CA'                      | 'o1'  | ['-I', 'o1-id', '-z', '42', '-n', 'alice@lab', '-V', '+1h']               | { Path d -> OpenSsh.keygen(d, 'rogue_ca', 'rogue') } || Rule.UNTRUSTED_CA || 'which is not a trusted CA'
    }

    def "an ssh-keygen certificate whose principal was altered fails signature verification"() {
        given:
        Path cert = sshKeygenSign('t1', ['-I', 't1-id', '-z', '42', '-n', 'alice@lab', '-V', '+1h'])
        def tampered = CertificateChecksSpec.tamper(Certificates.read(cert), 'alice@lab', 'admin@lab')

        when:
        checks.checkUser(tampered, Optional.empty())

        then:
        CertificateRefusedException e = thrown()
        e.rule() == Rule.SIGNATURE
        e.message.startsWith("certificate 't1-id' (serial 42) has a signature that does not verify")
    }

    def "the revocation file is a valid ssh-keygen KRL spec, and ssh-keygen agrees on what it revokes"() {
        given:
        Path good = sshKeygenSign('k1', ['-I', 'fine', '-z', '5', '-n', 'alice@lab', '-V', '+1h'])
        Path bad = sshKeygenSign('k2', ['-I', 'k2-id', '-z', '42', '-n', 'alice@lab', '-V', '+1h'])
        Path spec = dir.resolve('revoked')
        Files.writeString(spec, "# stolen laptop\nserial: 40-49\nid: lost-phone\n")
        Path krl = dir.resolve('revoked.krl')

        when:
        def compiled = keygen(['-k', '-f', krl.toString(), '-s', "${caKey}.pub".toString(), spec.toString()])

        then:
        compiled.exit == 0

        and: 'ssh-keygen -Q and our list give the same verdicts'
        keygen(['-Q', '-f', krl.toString(), good.toString()]).exit == 0
        keygen(['-Q', '-f', krl.toString(), bad.toString()]).exit != 0
        RevocationList.load(spec).revocation(Certificates.read(good)) == null
        RevocationList.load(spec).revocation(Certificates.read(bad)).contains('serial 42 is revoked')
    }
}
