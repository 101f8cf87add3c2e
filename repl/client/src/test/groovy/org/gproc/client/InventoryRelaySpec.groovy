package org.gproc.client

import org.gproc.client.internal.route.RelayTree
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path

/** The inventory's relay keys and automatic tree, and what a broken one says. */
@Timeout(60)
class InventoryRelaySpec extends Specification {
    @TempDir
    Path dir

    Inventory parse(String text) {
        Path f = dir.resolve('inventory.groovy')
        Files.writeString(f, text.stripIndent())
        Inventory.load(f)
    }

    def "relay on a node, on a node-set key and on a group block, the node's own setting winning"() {
        when:
        def inv = parse('''\
            nodes {
                r1 { host = 'r1.lab' }
                r2 { host = 'r2.lab'; relay = 'r1' }
                'b[1-4]' { host = '10.0.0.1'; port = 17001; relay = 'r2' }
                'c[1-3]' { host = '10.0.0.2'; port = 17001 }
                c9 { host = '10.0.0.3'; relay = 'r2' }
            }
            groups { rack { nodes = 'c[1-3],c9'; relay = 'c1' } }
            ''')
        def tree = RelayTree.of(inv)

        then:
        inv.relayOf('b3').get() == 'r2'
        inv.relayOf('r2').get() == 'r1'
        inv.relayOf('r1').isEmpty()
        inv.relayOf('c2').get() == 'c1'
        inv.relayOf('c1').isEmpty()        // a group's relay may be its member
        inv.relayOf('c9').get() == 'r2'    // the node's own key wins
        inv.select('@rack').fold() == 'c[1-3,9]'
        tree.prefix('b3') == 'n/r2/n/b3/'
        tree.prefix('r2') == 'n/r2/'
        tree.prefix('c3') == 'n/c3/'
        tree.prefix('r1') == ''
    }

    def "a relay list on a node and on a group: the first is the relay, the rest are alternatives in order"() {
        when:
        def inv = parse('''\
            nodes {
                r1 { host = 'r1.lab' }
                r2 { host = 'r2.lab' }
                r3 { host = 'r3.lab'; relay = 'r1' }
                'b[1-4]' { host = '10.0.0.1'; port = 17001; relay = ['r3', 'r2'] }
                'c[1-3]' { host = '10.0.0.2'; port = 17001 }
            }
            groups { rack { nodes = 'c[1-3]'; relay = ['c1', 'r2'] } }
            ''')
        def tree = RelayTree.of(inv)

        then:
        inv.relayOf('b2').get() == 'r3'
        inv.relaysOf('b2') == ['r3', 'r2']
        inv.relaysOf('r3') == ['r1']
        inv.relaysOf('r1') == []
        inv.relaysOf('c3') == ['c1', 'r2']
        inv.relaysOf('c1') == []               // a group's relay may be its member
        tree.parent('b2') == 'r3'
        tree.listed('b2') == ['r3', 'r2']
        tree.prefix('b2') == 'n/r3/n/b2/'
        RelayTree.of(inv.subset('b1')).addresses().keySet() == ['b1', 'r3', 'r2', 'r1'] as Set
    }

    def "an automatic tree reaches width nodes directly and hangs at most width children under each"() {
        given:
        def inv = parse("nodes { 'n[1-10]' { host = '127.0.0.1'; port = 17001 } }\ncluster { tree { width = 3 } }")

        when:
        def tree = RelayTree.of(inv)
        def parents = (1..10).collectEntries { ["n$it".toString(), tree.parent("n$it")] }

        then:
        inv.treeWidth() == 3
        parents == [n1: null, n2: null, n3: null, n4: 'n1', n5: 'n1', n6: 'n1', n7: 'n2', n8: 'n2', n9: 'n2',
                    n10: 'n3']
        tree.prefix('n10') == 'n/n10/'
        RelayTree.of(inv.withTreeWidth(0)).hasRelays() == false
        RelayTree.of(inv.withTreeWidth(2)).prefix('n10') == 'n/n4/n/n10/'   // n10 under n4 under n1
    }

    def "a subset keeps the relays on its nodes' way, which are connected but are not its nodes"() {
        given:
        def inv = parse('''\
            nodes {
                r1 { host = 'r1.lab' }
                r2 { host = 'r2.lab'; relay = 'r1' }
                'b[1-4]' { host = '10.0.0.1'; relay = 'r2' }
            }
            ''').subset('b[2-3]')

        when:
        def tree = RelayTree.of(inv)

        then:
        inv.nodes().fold() == 'b[2-3]'
        tree.addresses().keySet() == ['b2', 'b3', 'r2', 'r1'] as Set
        tree.prefix('b2') == 'n/r2/n/b2/'
    }

