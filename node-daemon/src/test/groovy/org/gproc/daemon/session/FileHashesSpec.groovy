package org.gproc.daemon.session

import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.FileTime
import java.security.MessageDigest

/** The exec-time sha256: read once per unchanged file, whatever links are made to it, and again once it changes. */
class FileHashesSpec extends Specification {
    @TempDir Path dir
    List<Path> read = []
    FileHashes hashes = new FileHashes({ Path file -> read << file })

    static String sha256(byte[] data) {
        MessageDigest.getInstance('SHA-256').digest(data).encodeHex().toString()
    }

    def "a new hard link to a hashed file (as each session's link of a cached blob makes) reads nothing again"() {
        given:
        Path blob = dir.resolve('blob')
        Files.write(blob, 'first content'.bytes)
        String first = hashes.sha256(blob)

        when:
        Path link = Files.createLink(dir.resolve('session-fs-bin'), blob)
        String again = hashes.sha256(link)

        then:
        first == sha256('first content'.bytes)
        again == first
        read == [blob]
    }

    def "a file rewritten after it was hashed is read again and gets its new hash"() {
        given:
        Path file = dir.resolve('prog')
        Files.write(file, 'aaaa'.bytes)
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000))
        String before = hashes.sha256(file)

        when: 'same size, new content and modification time'
        Files.write(file, 'bbbb'.bytes)
        String after = hashes.sha256(file)

        then:
        before == sha256('aaaa'.bytes)
        after == sha256('bbbb'.bytes)
        read == [file, file]
    }

    def "a hash remembered for a just-verified file is used without reading it; a missing file is ignored"() {
        given:
        Path blob = dir.resolve('verified')
        Files.write(blob, 'pushed'.bytes)

        when:
        hashes.remember(blob, sha256('pushed'.bytes))
        hashes.remember(dir.resolve('gone'), 'ab' * 32)
        hashes.remember(null, 'ab' * 32)

        then:
        hashes.sha256(blob) == sha256('pushed'.bytes)
        read.empty
    }
}
