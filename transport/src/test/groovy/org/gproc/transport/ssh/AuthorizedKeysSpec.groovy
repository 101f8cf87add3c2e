package org.gproc.transport.ssh

import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.time.Instant

@Timeout(120)
class AuthorizedKeysSpec extends Specification {

    @TempDir
    Path dir

    @Shared KeyPair a = Keys.generate()
    @Shared KeyPair b = Keys.generate()
    @Shared InetAddress local = InetAddress.getByName('127.0.0.1')
    @Shared InetAddress lan = InetAddress.getByName('10.1.2.3')
    @Shared Instant now = Instant.parse('2030-06-01T12:00:00Z')

    AuthorizedKeys parse(String text) {
        AuthorizedKeys.parse(dir.resolve('authorized_keys'), text.readLines())
    }

    String line(KeyPair k) { Keys.publicKeyLine(k.public) }

    def "the principal is the entry's comment"() {
        given:
        Path key = OpenSsh.keygen(dir, 'alice', 'alice@lab')
        Files.copy(Path.of("${key}.pub"), dir.resolve('authorized_keys'))
        def ak = AuthorizedKeys.load(dir.resolve('authorized_keys'))
        def pub = Keys.loadPrivateKey(key).public

        expect:
        ak.problems().isEmpty()
        ak.authorize(pub, local, now).get().principal() == 'alice@lab'
        ak.authorize(pub, local, now).get().fingerprint() == OpenSsh.fingerprint(key)
        ak.authorize(b.public, local, now).isEmpty()
    }

    def "an entry without a comment gets a principal derived from its fingerprint"() {
        given:
        def ak = parse(line(a) + '\n')
        String fp = Keys.fingerprint(a.public).substring(7)

        expect:
        ak.entries()[0].principal() == 'fp-' + fp.replace('+', '-').replace('/', '_')
        ak.entries()[0].principal() ==~ /fp-[A-Za-z0-9_-]{43}/
    }

    def "the first entry whose options allow the login decides the principal"() {
        given:
        def ak = parse("""\
            from="10.0.0.0/8" ${line(a)} alice@lan
            ${line(a)} alice@anywhere
            """.stripIndent())

        expect:
        ak.authorize(a.public, lan, now).get().principal() == 'alice@lan'
        ak.authorize(a.public, local, now).get().principal() == 'alice@anywhere'
    }

    def "options #options allow #remote: #allowed"() {
        given:
        def ak = parse("$options ${line(a)} alice\n")
        assert ak.problems().isEmpty()

        expect:
        ak.authorize(a.public, InetAddress.getByName(remote), now).isPresent() == allowed

        where:
        options                                          | remote        | allowed
        'from="127.0.0.1"'                               | '127.0.0.1'   | true
        'from="127.0.0.1"'                               | '10.1.2.3'    | false
        'from="10.*,!10.1.2.3"'                          | '10.1.2.4'    | true
        'from="10.*,!10.1.2.3"'                          | '10.1.2.3'    | false
        'from="10.1.0.0/16"'                             | '10.1.200.1'  | true
        'from="10.1.0.0/16"'                             | '10.2.0.1'    | false
        'from="::1/128"'                                 | '::1'         | true
        'from="node1.lab"'                               | '127.0.0.1'   | false
        'expiry-time="20300601"'                         | '127.0.0.1'   | false
        'expiry-time="20300601130000Z"'                  | '127.0.0.1'   | true
        'restrict,no-pty,no-port-forwarding'             | '127.0.0.1'   | true
        'restrict,environment="A=b,c",permitopen="x:1"'  | '127.0.0.1'   | true
    }

    def "quoted option values may hold commas, blanks and escaped quotes"() {
        when:
        def opts = [:]
        int end = AuthorizedKeys.parseOptions('environment="A=b c,\\"d\\"",no-pty ssh-ed25519 AAAA', opts)

        then:
        opts == [environment: 'A=b c,"d"', 'no-pty': '']
        end == 'environment="A=b c,\\"d\\"",no-pty'.length()
    }

    def "an entry we cannot honour exactly is ignored and reported: #why"() {
        given:
        def ak = parse("${line(b)} bob\n$bad\n")

        expect:
        ak.entries()*.principal() == ['bob']
        ak.problems().size() == 1
        ak.problems()[0].contains(' line 2: ')
        ak.problems()[0].contains(why)
        ak.problems()[0].endsWith('entry ignored')

        where:
        bad                                                     | why
        "command=\"/bin/sh\" ${line(a)} alice"                  | "option 'command'"
        "cert-authority ${line(a)} ca"                          | "option 'cert-authority'"
        "frobnicate ${line(a)} alice"                           | "unknown option 'frobnicate'"
        "no-pty,no-pty ${line(a)} alice"                        | 'given twice'
        "from=10.0.0.1 ${line(a)} alice"                        | 'double-quoted value'
        "from=\"10.0.0.1 ${line(a)} alice"                      | 'unterminated'
        "from=\"10.0.0.0/99\" ${line(a)} alice"                 | 'out of range'
        "from=\"999.1.1.1/8\" ${line(a)} alice"                 | 'not an IP address block'
        "from=\"1:2/8\" ${line(a)} alice"                       | 'not an IP address block'
        "from=\"node.lab/8\" ${line(a)} alice"                  | 'not an IP address block'
        "from=\"10.0.0.0/x\" ${line(a)} alice"                  | 'bad CIDR prefix'
        "expiry-time=\"2030\" ${line(a)} alice"                 | 'YYYYMMDD'
        "${line(a)} alice laptop"                               | "comment 'alice laptop' is not a valid principal"
        "${line(a)} -alice"                                     | 'not a valid principal'
        'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 rsa-user'     | 'ssh-rsa is not accepted'
        'ssh-ed25519 !!! alice'                                 | 'not valid base64'
        'ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB alice'            | "key blob says 'ssh-rsa'"
        'ssh-ed25519'                                           | 'expected'
    }

    def "a missing authorized_keys file is an error, not an empty list"() {
        when:
        AuthorizedKeys.load(dir.resolve('nope'))

        then:
        IOException e = thrown()
        e.message.contains('nope: no such file')
    }
}