    def "a broken relay setting names the node, the key and the rule"() {
        when:
        parse(text)

        then:
        def e = thrown(InventoryException)
        e.message.contains(message)

        where:
        text                                                                              | message
        "nodes { r1 { }\n b1 { relay = 'r2' } }"                                          | "inventory.groovy:2: node 'b1': relay 'r2' is not a node of the inventory (did you mean 'r1'?)"
        "nodes { r1 { }\n b1 { relay = 'zzzzzz' } }"                                      | "relay 'zzzzzz' is not a node of the inventory (a relay is a node of the same inventory)"
        "nodes { b1 { relay = 'b1' } }"                                                   | "node 'b1': relay 'b1' is the node itself"
        "nodes { r1 { relay = 'r2' }\n r2 { relay = 'r1' } }"                             | "relays form a cycle: r1 -> r2 -> r1"
        "nodes { a { relay = 'b' }\n b { relay = 'c' }\n c { relay = 'b' } }"             | "relays form a cycle: b -> c -> b"
        "nodes { b1 { relay = 5 } }"                                                      | "node 'b1': relay must be a node name in quotes or a list of them"
        "nodes { r1 { }\n b1 { relay = [] } }"                                            | "inventory.groovy:2: node 'b1': relay list is empty: name at least one relay"
        "nodes { r1 { }\n b1 { relay = ['r1', 'r9'] } }"                                  | "inventory.groovy:2: node 'b1': relay 'r9' is not a node of the inventory (did you mean 'r1'?)"
        "nodes { r1 { }\n b1 { relay = ['r1', 5] } }"                                     | "inventory.groovy:2: node 'b1': relay list holds '5': each relay is a node name in quotes"
        "nodes { r1 { }\n b1 { relay = ['r1', 'r1'] } }"                                  | "inventory.groovy:2: node 'b1': relay list names 'r1' twice"
        "nodes { b1 { relay = ['b2', 'b1'] }\n b2 { } }"                                  | "node 'b1': relay 'b1' is the node itself"
        "nodes { r1 { }\n r2 { relay = 'b1' }\n b1 { relay = ['r1', 'r2'] } }"            | "inventory.groovy:2: node 'r2': relay 'b1' is itself relayed through 'r2': relays form a cycle: r2 -> b1 -> r2"
        "nodes { 'b[1-2]' { }\n r1 { relay = 'b2' } }\ngroups { g { nodes = 'b[1-2]'; relay = ['b1', 'r1'] } }" | "node 'b2' (from '@g'): relay 'r1' is itself relayed through 'b2': relays form a cycle: b2 -> r1 -> b2"
        "nodes { b1 { rely = 'r1' } }"                                                    | "unknown setting 'rely' (did you mean 'relay'?)"
        "nodes { 'b[1-2]' { } }\ngroups { g { nodes = 'b1'; relay = 'x' } }"              | "node 'b1' (from '@g'): relay 'x' is not a node of the inventory"
        "nodes { 'b[1-3]' { } }\ngroups { g { nodes = 'b[1-2]'; relay = 'b3' }\n h { nodes = 'b2'; relay = 'b1' } }" | "node 'b2' is in @g (relay 'b3') and @h (relay 'b1')"
        "nodes { b1 { } }\ngroups { g { relay = 'b1' } }"                                 | "group 'g' needs its nodes"
        "nodes { b1 { } }\ngroups { g { nodes = 'b1'; relais = 'b1' } }"                  | "group 'g': unknown setting 'relais' (did you mean 'relay'?)"
        "nodes { b1 { } }\ncluster { tree { width = 1 } }"                                | "cluster.tree.width must be a number of at least 2"
        "nodes { b1 { } }\ncluster { tree { width = 'wide' } }"                           | "cluster.tree.width must be a number of at least 2"
        "nodes { b1 { } }\ncluster { tree { widht = 4 } }"                                | "unknown setting 'cluster.tree.widht' (did you mean 'width'?)"
        "nodes { b1 { } }\ncluster { tree { } }"                                          | "cluster.tree needs a width"
        "nodes { b1 { } }\ncluster { tre { width = 4 } }"                                 | "unknown setting 'cluster.tre' (did you mean 'tree'?)"
    }

    def "a tree width below 2 given in code is refused with the rule"() {
        given:
        def inv = parse("nodes { b1 { } }")

        when:
        inv.withTreeWidth(1)

        then:
        def e = thrown(InventoryException)
        e.message == 'tree width 1: a relay tree needs a width of at least 2 (the children each relay serves)'
    }
}
