package org.gproc.daemon.proc

import org.gproc.transport.ninep.NinePException
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.security.MessageDigest
import java.util.concurrent.Callable
import java.util.concurrent.CyclicBarrier
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

@Timeout(60)
class BlobCacheSpec extends Specification {

    @TempDir Path root

    static String sha(byte[] data) {
        MessageDigest.getInstance('SHA-256').digest(data).encodeHex().toString()
    }

    static byte[] blob(int size, int seed) {
        def data = new byte[size]
        new Random(seed).nextBytes(data)
        data
    }

    static String put(BlobCache cache, byte[] data) {
        def hash = sha(data)
        def upload = cache.begin(hash, 1 << 30)
        upload.write(0, data)
        upload.commit()
        hash
    }

    static String perms(Path file) {
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file))
    }

    BlobCache cache(long quota = 1 << 30) {
        new BlobCache(root.resolve('cache'), quota)
    }

    Path fs(String session = '1') {
        Files.createDirectories(root.resolve("sessions/$session/fs"))
    }

    def "a sha256 in lowercase hex is a blob name"() {
        when:
        BlobCache.checkName('0123456789abcdef' * 4)

        then:
        noExceptionThrown()
    }

    def "#why is not a blob name"() {
        when:
        BlobCache.checkName(name)

        then:
        def e = thrown(NinePException)
        e.message.startsWith('cache: bad blob name ')
        e.message.endsWith('(a blob is named by its sha256: 64 lowercase hex digits)')

        where:
        why                 | name
        'too short'         | 'a' * 63
        'too long'          | 'a' * 65
        'upper case'        | 'A' * 64
        'a non-hex letter'  | 'g' + 'a' * 63
        'a slash'           | 'a' * 31 + '/' + 'a' * 32
        'dot dot'           | '..'
        'a path'            | '../' + 'a' * 61
        'a NUL'             | 'a' * 63 + '\0'
        'empty'             | ''
        'null'              | null
    }

    def "an upload becomes a read-only blob once its hash is verified"() {
        given:
        def cache = cache()
        def data = blob(100_000, 1)

        when:
        def hash = put(cache, data)

        then:
        cache.contains(hash)
        cache.size(hash) == data.length
        cache.list() == [hash]
        cache.totalBytes() == data.length
        Files.readAllBytes(cache.file(hash)) == data
        perms(cache.file(hash)) == 'r--r--r--'
        Files.list(cache.uploadDir()).count() == 0
    }

    def "writes out of order are verified too"() {
        given:
        def cache = cache()
        def data = blob(10_000, 2)
        def hash = sha(data)
        def upload = cache.begin(hash, data.length)

        when:
        upload.write(5000, Arrays.copyOfRange(data, 5000, 10_000))
        upload.write(0, Arrays.copyOfRange(data, 0, 5000))
        upload.commit()

        then:
        Files.readAllBytes(cache.file(hash)) == data
    }

    def "a hash mismatch names both hashes and nothing becomes visible"() {
        given:
        def cache = cache()
        def claimed = sha('the real thing'.bytes)
        def upload = cache.begin(claimed, 1000)
        upload.write(0, 'an impostor'.bytes)

        when:
        upload.commit()

        then:
        def e = thrown(NinePException)
        e.message == "cache/$claimed: hash mismatch: the 11 bytes received hash to ${sha('an impostor'.bytes)}"
        !cache.contains(claimed)
        cache.list().isEmpty()
        cache.totalBytes() == 0
        Files.list(cache.uploadDir()).count() == 0
    }

    def "a write past the push limit or the quota is refused"() {
        given:
        def cache = cache(quota)
        def upload = cache.begin('a' * 64, limit)

        when:
        upload.write(offset, new byte[10])

        then:
        def e = thrown(NinePException)
        e.message == message

        where:
        quota | limit | offset || message
        1000  | 100   | 95     || "cache/${'a' * 64}: a write of 10 bytes at 95 passes the push limit of 100 bytes"
        50    | 100   | 45     || "cache/${'a' * 64}: a write of 10 bytes at 45 passes the cache quota of 50 bytes"
        1000  | 100   | -1     || "cache/${'a' * 64}: a write of 10 bytes at -1 passes the push limit of 100 bytes"
    }

    def "an upload cannot be used after it is finished; abort leaves nothing behind"() {
        given:
        def cache = cache()
        def data = 'x'.bytes
        def upload = cache.begin(sha(data), 10)
        upload.write(0, data)
        upload.commit()
        def aborted = cache.begin(sha('y'.bytes), 10)
        aborted.write(0, 'y'.bytes)
        aborted.abort()
        aborted.abort()

        when:
        upload.write(0, data)

        then:
        def e = thrown(NinePException)
        e.message == "cache/${sha(data)}: the upload is already finished"
        !cache.contains(sha('y'.bytes))
        Files.list(cache.uploadDir()).count() == 0
    }

    def "concurrent uploads of the same blob all succeed and leave one blob"() {
        given:
        def cache = cache()
        def data = blob(1 << 20, 3)
        def hash = sha(data)
        int uploaders = 8
        def barrier = new CyclicBarrier(uploaders)
        def pool = Executors.newFixedThreadPool(uploaders)

        when:
        def results = pool.invokeAll((1..uploaders).collect {
            { ->
                def upload = cache.begin(hash, data.length)
                barrier.await(30, TimeUnit.SECONDS)
                for (int off = 0; off < data.length; off += 65536) {
                    upload.write(off, Arrays.copyOfRange(data, off, off + 65536))
                }
                upload.commit()
                true
            } as Callable<Boolean>
        })*.get(30, TimeUnit.SECONDS)

        then:
        results.every()
        cache.list() == [hash]
        cache.totalBytes() == data.length
        Files.readAllBytes(cache.file(hash)) == data
        Files.list(cache.uploadDir()).count() == 0

        cleanup:
        pool.shutdownNow()
    }

    def "eviction takes the least recently used blobs that no session references"() {
        given:
        def cache = cache(3000)
        def a = put(cache, blob(1000, 10))
        def b = put(cache, blob(1000, 11))
        def c = put(cache, blob(1000, 12))
        cache.link(a, fs(), 'a', 0555)   // referenced, and the most recent use but one
        cache.contains(b)                // used last

        when:
        def d = put(cache, blob(1000, 13))

        then:
        cache.list().toSet() == [a, b, d].toSet()
        !Files.exists(root.resolve("cache/$c"))
        cache.totalBytes() == 3000
    }

    def "a linked blob stays until its session releases it and its links are gone"() {
        given:
        def cache = cache(2000)
        def a = put(cache, blob(1000, 20))
        def session = fs()
        cache.link(a, session, 'bin/a', 0555)
        put(cache, blob(1000, 21))

        when: 'a third blob needs room: only the unreferenced second one can go'
        def c = put(cache, blob(1000, 22))

        then: '(list() does not count as a use, so it leaves the LRU order alone)'
        a in cache.list()
        c in cache.list()
        cache.referenced(a)

        when: 'the session releases it but its hard link still exists: evicting it would free nothing'
        cache.release(session)
        put(cache, blob(1000, 23))

        then:
        !cache.referenced(a)
        a in cache.list()
        !(c in cache.list())

        when: 'the session directory is removed'
        Files.delete(session.resolve('bin/a'))
        put(cache, blob(1000, 24))

        then:
        !(a in cache.list())
    }

    def "a blob that cannot fit is refused with the quota named and leaves nothing"() {
        given:
        def cache = cache(2000)
        def a = put(cache, blob(1000, 30))
        def b = put(cache, blob(1000, 31))
        cache.link(a, fs(), 'a', 0444)
        cache.link(b, fs(), 'b', 0444)
        def data = blob(1000, 32)

        when:
        put(cache, data)

        then:
        def e = thrown(NinePException)
        e.message == "cache/${sha(data)}: the cache quota of 2000 bytes is full (2000 bytes held by blobs in use;" +
                " this blob needs 1000)"
        cache.list().toSet() == [a, b].toSet()
        Files.list(cache.uploadDir()).count() == 0
    }

    def "a read-only link is a hard link; its inode gains the requested execute bits"() {
        given:
        def cache = cache()
        def hash = put(cache, 'echo hi'.bytes)
        def session = fs()

        when:
        cache.link(hash, session, 'bin/tool', 0555)

        then:
        Files.isSameFile(session.resolve('bin/tool'), cache.file(hash))
        perms(session.resolve('bin/tool')) == 'r-xr-xr-x'
        cache.referenced(hash)
    }

    def "a writable link is a private copy with exactly the requested mode"() {
        given:
        def cache = cache()
        def hash = put(cache, 'data'.bytes)
        def session = fs()

        when:
        cache.link(hash, session, 'data.txt', 0640)
        Files.writeString(session.resolve('data.txt'), 'changed by the process')

        then:
        !Files.isSameFile(session.resolve('data.txt'), cache.file(hash))
        perms(session.resolve('data.txt')) == 'rw-r-----'
        Files.readString(cache.file(hash)) == 'data'
        !cache.referenced(hash)
    }

    def "a link replaces a file at its target, and the reference follows"() {
        given:
        def cache = cache()
        def first = put(cache, 'one'.bytes)
        def second = put(cache, 'two'.bytes)
        def session = fs()
        cache.link(first, session, 'x', 0444)

        when:
        cache.link(second, session, 'x', 0444)

        then:
        Files.readString(session.resolve('x')) == 'two'
        !cache.referenced(first)
        cache.referenced(second)
    }

    def "the three-argument link checks the last component of its target"() {
        given:
        def cache = cache()
        def hash = put(cache, 'bin'.bytes)
        def session = fs()

        when:
        cache.link(hash, session.resolve('prog'), 0555)

        then:
        Files.readString(session.resolve('prog')) == 'bin'

        when:
        Files.createSymbolicLink(session.resolve('evil'), Path.of('/etc/passwd'))
        cache.link(hash, session.resolve('evil'), 0555)

        then:
        def e = thrown(NinePException)
        e.message.contains('symbolic link')
    }

    def "a link target that escapes fs/ is refused: #why"() {
        given:
        def cache = cache()
        def hash = put(cache, 'payload'.bytes)
        def session = fs()
        def outside = Files.createDirectories(root.resolve('outside'))
        Files.createSymbolicLink(session.resolve('out'), outside)
        Files.createSymbolicLink(session.resolve('file-link'), outside.resolve('victim'))
        Files.createDirectories(session.resolve('dir'))
        Files.writeString(session.resolve('plain'), 'x')

        when:
        cache.link(hash, session, path, 0444)

        then:
        def e = thrown(NinePException)
        e.message.startsWith(message)
        Files.list(outside).count() == 0

        where:
        why                          | path              || message
        'dot dot'                    | '../x'            || "link: target '../x' has a bad component '..'"
        'dot dot inside'             | 'a/../../x'       || "link: target 'a/../../x' has a bad component '..'"
        'an absolute path'           | '/tmp/x'          || "link: target '/tmp/x' is absolute"
        'a symlinked directory'      | 'out/x'           || "link: target 'out/x' goes through the symbolic link 'out'"
        'a symlink as the target'    | 'file-link'       || "link: target 'file-link' goes through the symbolic link 'file-link'"
        'a directory as the target'  | 'dir'             || "link: target 'dir' is a directory"
        'a file on the way'          | 'plain/x'         || "link: target 'plain/x' goes through 'plain', which is not a directory"
        'a dot component'            | './x'             || "link: target './x' has a bad component '.'"
        'an empty component'         | 'a//x'            || "link: target 'a//x' has a bad component ''"
        'an empty path'              | ''                || 'link: empty target path'
    }

    def "a link to a missing blob or with a bad mode is refused"() {
        given:
        def cache = cache()
        def present = put(cache, 'here'.bytes)

        when:
        cache.link(hash == 'present' ? present : hash, fs(), 'x', mode)

        then:
        def e = thrown(NinePException)
        e.message == message.replace('PRESENT', present)

        where:
        hash      | mode   || message
        'b' * 64  | 0444   || "link: no blob ${'b' * 64} in the cache (push it first)"
        'present' | 04755  || 'link: mode 4755 is not allowed (permission bits 0-777 only)'
        'present' | -1     || 'link: mode 37777777777 is not allowed (permission bits 0-777 only)'
        'nothex'  | 0444   || "cache: bad blob name 'nothex' (a blob is named by its sha256: 64 lowercase hex digits)"
    }

    def "a reopened cache finds its blobs and drops unfinished uploads"() {
        given:
        def first = cache()
        def hash = put(first, 'kept'.bytes)
        def unfinished = first.begin(sha('lost'.bytes), 10)
        unfinished.write(0, 'lo'.bytes)

        when:
        def second = cache()

        then:
        second.list() == [hash]
        second.totalBytes() == 4
        Files.list(second.uploadDir()).count() == 0
    }
}
