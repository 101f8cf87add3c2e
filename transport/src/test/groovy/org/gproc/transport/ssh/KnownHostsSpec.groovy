package org.gproc.transport.ssh

import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

import static org.gproc.transport.ssh.KnownHosts.Status.*

@Timeout(120)
class KnownHostsSpec extends Specification {

    @TempDir
    Path dir

    @Shared KeyPair a = Keys.generate()
    @Shared KeyPair b = Keys.generate()

    KnownHosts parse(String text) {
        KnownHosts.parse(dir.resolve('known_hosts'), text.readLines())
    }

    def "host key #status for #host port #port"() {
        given:
        def kh = parse("""\
            # comment line
            [127.0.0.1]:5640 ${Keys.publicKeyLine(a.public)}
            node1,node2 ${Keys.publicKeyLine(a.public)} some comment
            *.lab,!evil.lab ${Keys.publicKeyLine(b.public)}
            [10.0.0.9]:7000 ${Keys.publicKeyLine(b.public)}
            [10.0.0.9]:7000 ${Keys.publicKeyLine(a.public)}
            """.stripIndent())

        expect:
        kh.check(host, port, key.public).status() == status

        where:
        host        | port | key | status
        '127.0.0.1' | 5640 | a   | TRUSTED
        'node2'     | 22   | a   | TRUSTED
        'NODE1'     | 22   | a   | TRUSTED
        'n7.lab'    | 22   | b   | TRUSTED
        '10.0.0.9'  | 7000 | a   | TRUSTED   // several keys for one host: any listed key is fine
        '127.0.0.1' | 5641 | a   | UNKNOWN   // another port is another host
        '127.0.0.1' | 22   | a   | UNKNOWN
        'node1'     | 5640 | a   | UNKNOWN
        'evil.lab'  | 22   | b   | UNKNOWN   // negated pattern
        '127.0.0.1' | 5640 | b   | MISMATCH
        'node1'     | 22   | b   | MISMATCH
    }

    def "a mismatch names the line that holds the other key"() {
        given:
        def kh = parse("#\n[h]:2 ${Keys.publicKeyLine(a.public)}\n")

        when:
        def v = kh.check('h', 2, b.public)

        then:
        v.status() == MISMATCH
        v.entry().lineNumber() == 2
        v.entry().fingerprint() == Keys.fingerprint(a.public)
        v.entry().line() == "[h]:2 ${Keys.publicKeyLine(a.public)}"
    }

    def "a @revoked key is refused even when another line trusts it"() {
        given:
        def kh = parse("""\
            [h]:2 ${Keys.publicKeyLine(a.public)}
            @revoked * ${Keys.publicKeyLine(a.public)}
            """.stripIndent())

        expect:
        kh.check('h', 2, a.public).status() == REVOKED
    }

    def "a @cert-authority line trusts no plain key, not even its own, and keeps its hosts from first-use trust"() {
        given:
        def kh = parse("@cert-authority *.lab ${Keys.publicKeyLine(a.public)}\n")

        expect:
        kh.check('n1.lab', 22, a.public).status() == UNCERTIFIED
        kh.check('n1.lab', 22, b.public).status() == UNCERTIFIED
        kh.check('n1.lab', 22, a.public).entry().lineNumber() == 1
        kh.check('elsewhere', 22, b.public).status() == UNKNOWN
        kh.check('n1.lab', 2, b.public).status() == UNKNOWN   // [n1.lab]:2 is another host to OpenSSH
        kh.problems().isEmpty()
    }

    def "hashed entries written by ssh-keygen -H match"() {
        given:
        Path file = dir.resolve('hashed')
        Files.writeString(file, KnownHosts.line('10.1.2.3', 5640, a.public) + '\n' + KnownHosts.line('gw', 22, b.public) + '\n')
        assert OpenSsh.run(['ssh-keygen', '-H', '-f', file.toString()]).exit == 0
        def kh = KnownHosts.load(file)

        expect:
        kh.entries().every { it.hostPatterns().startsWith('|1|') }
        kh.check('10.1.2.3', 5640, a.public).status() == TRUSTED
        kh.check('gw', 22, b.public).status() == TRUSTED
        kh.check('gw', 22, a.public).status() == MISMATCH
        kh.check('10.1.2.4', 5640, a.public).status() == UNKNOWN
    }

    def "our own hashing agrees with ssh-keygen -F"() {
        given:
        byte[] salt = new byte[20]
        new Random(7).nextBytes(salt)
        Path file = dir.resolve('ours')
        Files.writeString(file, KnownHosts.hashedToken('10.1.2.3', 5640, salt) + ' ' + Keys.publicKeyLine(a.public) + '\n')

        expect:
        OpenSsh.run(['ssh-keygen', '-F', '[10.1.2.3]:5640', '-f', file.toString()]).exit == 0
        KnownHosts.load(file).check('10.1.2.3', 5640, a.public).status() == TRUSTED
    }

    def "a line that cannot be parsed is skipped and reported: #why"() {
        given:
        def kh = parse("h ${Keys.publicKeyLine(a.public)}\n$bad\n")

        expect:
        kh.entries().size() == 1
        kh.problems().size() == 1
        kh.problems()[0].contains('line 2: ')
        kh.problems()[0].contains(why)

        where:
        bad                                                        | why
        'h ssh-ed25519 !!!notbase64'                               | 'not valid base64'
        "@trusted h ${Keys.publicKeyLine(a.public)}"               | "unknown marker '@trusted'"
        'h ssh-ed25519'                                            | 'expected'
        "h ssh-rsa ${Keys.publicKeyLine(a.public).split(' ')[1]}"  | "does not match the key itself"
        "|2|abc|def ${Keys.publicKeyLine(a.public)}"               | 'only |1|'
    }

    def "a missing file is an empty known_hosts"() {
        expect:
        KnownHosts.load(dir.resolve('nope')).entries().isEmpty()
    }

    def "appended lines are what OpenSSH expects and concurrent appends never interleave"() {
        given:
        Path file = dir.resolve('sub/known_hosts')
        Files.createDirectories(file.parent)
        Files.writeString(file, '# no newline at end')
        def pool = Executors.newFixedThreadPool(8)
        def start = new CountDownLatch(1)
        def keys = (0..<40).collect { Keys.generate() }

        when:
        def futures = keys.withIndex().collect { k, i ->
            pool.submit { start.await(); KnownHosts.append(file, '127.0.0.1', 20000 + i, k.public) }
        }
        start.countDown()
        futures*.get(60, TimeUnit.SECONDS)
        pool.shutdown()
        def kh = KnownHosts.load(file)

        then:
        kh.problems().isEmpty()
        kh.entries().size() == 40
        keys.withIndex().every { k, i -> kh.check('127.0.0.1', 20000 + i, k.public).status() == TRUSTED }
        Files.readAllLines(file)[0] == '# no newline at end'
        OpenSsh.run(['ssh-keygen', '-F', '[127.0.0.1]:20005', '-f', file.toString()]).text.contains(Keys.publicKeyLine(keys[5].public))
    }

    def "glob patterns: #pattern vs #text"() {
        expect:
        KnownHosts.glob(pattern, text) == expected

        where:
        pattern        | text                  | expected
        '*'            | 'anything'            | true
        'n?.lab'       | 'n1.lab'              | true
        'n?.lab'       | 'n12.lab'             | false
        '[10.0.0.*]:*' | '[10.0.0.7]:5640'     | true
        '*a*a*a*a*b'   | 'a' * 40              | false
    }
}
