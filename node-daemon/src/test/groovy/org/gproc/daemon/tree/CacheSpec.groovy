package org.gproc.daemon.tree

import org.gproc.daemon.session.Limits
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.Stat
import org.gproc.transport.ninep.server.OpenFile
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

@Timeout(60)
class CacheSpec extends Specification {
    @AutoCleanup
    TreeFixture t = new TreeFixture(Limits.DEFAULTS.withMaxPushBytes(1 << 20))

    static String sha256(byte[] data) {
        MessageDigest.getInstance('SHA-256').digest(data).encodeHex().toString()
    }

    /** create + write + clunk, as a client pushes a blob. */
    void push(String name, byte[] data) {
        OpenFile f = t.walk('cache').create(name, 0444, Message.OWRITE)
        try {
            int offset = 0
            while (offset < data.length) {
                int n = Math.min(8192, data.length - offset)
                TreeFixture.await(f.write(offset, Arrays.copyOfRange(data, offset, offset + n)))
                offset += n
            }
        } finally {
            f.clunk()
        }
    }

    def "a pushed blob is walkable, listed and sized; state counts its bytes"() {
        given:
        byte[] data = Files.readAllBytes(Path.of('/bin/true'))
        String hash = sha256(data)

        when:
        push(hash, data)

        then:
        t.walk("cache/$hash").stat().length() == data.length
        t.walk('cache').list()*.name() == [hash]
        t.read('state').readLines().contains("cache ${data.length}" as String)
    }

    def "a blob whose bytes do not match its name fails at clunk naming both hashes, and nothing appears"() {
        given:
        byte[] data = 'not what the name says'.bytes
        String claimed = sha256('something else'.bytes)

        when:
        push(claimed, data)

        then:
        def e = thrown(NinePException)
        e.message.contains(claimed)
        e.message.contains(sha256(data))
        t.walk('cache').list().isEmpty()

        when:
        t.walk("cache/$claimed")

        then:
        thrown(NinePException)
    }

    def "a name that is not a sha256 is refused: '#name'"() {
        when:
        t.walk('cache').create(name, 0444, Message.OWRITE)

        then:
        thrown(NinePException)

        where:
        name << ['abc', 'A' * 64, 'g' * 64, '../x']
    }

    def "walking a blob that is not there fails, which is how a client learns to push it"() {
        when:
        t.walk("cache/${'0' * 64}")

        then:
        def e = thrown(NinePException)
        e.message == "cache/${'0' * 64} does not exist"
    }

    def "cache/ holds no directories"() {
        when:
        t.walk('cache').create('d' * 64, Stat.DMDIR | 0755, Message.OREAD)

        then:
        def e = thrown(NinePException)
        e.message == "create cache/${'d' * 64}: cache/ holds blobs only, not directories"
    }

    def "a push over the push limit is refused"() {
        given:
        OpenFile f = t.walk('cache').create('e' * 64, 0444, Message.OWRITE)

        when:
        TreeFixture.await(f.write((1 << 20) - 10, new byte[100]))

        then:
        thrown(NinePException)

        cleanup:
        try { f?.clunk() } catch (NinePException ignored) { }
    }

    def "link puts a cached blob into fs/ with the mode given, and exec runs it"() {
        given:
        byte[] date = Files.readAllBytes(Path.of('/bin/date'))
        String hash = sha256(date)
        push(hash, date)
        int n = t.newSession()

        when:
        t.write("$n/ctl", "link $hash bin/date 755")
        t.write("$n/argv", 'date +%Y')
        t.write("$n/ctl", 'exec bin/date')

        then:
        t.walk("$n/fs/bin/date").stat().mode() == 0755
        t.walk("$n/fs/bin/date").stat().length() == date.length
        t.read("$n/wait") == 'exit 0'
        t.read("$n/stdout").trim() == String.valueOf(Calendar.getInstance().get(Calendar.YEAR))
    }

    def "link of a blob that is not cached names it"() {
        given:
        int n = t.newSession()

        when:
        t.write("$n/ctl", "link ${'1' * 64} bin/x 755")

        then:
        def e = thrown(NinePException)
        e.message == "ctl: link: no blob ${'1' * 64} in cache/ (push it first)"
    }

    def "link refuses a mode that is not octal and a path that leaves fs/"() {
        given:
        byte[] data = 'x'.bytes
        String hash = sha256(data)
        push(hash, data)
        int n = t.newSession()

        when:
        t.write("$n/ctl", "link $hash x $mode")

        then:
        def e = thrown(NinePException)
        e.message == "ctl: link: mode '$mode' is not octal permission bits (e.g. 755)"

        when:
        t.write("$n/ctl", "link $hash ../../escape 644")

        then:
        e = thrown(NinePException)
        e.message == "ctl: link: '../../escape' leads outside the session's fs/"

        where:
        mode << ['rwx', '9', '77777']
    }

    def "a blob reads back as pushed, but is neither written in place nor removed"() {
        given:
        byte[] data = 'blob'.bytes
        String hash = sha256(data)
        push(hash, data)

        expect:
        t.read("cache/$hash") == 'blob'

        when:
        t.walk("cache/$hash").open(Message.OWRITE)

        then:
        thrown(NinePException)

        when:
        t.walk("cache/$hash").remove()

        then:
        thrown(NinePException)
    }
}
