package org.gproc.client.internal.exec

import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.FileTime

/** The files a cluster pushes: read once while unchanged, read again once changed, remembered per owner. */
class LocalBlobsSpec extends Specification {
    @TempDir Path dir

    def "a second read of an unchanged file is the blob read the first time; another owner reads it itself"() {
        given:
        Path file = dir.resolve('prog')
        Files.write(file, 'binary'.bytes)
        def blobs = new LocalBlobs()

        when:
        def first = blobs.read(file)
        def second = blobs.read(file)
        def elsewhere = new LocalBlobs().read(file)

        then:
        second.is(first)
        !elsewhere.is(first)
        elsewhere.hash() == first.hash()
        first.hash() == LocalBlob.sha256('binary'.bytes)
        first.name() == 'prog'
    }

    def "a file rewritten since it was read is read again"() {
        given:
        Path file = dir.resolve('data')
        Files.write(file, 'aaaa'.bytes)
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000))
        def blobs = new LocalBlobs()
        def before = blobs.read(file)

        when:
        Files.write(file, 'bbbb'.bytes)
        def after = blobs.read(file)

        then:
        before.hash() == LocalBlob.sha256('aaaa'.bytes)
        after.hash() == LocalBlob.sha256('bbbb'.bytes)
    }

    def "a missing file and a directory are refused naming the path"() {
        when:
        new LocalBlobs().read(path(name))

        then:
        def e = thrown(IllegalArgumentException)
        e.message == message.replace('DIR', dir.toString())

        where:
        name     | message
        'absent' | "push: cannot read 'DIR/absent': no such file"
        '.'      | "push: 'DIR/.' is not a regular file"
    }

    Path path(String name) {
        dir.resolve(name)
    }
}
