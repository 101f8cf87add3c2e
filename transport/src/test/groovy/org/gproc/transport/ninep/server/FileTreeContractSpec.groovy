package org.gproc.transport.ninep.server

import org.gproc.transport.ninep.FramePipe
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePClient
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.Qid
import org.gproc.transport.ninep.Stat
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.Timeout

import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * What every {@link FileTree} must do, whatever files it serves (the shape of p9's {@code fsimpl/test/filetest.go}).
 * Extend it, supply a fresh tree and a few paths, and every feature here runs against your tree:
 * <pre>
 * class ProcTreeContractSpec extends FileTreeContractSpec {
 *     FileTree newTree() { new ProcTree(...) }
 *     List&lt;String> readableFile() { ['arch'] }
 * }
 * </pre>
 * Most features call the tree directly, as the server core would after its protocol checks; the last one serves
 * the tree through the real server core to a real client over an in-process pipe.
 */
@Timeout(60)
abstract class FileTreeContractSpec extends Specification {

    /** A fresh tree for each feature. */
    abstract FileTree newTree()

    /** Names from the root to a regular file that {@link #principal()} may open OREAD and read without waiting. */
    abstract List<String> readableFile()

    /** The authenticated principal that attaches. */
    String principal() {
        'alice@lab'
    }

    /** Names from the root to a directory holding at least one entry ([] is the root itself). */
    List<String> nonEmptyDirectory() {
        []
    }

    /** Names from the root to a file {@link #principal()} may not open for writing, or null if there is none. */
    List<String> unwritableFile() {
        null
    }

    /** Releases what {@link #newTree()} made (called after each feature). */
    void closeTree(FileTree tree) {
    }

    FileTree tree
    FileEntry root

    def setup() {
        tree = newTree()
        root = tree.attach(principal(), 'someone-else', '')
    }

    def cleanup() {
        if (tree != null) {
            closeTree(tree)
        }
    }

    protected FileEntry at(List<String> names) {
        names.inject(root) { FileEntry e, String n -> e.walk(n) }
    }

    protected static boolean sameFile(Qid a, Qid b) {
        a.path() == b.path() && a.type() == b.type()
    }

    def "the root is a directory whose stat agrees with its qid"() {
        when:
        Stat s = root.stat()

        then:
        root.qid().directory
        s.directory
        s.qid() == root.qid()
    }

    def "the root is its own parent"() {
        expect:
        sameFile(root.parent().qid(), root.qid())
    }

    def "every entry list() reports can be walked to, and stats as it was listed"() {
        given:
        FileEntry dir = at(nonEmptyDirectory())

        when:
        List<Stat> listed = dir.list()

        then:
        !listed.isEmpty()
        listed.each { Stat s ->
            FileEntry child = dir.walk(s.name())
            Stat now = child.stat()
            assert sameFile(child.qid(), s.qid()): "walked '${s.name()}' is not the file list() reported"
            assert now.name() == s.name()
            assert sameFile(now.qid(), child.qid())
            assert now.directory == child.qid().directory: "'${s.name()}': stat mode and qid type disagree"
        }
    }

    def "list() gives each name once, and never '.', '..', '' or a name with '/'"() {
        when:
        def names = at(nonEmptyDirectory()).list()*.name()

        then:
        names.unique(false) == names
        names.every { it && it != '.' && it != '..' && !it.contains('/') }
    }

    def "a walked entry's parent is the directory it was walked from"() {
        given:
        FileEntry dir = at(nonEmptyDirectory())
        String name = dir.list().first().name()

        expect:
        sameFile(dir.walk(name).parent().qid(), dir.qid())
    }

    def "walking a name that does not exist fails with a NinePException that says why"() {
        when:
        root.walk('no-such-file-' + System.nanoTime())

        then:
        NinePException e = thrown()
        e.message
    }

    def "the readable file opens for reading and a read returns at most count bytes"() {
        given:
        FileEntry file = at(readableFile())

        when:
        OpenFile open = file.open(Message.OREAD)
        byte[] data = open.read(0, 8192).get(10, TimeUnit.SECONDS)
        byte[] small = open.read(0, 1).get(10, TimeUnit.SECONDS)

        then:
        !file.qid().directory
        open.entry() != null
        data != null
        data.length <= 8192
        small.length <= 1

        cleanup:
        open?.clunk()
    }

    def "a directory opens for reading and stays the same directory"() {
        given:
        FileEntry dir = at(nonEmptyDirectory())

        when:
        OpenFile open = dir.open(Message.OREAD)

        then:
        sameFile(open.entry().qid(), dir.qid())

        cleanup:
        open?.clunk()
    }

    @Requires({ instance.unwritableFile() != null })
    def "a file the principal may not write refuses to open for writing"() {
        when:
        at(unwritableFile()).open(Message.OWRITE)

        then:
        NinePException e = thrown()
        e.message
    }

    def "a stat of every listed entry names an owner and fits 9P's fields"() {
        expect:
        at(nonEmptyDirectory()).list().every { Stat s ->
            s.uid() && s.name().getBytes('UTF-8').length < 65536 && !s.name().contains('\0')
        }
    }

    def "a 9P client sees the same tree through the server core"() {
        given:
        def pipe = FramePipe.pair()
        def connection = new NinePServer(tree).serve(principal(), pipe.server())
        def client = NinePClient.connect(pipe.client(), 65536, 'someone-else', '').get(10, TimeUnit.SECONDS)
        def io = client.blocking(Duration.ofSeconds(10))
        def dirNames = nonEmptyDirectory()

        when:
        def dir = io.open(io.walk(client.root(), *dirNames), Message.OREAD)
        def listed = io.readDir(dir)
        def up = io.walk(client.root(), '..', '..')
        def file = io.open(io.walk(client.root(), *readableFile()), Message.OREAD)
        def firstBytes = io.read(file, 0, 8192)

        then:
        listed*.name() == at(dirNames).list()*.name()
        sameFile(dir.qid(), at(dirNames).qid())
        sameFile(up.qid(), root.qid())
        firstBytes.length <= 8192
        io.stat(file).name() == readableFile().last()

        cleanup:
        client?.close()
        connection?.close()
    }
}
