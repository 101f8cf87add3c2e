package org.gproc.cli.agent

import org.gproc.client.InventoryException
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path

/**
 * The agent keeps each inventory file's parsed inventory while the file is unchanged, and reads it again once it
 * changes (rewritten in place, replaced, or just written). Real files; no daemon: nothing connects.
 */
class InventoryCacheSpec extends Specification {
    @TempDir @Shared Path dir
    @Shared Path file
    @Shared Path other
    @Shared Path current
    @Shared ClusterPool pool

    def setupSpec() {
        file = dir.resolve('inventory.groovy')
        file.text = inventory('n1', 17001)
        other = dir.resolve('other.groovy')
        other.text = inventory('n2', 17002)
        current = Files.createSymbolicLink(dir.resolve('current.groovy'), file)
        pool = new ClusterPool(dir)
    }

    def cleanupSpec() {
        pool?.close()
    }

    private static String inventory(String node, int port) {
        "nodes {\n    $node { host = '127.0.0.1'; port = $port }\n}\n"
    }

    def "an unchanged inventory file is parsed once"() {
        given: 'the file has settled (written more than the settle time ago)'
        new PollingConditions(timeout: FileStamp.SETTLE_SECONDS + 5, delay: 0.25).eventually {
            assert FileStamp.of(file).settled() && FileStamp.of(other).settled()
        }

        when:
        def first = pool.load(file)
        def second = pool.load(file)

        then:
        first.is(second)
        first.addresses()*.name() == ['n1']
    }

    def "an inventory file replaced by another (settled) file is read again"() {
        given:
        def before = pool.load(current)

        when: 'the name now leads to another file, itself long unchanged'
        Files.delete(current)
        Files.createSymbolicLink(current, other)
        def after = pool.load(current)

        then:
        before.addresses()*.name() == ['n1']
        after.addresses()*.name() == ['n2']
    }

    def "a rewritten inventory file is read again, and a broken one is reported with its file and line"() {
        given:
        def before = pool.load(file)

        when: 'the same file gets new contents of the same size'
        file.text = inventory('n2', 17002)
        def after = pool.load(file)

        then:
        !after.is(before)
        after.addresses()*.name() == ['n2']

        when: 'it is replaced by a broken one'
        def broken = dir.resolve('broken.tmp')
        broken.text = "nodes {\n    n1 { host = '127.0.0.1'; port = 'many' }\n}\n"
        Files.move(broken, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING)
        pool.load(file)

        then:
        def e = thrown(InventoryException)
        e.message.startsWith(file.toString() + ':2')
    }

    def "a missing inventory file is an error naming it, not a stale copy"() {
        given:
        def gone = dir.resolve('gone.groovy')
        gone.text = inventory('n3', 17003)
        pool.load(gone)
        Files.delete(gone)

        when:
        pool.load(gone)

        then:
        def e = thrown(InventoryException)
        e.message.contains(gone.toString())
        e.message.contains('no such file')
    }
}
