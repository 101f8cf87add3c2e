package org.gproc.cli

import org.gproc.client.GprocRunner
import org.gproc.transport.cert.Certificates
import org.gproc.transport.ssh.Keys
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.time.Duration
import java.time.LocalDateTime
import java.util.concurrent.TimeUnit

/** gproc keys ca init|show, sign-user and sign-host through the real command line, read back by ssh-keygen -L. */
@Timeout(120)
class KeysCliSpec extends Specification {
    @TempDir Path home

    /*
     * The keys commands read and write only files and picocli's writers, so most features run them in-process (a
     * JVM per row cost this spec most of its minute); the first runs the real launcher end to end.
     */
    GprocRunner.Result gproc(String... args) {
        new GprocRunner(home).runInProcess(args)
    }

    static Map run(List<String> cmd) {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        String text = p.inputStream.text
        assert p.waitFor(60, TimeUnit.SECONDS)
        [exit: p.exitValue(), text: text]
    }

    /** A key pair made by ssh-keygen; returns KEY (KEY.pub beside it). */
    Path keygen(String name) {
        Path key = home.resolve(name)
        assert run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', "${name}@lab".toString(), '-f', key.toString()]).exit == 0
        key
    }

    Path caDir() {
        home.resolve('.gproc/ca')
    }

