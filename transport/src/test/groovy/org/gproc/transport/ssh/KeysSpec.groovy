package org.gproc.transport.ssh

import org.apache.sshd.common.util.security.SecurityUtils
import org.apache.sshd.common.util.security.eddsa.bouncycastle.BouncyCastleEdDSASupport
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

@Timeout(120)
class KeysSpec extends Specification {

    @TempDir
    Path dir

    def "Ed25519 comes from BouncyCastle, never net.i2p"() {
        when:
        CryptoPolicy.requireBouncyCastleEd25519()

        then:
        SecurityUtils.getEdDSASupport().get() instanceof BouncyCastleEdDSASupport
        !SecurityUtils.isNetI2pCryptoEdDSARegistered()
        Keys.generate().public.class.name.startsWith('org.bouncycastle.')
    }

    def "a key made by ssh-keygen -t ed25519 loads, with the fingerprint and public line ssh-keygen shows"() {
        given:
        Path key = OpenSsh.keygen(dir, 'id_ed25519', 'alice@lab')

        when:
        def pair = Keys.loadPrivateKey(key)

        then:
        Keys.fingerprint(pair.public) == OpenSsh.fingerprint(Path.of("${key}.pub"))
        Keys.fingerprint(pair.public) ==~ /SHA256:[A-Za-z0-9+\/]{43}/
        Files.readString(Path.of("${key}.pub")).startsWith(Keys.publicKeyLine(pair.public) + ' alice@lab')
        Keys.fromBlob('ssh-ed25519', Keys.blob(pair.public)) == pair.public
    }

    def "a private key file that is not a usable Ed25519 OpenSSH key is refused, naming the file and the fix"() {
        given:
        Path key = prepare(dir)

        when:
        Keys.loadPrivateKey(key)

        then:
        IOException e = thrown()
        e.message.startsWith("private key ${key}: ")
        e.message.contains(expected)

        where:
        expected                          | prepare
        'no such file'                    | { Path d -> d.resolve('missing') }
        'is a ecdsa-sha2-nistp256 key'    | { Path d -> OpenSsh.keygen(d, 'ecdsa', 'x', 'ecdsa') }
        'passphrase-protected'            | { Path d -> OpenSsh.keygen(d, 'locked', 'x', 'ed25519', 'secret-pass') }
        'not an OpenSSH private key'      | { Path d -> ownerOnly(Files.writeString(d.resolve('junk'), 'hello\n')) }
        'missing the openssh-key-v1'      | { Path d -> ownerOnly(Files.writeString(d.resolve('bad'), "-----BEGIN OPENSSH PRIVATE KEY-----\naGVsbG8K\n-----END OPENSSH PRIVATE KEY-----\n")) }
        'chmod 600'                       | { Path d -> widen(OpenSsh.keygen(d, 'open', 'x')) }
    }

    def "a missing host key is generated in OpenSSH format, mode 0600, with FILE.pub, and ssh-keygen reads it"() {
        given:
        Path file = dir.resolve('etc/host_key')

        when:
        def generated = Keys.loadOrGenerate(file, 'gprocd@test')
        def again = Keys.loadOrGenerate(file, 'ignored')

        then:
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) == 'rw-------'
        Files.readString(Path.of("${file}.pub")).trim() == Keys.publicKeyLine(generated.public) + ' gprocd@test'
        again.public == generated.public
        OpenSsh.run(['ssh-keygen', '-y', '-f', file.toString()]).text.trim().startsWith(Keys.publicKeyLine(generated.public))
        OpenSsh.fingerprint(file) == Keys.fingerprint(generated.public)
    }

    def "an existing host key file that is not a key is reported and left untouched, never replaced"() {
        given:
        Path file = ownerOnly(Files.writeString(dir.resolve('host_key'), 'not a key\n'))

        when:
        Keys.loadOrGenerate(file, 'x')

        then:
        IOException e = thrown()
        e.message.contains('not an OpenSSH private key')
        Files.readString(file) == 'not a key\n'
        !Files.exists(Path.of("${file}.pub"))
    }

    def "writing a key never overwrites an existing file"() {
        given:
        Path file = ownerOnly(Files.writeString(dir.resolve('taken'), 'keep me'))

        when:
        Keys.write(Keys.generate(), file, 'x')

        then:
        thrown(java.nio.file.FileAlreadyExistsException)
        Files.readString(file) == 'keep me'
    }

    static Path ownerOnly(Path p) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString('rw-------'))
        p
    }

    static Path widen(Path p) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString('rw-r--r--'))
        p
    }
}
