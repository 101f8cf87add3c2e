package org.gproc.client

import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Path

/**
 * The README's inventory blocks (its ```groovy blocks that open with {@code nodes {}, {@code groups {} or
 * {@code cluster {}; REPL lines and API examples are other specs' business), read from the README itself so the
 * two cannot drift: each loads as the README says it routes, and the errors the README quotes are the ones a user
 * gets when the block is broken as the README describes.
 */
class ReadmeInventorySpec extends Specification {
    @TempDir Path dir

    static List<String> readmeBlocks() {
        Path readme = Path.of(System.getProperty('gproc.root'), 'README.md')
        List<String> blocks = []
        StringBuilder block = null
        for (String line : readme.readLines()) {
            if (block == null && line == '```groovy') {
                block = new StringBuilder()
            } else if (block != null && line.startsWith('```')) {
                if (block.toString() =~ /^(nodes|groups|cluster) \{/) {
                    blocks << block.toString()
                }
                block = null
            } else if (block != null) {
                block << line << '\n'
            }
        }
        blocks
    }

    static String block(String containing) {
        readmeBlocks().find { it.contains(containing) }
    }

    Inventory load(String text) {
        Path file = dir.resolve('cluster.groovy')
        file.text = text
        Inventory.load(file)
    }

    def "the README has its relay and gateway inventories"() {
        expect:
        readmeBlocks().size() == 2
        block("relay = 'r2'") != null
        block("via = ['gwb', 'b1']") != null
    }

    def "the relay block: relays nest, a group's relay is one of its members, and a list gives alternatives"() {
        when:
        def inv = load(block("relay = 'r2'"))

        then:
        inv.nodes().size() == 2 + 99 + 50 + 50
        inv.relaysOf('d7') == ['r1', 'c1']
        inv.relayOf('r2') == Optional.of('r1')
        inv.relayOf('b42') == Optional.of('r2')
        inv.relayOf('c7') == Optional.of('c1')
        inv.relayOf('r1').empty
    }

    def "the gateway block: a group's via and a node's list of hops, first hop first"() {
        when:
        def inv = load(block("via = ['gwb', 'b1']"))

        then:
        inv.route(inv.address('b3').get())*.name() == ['gwb']
        inv.route(inv.address('c1').get())*.name() == ['gwb', 'b1']
        inv.route(inv.address('gwb').get()).empty
    }

    def "the relay error the README quotes is the one a misspelt relay gets"() {
        when:
        load(block("relay = 'r2'").replace("port = 5640; relay = 'r2'", "port = 5640; relay = 'rr2'"))

        then:
        def e = thrown(InventoryException)
        e.message.endsWith(":4: node 'b1' (from 'b[1-99]'): relay 'rr2' is not a node of the inventory (did you mean 'r2'?)")
    }

    def "the cycle error the README quotes is the one two relays naming each other get"() {
        when:
        load(block("relay = 'r2'").replace("r1 { host = 'r1.lab' }", "r1 { host = 'r1.lab'; relay = 'r2' }"))

        then:
        def e = thrown(InventoryException)
        e.message.contains('relays form a cycle: r1 -> r2 -> r1')
    }

    def "the via error the README quotes is the one a misspelt gateway gets"() {
        when:
        load(block("via = ['gwb', 'b1']").replace("via = 'gwb'", "via = 'gwc'"))

        then:
        def e = thrown(InventoryException)
        e.message.contains("via 'gwc' is not a node of this inventory (did you mean 'gwb'?)")
        e.message.contains('cluster.groovy:')
    }
}