    def "ca init creates the CA key pair under ~/.gproc/ca, private key 0600, and prints the line to trust"() {
        when:
        def r = new GprocRunner(home).run('keys', 'ca', 'init')

        then:
        r.code == 0
        Files.exists(caDir().resolve('ca'))
        PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir().resolve('ca'))) == 'rw-------'
        PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir())) == 'rwx------'
        r.out.strip() == Files.readString(caDir().resolve('ca.pub')).strip().split(' ').take(2).join(' ') + ' gproc-ca'
        r.err.contains('--trusted-user-ca')
        r.err.contains('@cert-authority')
        run(['ssh-keygen', '-l', '-f', caDir().resolve('ca').toString()]).exit == 0
    }

    def "ca init refuses to replace an existing CA without --force, and replaces it with --force"() {
        given:
        gproc('keys', 'ca', 'init', '--dir', home.resolve('myca').toString())
        String first = Files.readString(home.resolve('myca/ca.pub'))

        when:
        def again = gproc('keys', 'ca', 'init', '--dir', home.resolve('myca').toString())

        then:
        again.code == 2
        again.err.contains("gproc keys ca init: a CA already exists in ${home.resolve('myca')}")
        again.err.contains('--force')
        Files.readString(home.resolve('myca/ca.pub')) == first

        when:
        def forced = gproc('keys', 'ca', 'init', '--dir', home.resolve('myca').toString(), '--force')

        then:
        forced.code == 0
        forced.err.contains('REPLACED the CA')
        Files.readString(home.resolve('myca/ca.pub')) != first
        PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve('myca/ca'))) == 'rw-------'
    }

    def "ca show prints the CA line, or a known_hosts @cert-authority line"() {
        given:
        String line = gproc('keys', 'ca', 'init').out.strip()

        expect:
        gproc('keys', 'ca', 'show').out.strip() == line
        gproc('keys', 'ca', 'show', '--cert-authority', '*.site-b.example,n*').out.strip() ==
                "@cert-authority *.site-b.example,n* ${line - ' gproc-ca'}"
    }

    def "ca show without a CA, or with patterns containing spaces, is bad input"() {
        given:
        String where = caDir().toString()

        expect:
        with(gproc('keys', 'ca', 'show')) {
            code == 2
            err.contains("gproc keys ca show: no CA in ${where}")
            err.contains('run: gproc keys ca init')
        }

        when:
        gproc('keys', 'ca', 'init')

        then:
        with(gproc('keys', 'ca', 'show', '--cert-authority', 'a b')) {
            code == 2
            err.contains("--cert-authority 'a b' must be one comma-separated list")
        }
    }

    def "sign-user writes KEY-cert.pub that ssh-keygen -L reads: user certificate, principals, 8h validity, serial, key id"() {
        given:
        gproc('keys', 'ca', 'init')
        Path key = keygen('alice')

        when:
        def r = gproc('keys', 'sign-user', '--principal', 'alice@lab', '--principal', 'alice', '--validity', '8h',
                '--serial', '42', '--key-id', 'alice-laptop', "${key}.pub")
        Path cert = home.resolve('alice-cert.pub')
        String listing = run(['ssh-keygen', '-L', '-f', cert.toString()]).text

        then:
        r.code == 0
        r.out.strip() == cert.toString()
        r.err.contains("wrote ${cert}: certificate 'alice-laptop' (serial 42) for alice@lab, alice, valid until")
        listing.contains('Type: ssh-ed25519-cert-v01@openssh.com user certificate')
        listing.contains('Key ID: "alice-laptop"')
        listing.contains('Serial: 42')
        listing =~ /Principals: \n\s+alice@lab\n\s+alice\n/
        validHours(listing) == 8 * 60 + 5   // back-dated five minutes for clock skew
        listing.contains('Critical Options: (none)')
    }

    def "sign-host writes a host certificate for every --principal, valid 52 weeks unless --validity says otherwise"() {
        given:
        gproc('keys', 'ca', 'init')
        Path key = keygen('n17_host_key')

        when:
        def r = gproc('keys', 'sign-host', '--principal', 'n17', '--principal', 'n17.site-b.example', "${key}.pub")
        String listing = run(['ssh-keygen', '-L', '-f', home.resolve('n17_host_key-cert.pub').toString()]).text

        then:
        r.code == 0
        listing.contains('Type: ssh-ed25519-cert-v01@openssh.com host certificate')
        listing =~ /Principals: \n\s+n17\n\s+n17.site-b.example\n/
        listing.contains('Key ID: "n17"')
        validHours(listing) == 52 * 7 * 24 * 60 + 5

        when:
        gproc('keys', 'sign-host', '--principal', 'n17', '--validity', '+2d', "${key}.pub")

        then:
        validHours(run(['ssh-keygen', '-L', '-f', home.resolve('n17_host_key-cert.pub').toString()]).text) == 2 * 24 * 60 + 5
    }

    /** Minutes between ssh-keygen -L's "Valid: from X to Y". */
    static long validHours(String listing) {
        def m = listing =~ /Valid: from (\S+) to (\S+)/
        assert m.find(): listing
        Duration.between(LocalDateTime.parse(m.group(1)), LocalDateTime.parse(m.group(2))).toMinutes()
    }

    def "--validity #value is #seconds seconds"() {
        expect:
        Validity.parse(value) == Duration.ofSeconds(seconds)

        where:
        value    | seconds
        '8h'     | 8 * 3600
        '30m'    | 30 * 60
        '2d'     | 2 * 86400
        '1w'     | 7 * 86400
        '+8h'    | 8 * 3600
        '1h30m'  | 90 * 60
        '90s'    | 90
        '2H'     | 2 * 3600
    }

    def "--validity '#value' is refused naming the flag and the value, exit 2, nothing written"() {
        given:
        gproc('keys', 'ca', 'init')
        Path key = keygen('v')

        when:
        def r = gproc('keys', 'sign-user', '--principal', 'alice', '--validity', value, "${key}.pub")

        then:
        r.code == 2
        r.err.contains("Invalid value for option '--validity': '${value}'")
        r.err.contains(why)
        !Files.exists(home.resolve('v-cert.pub'))

        where:
        value    | why
        '8'      | 'use a number and a unit'
        'abc'    | 'use a number and a unit'
        '-1h'    | 'use a number and a unit'
        '8x'     | 'use a number and a unit'
        '8 h'    | 'use a number and a unit'
        ''       | 'use a number and a unit'
        '0h'     | 'no time at all'
        '999w'   | 'more than 3660 days'
    }

    def "sign-user refuses #what with exit 2 and a message naming it, writing nothing"() {
        given:
        gproc('keys', 'ca', 'init')
        Path key = keygen('bob')
        List<String> args = arguments(key)

        when:
        def r = gproc(*(['keys', 'sign-user'] + args))

        then:
        r.code == 2
        r.err.startsWith('gproc keys sign-user: ')
        r.err.contains(message(key))
        !r.err.contains('PRIVATE KEY')
        !Files.exists(home.resolve('bob-cert.pub'))

        where:
        what                        | arguments                                                                      | message
        'a missing KEY.pub'         | { k -> ['--principal', 'bob', "${k}.missing.pub".toString()] }                | { k -> "${k}.missing.pub: no such file" }
        'a private key'             | { k -> ['--principal', 'bob', k.toString()] }                                  | { k -> "${k} is a private key; pass its public half ${k}.pub" }
        'a bad principal'           | { k -> ['--principal', 'bob smith', "${k}.pub".toString()] }                   | { k -> "principal 'bob smith' is not valid" }
        'a repeated principal'      | { k -> ['--principal', 'bob', '--principal', 'bob', "${k}.pub".toString()] }   | { k -> "principal 'bob' given twice" }
        'a negative serial'         | { k -> ['--principal', 'bob', '--serial', '-3', "${k}.pub".toString()] }       | { k -> '--serial -3 must not be negative' }
        'a missing CA'              | { k -> ['--principal', 'bob', '--ca', '/nonexistent/ca', "${k}.pub".toString()] } | { k -> 'CA /nonexistent/ca: not initialised' }
        'a non-Ed25519 key'         | { k -> ['--principal', 'bob', rsa(k).toString()] }                             | { k -> 'is a ssh-rsa key; gproc certifies only ssh-ed25519 keys' }
    }

    static Path rsa(Path next) {
        Path key = next.resolveSibling('rsa_key')
        assert run(['ssh-keygen', '-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', key.toString()]).exit == 0
        Path.of("${key}.pub")
    }

    def "sign-user without a CA tells how to make one; without --principal picocli names the missing option"() {
        given:
        Path key = keygen('carol')

        expect:
        with(gproc('keys', 'sign-user', '--principal', 'carol', "${key}.pub")) {
            code == 2
            err.contains('not initialised')
            err.contains('run: gproc keys ca init')
        }
        with(gproc('keys', 'sign-host', "${key}.pub")) {
            code == 2
            err.contains("Missing required option: '--principal=NAME'")
        }
    }

    def "a certificate passed as the key is refused; a certificate we wrote is readable by our own parser too"() {
        given:
        gproc('keys', 'ca', 'init')
        Path key = keygen('dave')
        gproc('keys', 'sign-user', '--principal', 'dave', "${key}.pub")
        Path cert = home.resolve('dave-cert.pub')

        expect:
        Certificates.read(cert).principals == ['dave']
        Keys.fingerprint(Certificates.read(cert).certPubKey) == Keys.fingerprint(Keys.loadPrivateKey(key).public)
        with(gproc('keys', 'sign-user', '--principal', 'dave', cert.toString())) {
            code == 2
            err.contains("${cert} is already a certificate")
        }
    }
}
