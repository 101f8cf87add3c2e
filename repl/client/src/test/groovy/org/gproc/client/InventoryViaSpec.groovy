package org.gproc.client

import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

/** Inventory 'via': nodes behind gateways, per node or per group, one hop or several. */
@Timeout(120)
class InventoryViaSpec extends Specification {
    @TempDir
    Path dir

    Path file(String text) {
        def f = dir.resolve('inventory.groovy')
        f.text = text.stripIndent()
        f
    }

    def "a node's via names its gateway, whose address the route gives"() {
        when:
        def inv = Inventory.load(file('''\
            nodes {
                gwb { host = '10.77.1.1'; port = 5640 }
                'b[1-2]' { host = '10.77.2.2'; port = 5640; via = 'gwb' }
                a1 { host = '10.77.1.5' }
            }
            '''))

        then:
        inv.address('b2').get() == new NodeAddress('b2', '10.77.2.2', 5641, ['gwb'])
        inv.route(inv.address('b1').get())*.hostAndPort() == ['10.77.1.1:5640']
        inv.route(inv.address('a1').get()).isEmpty()
        inv.route(inv.address('gwb').get()).isEmpty()
    }

    def "a node outside the gateway's group has no route through it"() {
        when:
        def inv = Inventory.load(file('''\
            nodes {
                gwb { host = '10.77.1.1' }
                'b[1-3]' { host = '10.77.2.2'; port = 6000 }
                c1 { host = '10.77.3.1' }
            }
            groups {
                siteb { nodes = 'gwb,b[1-3]'; via = 'gwb' }
                plain = 'c1'
            }
            '''))

        then: 'the group block applies to its members but not to its own gateway'
        inv.address('b3').get().via() == ['gwb']
        inv.address('gwb').get().via() == []
        inv.address('c1').get().via() == []
        inv.groups() == [siteb: 'gwb,b[1-3]', plain: 'c1']
        inv.select('@siteb').fold() == 'b[1-3],gwb'
    }

    def "a list is several hops, and a gateway behind a gateway needs only its own via"() {
        when:
        def inv = Inventory.load(file('''\
            nodes {
                gwa { host = '10.77.1.1' }
                gwb { host = '10.77.2.1'; via = 'gwa' }
                b1 { host = '10.77.3.1'; via = ['gwa', 'gwb'] }
                c1 { host = '10.77.3.2'; via = 'gwb' }
            }
            '''))

        then:
        inv.address('b1').get().via() == ['gwa', 'gwb']
        inv.address('c1').get().via() == ['gwa', 'gwb']
        inv.route(inv.address('c1').get())*.name() == ['gwa', 'gwb']
    }

    def "a subset keeps the gateways its nodes are reached through"() {
        given:
        def inv = Inventory.load(file('''\
            nodes {
                gwb { host = '10.77.1.1' }
                b1 { host = '10.77.2.2'; via = 'gwb' }
            }
            '''))

        when:
        def only = inv.subset('b1')

        then:
        only.nodes().fold() == 'b1'
        only.route(only.address('b1').get())*.hostAndPort() == ['10.77.1.1:5640']
    }

    def "a via naming no node of the inventory is refused with the closest name: #text"() {
        when:
        Inventory.load(file(text))

        then:
        def e = thrown(InventoryException)
        e.message.endsWith(message)

        where:
        text                                                                                  || message
        "nodes {\n gwb { host = 'g' }\n b1 { host = 'b'; via = 'gwc' }\n}\n"                  || "node 'b1': via 'gwc' is not a node of this inventory (did you mean 'gwb'?)"
        "nodes {\n gwb { host = 'g' }\n b1 { host = 'b' }\n}\ngroups { s { nodes = 'b1'; via = 'gwbb' } }\n" || "group 's': via 'gwbb' is not a node of this inventory (did you mean 'gwb'?)"
        "nodes {\n gwb { host = 'g' }\n b1 { host = 'b'; via = ['gwb', 'zz9'] }\n}\n"         || "node 'b1': via 'zz9' is not a node of this inventory (via names nodes of the same inventory)"
    }

    def "a via that is not a name or a list of names, or a misspelt key, is refused naming the rule: #why"() {
        when:
        Inventory.load(file(text))

        then:
        def e = thrown(InventoryException)
        e.message.contains(message)

        where:
        why            | text                                                                   || message
        'a number'     | "nodes {\n b1 { host = 'b'; via = 7 }\n}\n"                            || "inventory.groovy:2: node 'b1': via must be a node name in quotes or a list of them"
        'empty list'   | "nodes {\n b1 { host = 'b'; via = [] }\n}\n"                           || "node 'b1': via must be a node name in quotes or a list of them"
        'misspelt key' | "nodes {\n b1 { host = 'b'; vai = 'gw' }\n}\n"                         || "node 'b1': unknown setting 'vai' (did you mean 'via'?)"
        'group key'    | "nodes {\n b1 { host = 'b' }\n}\ngroups { s { node = 'b1' } }\n"        || "group 's': unknown setting 'node' (did you mean 'nodes'?)"
        'no nodes'     | "nodes {\n b1 { host = 'b' }\n gw { }\n}\ngroups { s { via = 'gw' } }\n" || "group 's' needs its nodes"
    }

    def "a node reached through itself, or two groups disagreeing on its gateway, is refused: #why"() {
        when:
        Inventory.load(file(text))

        then:
        def e = thrown(InventoryException)
        e.message.contains(message)

        where:
        why        | text                                                                                        || message
        'itself'   | "nodes {\n b1 { host = 'b'; via = 'b1' }\n}\n"                                               || "node 'b1' would be reached through itself"
        'a loop'   | "nodes {\n a { host = 'a'; via = 'b' }\n b { host = 'b'; via = 'a' }\n}\n"                  || 'via loop: a -> b -> a'
        'conflict' | "nodes {\n g1 { }\n g2 { }\n n1 { }\n}\ngroups {\n x { nodes = 'n1'; via = 'g1' }\n y { nodes = 'n1'; via = 'g2' }\n}\n" || "node 'n1' is in group 'x' (via [g1]) and in group 'y' (via [g2]): give it its own via"
    }

    def "a written inventory reads back with the same routes"() {
        given:
        def inv = Inventory.load(file('''\
            nodes {
                gwa { host = '10.77.1.1' }
                gwb { host = '10.77.2.1'; via = 'gwa' }
                'b[1-3]' { host = '10.77.3.1'; port = 7001; via = 'gwb' }
                b4 { host = '10.77.3.1'; port = 7004 }
            }
            '''))
        Path out = dir.resolve('written.groovy')

        when:
        inv.write(out)
        def back = Inventory.load(out)

        then:
        back.addresses() as List == inv.addresses() as List
        out.text.contains("'b[1-3]' { host = '10.77.3.1'; port = 7001; via = ['gwa', 'gwb'] }")
        out.text.contains("'b4' { host = '10.77.3.1'; port = 7004 }")
    }
}
