package org.gproc.client

import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

@Timeout(120)
class InventorySpec extends Specification {
    @TempDir
    Path dir

    Path file(String name = 'inventory.groovy', String text) {
        def f = dir.resolve(name)
        Files.createDirectories(f.parent)
        f.text = text.stripIndent()
        f
    }

    def "a file names nodes, node-set keys with counting ports, groups and key files relative to itself"() {
        given:
        def f = file('''\
            cluster { knownHosts = 'keys/known_hosts' ; identity = '/abs/id' }
            nodes {
                n1 { host = '10.0.0.1'; port = 5640 }
                'n[2-4]' { host = '127.0.0.1'; port = 17002 }   // ports 17002..17004
                login { }
            }
            groups { compute = 'n[2-4]' }
            groups.'gpu-nodes' = 'n[3-4]'
            '''.stripIndent())

        when:
        def inv = Inventory.load(f)

        then:
        inv.source() == f.toString()
        inv.nodes().fold() == 'login,n[1-4]'
        inv.addresses()*.hostAndPort() == ['login:5640', '10.0.0.1:5640', '127.0.0.1:17002', '127.0.0.1:17003',
                                          '127.0.0.1:17004']
        inv.address('n3').get() == new NodeAddress('n3', '127.0.0.1', 17003)
        inv.address('n9').isEmpty()
        inv.groups() == [compute: 'n[2-4]', 'gpu-nodes': 'n[3-4]']
        inv.select('@compute!@gpu-nodes').fold() == 'n2'
        inv.select('@*').size() == 5
        inv.select('n*').fold() == 'n[1-4]'
        inv.knownHosts().get() == dir.resolve('keys/known_hosts')
        inv.identity().get() == Path.of('/abs/id')
    }

    def "selecting a node that is not in the inventory is refused naming it"() {
        given:
        def inv = Inventory.load(file("nodes { 'n[1-4]' { host = 'h' } }"))

        when:
        inv.select('n[3-6]')

        then:
        def e = thrown(NodeSetException)
        e.message == "nodeset: n[5-6] are not in the inventory (${dir.resolve('inventory.groovy')})"
    }

    def "one 'n[1-10000]' entry and a 1000-line per-node file both load (read without compiling Groovy)"() {
        given:
        def big = file('big.groovy', "nodes { 'n[1-10000]' { host = '127.0.0.1'; port = 20000 } }")
        def perNode = file('per-node.groovy', "nodes {\n" + (1..1000).collect {
            "    n$it { host = '10.0.${it.intdiv(256)}.${it % 256}'; port = ${5000 + it} }"
        }.join('\n') + '\n}\n')

        when:
        def a = Inventory.load(big)
        def b = Inventory.load(perNode)

        then:
        a.nodes().size() == 10000
        a.address('n10000').get().port() == 29999
        b.nodes().fold() == 'n[1-1000]'
        b.address('n300').get() == new NodeAddress('n300', '10.0.1.44', 5300)
    }

    def "a file using more Groovy than declarations is run by ConfigSlurper"() {
        given:
        def f = file('''\
            def base = 17000
            nodes {
                for (i in 1..3) {
                    "n$i" { host = '127.0.0.1'; port = base + i }
                }
            }
            '''.stripIndent())

        expect:
        Inventory.load(f).addresses()*.hostAndPort() == ['127.0.0.1:17001', '127.0.0.1:17002', '127.0.0.1:17003']
    }

    def "a broken inventory is refused naming file, line and rule: #why"() {
        given:
        def f = file(text.stripIndent())

        when:
        Inventory.load(f)

        then:
        def e = thrown(InventoryException)
        e.message == "$f:$message"

        where:
        why                   | text                                                            | message
        'misspelt setting'    | "nodes {\n  n1 { hots = 'x' }\n}"                               | "2: node 'n1': unknown setting 'hots' (did you mean 'host'?)"
        'unknown setting'     | "nodes {\n  n1 { user = 'x' }\n}"                               | "2: node 'n1': unknown setting 'user' (a node takes host, port, relay and via)"
        'port out of range'   | "nodes {\n  n1 { port = 70000 }\n}"                             | "2: node 'n1': port 70000 out of range 1-65535"
        'ports run past 65535'| "nodes {\n  'n[1-10]' { host = 'h'; port = 65530 }\n}"         | "2: node 'n[1-10]': ports 65530-65539 out of range 1-65535"
        'own hosts, bad port' | "nodes {\n  'gpu[1-4]' { port = 0 }\n}"                          | "2: node 'gpu[1-4]': port 0 out of range 1-65535"
        'port not a number'   | "nodes {\n  n1 {\n    port = '22'\n  }\n}"                      | "3: node 'n1': port must be a number"
        'bad node set key'    | "nodes {\n  'n[5-3]' { host = 'h' }\n}"                         | "2: node key 'n[5-3]': bad range 'n[5-3]': start > end"
        'node defined twice'  | "nodes {\n  n2 { }\n  'n[1-4]' { }\n}"                          | "3: node 'n2' is defined twice (by 'n2' and 'n[1-4]')"
        'group of strangers'  | "nodes { 'n[1-4]' { } }\ngroups {\n  compute = 'n[3-9]'\n}"     | "3: group 'compute' names nodes that are not in the inventory: n[5-9]"
        'unknown group'       | "nodes { n1 { } }\ngroups {\n  a = '@b'\n}"                     | "3: group 'a': unknown group '@b' (known groups: a)"
        'bad group name'      | "nodes { n1 { } }\ngroups.'a,b' = 'n1'"                         | "2: group name 'a,b' may not contain any of @,!&^*?[]% or spaces"
        'unknown section'     | "nodes { n1 { } }\nnode { n2 { } }"                             | "2: unknown section 'node' (did you mean 'nodes'?)"
        'unknown cluster key' | "cluster {\n  knownhost = 'x'\n}\nnodes { n1 { } }"             | "2: unknown setting 'cluster.knownhost' (did you mean 'knownHosts'?)"
        'no nodes'            | "cluster { identity = 'id' }"                                   | " defines no nodes (add a nodes { n1 { host = '...' } } block)"
        'unclosed block'      | "nodes {\n  n1 { host = 'x' \n\n"                               | "2: block 'n1' is never closed (missing '}')"
        'Groovy syntax error' | "nodes {\n  n1 { host = }\n}"                                    | "1:7: Unexpected input: '{'"
        'Groovy runtime error'| "def x = 0\nnodes {\n  n1 { port = 1 / x }\n}"                   | "3: Division by zero"
        'fallback keeps lines'| "def p = 5\nnodes {\n  n1 { hots = 'x' }\n}"                     | "3: node 'n1': unknown setting 'hots' (did you mean 'host'?)"
    }

    def "a missing file is refused naming it"() {
        when:
        Inventory.load(dir.resolve('nope.groovy'))

        then:
        def e = thrown(InventoryException)
        e.message == "inventory: ${dir.resolve('nope.groovy')}: no such file"
    }

    def "GPROC_NODES names nodes on one host with counting ports, or nodes that are their own hosts"() {
        expect:
        Inventory.fromNodesSpec(spec, 5640).addresses()*.toString() == expected

        where:
        spec                                   | expected
        'n[1-3]=127.0.0.1:17001'               | ['NodeAddress[name=n1, host=127.0.0.1, port=17001]', 'NodeAddress[name=n2, host=127.0.0.1, port=17002]', 'NodeAddress[name=n3, host=127.0.0.1, port=17003]']
        'node[01-02]'                          | ['NodeAddress[name=node01, host=node01, port=5640]', 'NodeAddress[name=node02, host=node02, port=5640]']
        'node[01-02]:6000'                     | ['NodeAddress[name=node01, host=node01, port=6000]', 'NodeAddress[name=node02, host=node02, port=6000]']
        'b=[::1]:7 ; a=h'                      | ['NodeAddress[name=a, host=h, port=5640]', 'NodeAddress[name=b, host=::1, port=7]']
        'n[3,1]=h:100  10.0.0.9'               | ['NodeAddress[name=10.0.0.9, host=10.0.0.9, port=5640]', 'NodeAddress[name=n1, host=h, port=100]', 'NodeAddress[name=n3, host=h, port=101]']
    }

    def "bad GPROC_NODES is refused naming the entry: #spec"() {
        when:
        Inventory.fromNodesSpec(spec, 5640)

        then:
        def e = thrown(InventoryException)
        e.message == message

        where:
        spec                 | message
        'n1=h:99999'         | "GPROC_NODES: entry 'n1=h:99999': port '99999' is not a number in 1-65535"
        'n1=h:x'             | "GPROC_NODES: entry 'n1=h:x': port 'x' is not a number in 1-65535"
        'n1='                | "GPROC_NODES: entry 'n1=' has no host after '='"
        'n[1-2]=h n2=g'      | "GPROC_NODES: node 'n2' is named twice"
        'n[2-1]=h'           | "GPROC_NODES: entry 'n[2-1]=h': bad range 'n[2-1]': start > end"
        'n[1-2]=h:65535'     | "GPROC_NODES: entry 'n[1-2]=h:65535': ports run past 65535"
        ' ; '                | 'GPROC_NODES: names no node'
    }

    def "SLURM_JOB_NODELIST makes each node of the hostlist its own host"() {
        expect:
        Inventory.fromSlurm('node[01-02],gpu7', 5640).addresses()*.hostAndPort() ==
                ['gpu7:5640', 'node01:5640', 'node02:5640']

        when:
        Inventory.fromSlurm('node[01-', 5640)

        then:
        def e = thrown(InventoryException)
        e.message == "SLURM_JOB_NODELIST: unbalanced brackets in 'node[01-': missing ']'"
    }

    def "the first source found wins: -i, then GPROC_NODES, then SLURM_JOB_NODELIST, then ~/.gproc/inventory.groovy"() {
        given:
        def home = dir.resolve('home')
        file('home/.gproc/inventory.groovy', "nodes { h1 { } }")
        def explicit = file('explicit.groovy', "cluster { knownHosts = 'kh' }\nnodes { x1 { } }")
        def both = [GPROC_NODES: 'g1=127.0.0.1:7000', SLURM_JOB_NODELIST: 's[1-2]']

        expect:
        Inventory.locate(explicit, both, home).nodes().fold() == 'x1'
        Inventory.locate(null, both, home).nodes().fold() == 'g1'
        Inventory.locate(null, [SLURM_JOB_NODELIST: 's[1-2]', GPROC_PORT: '6000'], home).addresses()*.hostAndPort() == ['s1:6000', 's2:6000']
        Inventory.locate(null, [GPROC_NODES: '  '], home).nodes().fold() == 'h1'

        and: 'key files come from the source, else from ~/.gproc'
        Inventory.locate(explicit, [:], home).knownHosts().get() == dir.resolve('kh')
        Inventory.locate(explicit, [:], home).identity().get() == home.resolve('.gproc/id_ed25519')
        Inventory.locate(null, both, home).knownHosts().get() == home.resolve('.gproc/known_hosts')
    }

    def "with no source at all the error says how to give one"() {
        when:
        Inventory.locate(null, [:], dir.resolve('empty-home'))

        then:
        def e = thrown(InventoryException)
        e.message == "no inventory: pass -i FILE, set GPROC_NODES (e.g. 'n[1-4]=127.0.0.1:17001'), run inside a " +
                "Slurm allocation, or write ${dir.resolve('empty-home/.gproc/inventory.groovy')}"
    }

    def "a bad GPROC_PORT is refused"() {
        when:
        Inventory.locate(null, [SLURM_JOB_NODELIST: 'n1', GPROC_PORT: 'http'], dir)

        then:
        def e = thrown(InventoryException)
        e.message == "GPROC_PORT: 'http' is not a port number in 1-65535"
    }

    def "the writer produces the compact format, and reading it back gives the same inventory"() {
        given:
        def nodes = (1..4).collect { new NodeAddress("n$it", '127.0.0.1', 17000 + it) } +
                [new NodeAddress('n5', '127.0.0.1', 17100), new NodeAddress('n6', '10.0.0.6', 17101),
                 new NodeAddress('r1n1', 'r1', 5640), new NodeAddress('r1n2', 'r1', 5641)]
        def inv = Inventory.of('test', nodes, [compute: 'n[1-6]', 'gpu-nodes': 'r1n[1-2]'])
                .withKnownHosts(dir.resolve('inventory.groovy.known_hosts'))
        def out = dir.resolve('inventory.groovy')

        when:
        inv.write(out)
        def back = Inventory.load(out)

        then:
        out.text == """\
            // gproc inventory: node names -> node daemon host and port; groups are node sets used as @name.
            cluster {
                knownHosts = 'inventory.groovy.known_hosts'
            }
            nodes {
                'n[1-4]' { host = '127.0.0.1'; port = 17001 }
                'n5' { host = '127.0.0.1'; port = 17100 }
                'n6' { host = '10.0.0.6'; port = 17101 }
                'r1n[1-2]' { host = 'r1'; port = 5640 }
            }
            groups {
                compute = 'n[1-6]'
            }
            groups.'gpu-nodes' = 'r1n[1-2]'
            """.stripIndent()
        back.addresses() as List == inv.addresses() as List
        back.groups() == inv.groups()
        back.knownHosts() == inv.knownHosts()
    }

    def "every cluster setting and each node's relays survive a write and a read: tree, confirmAbove, relay"() {
        given:
        def f = file('''\
            cluster {
                tree { width = 8 }
                confirmAbove = 256
            }
            nodes {
                'r1' { host = '127.0.0.1'; port = 17001 }
                'r2' { host = '127.0.0.1'; port = 17009 }
                'n[1-3]' { host = '127.0.0.1'; port = 17002; relay = 'r1' }
                'n4' { host = '127.0.0.1'; port = 17005; relay = ['r1', 'r2'] }
            }
            '''.stripIndent())
        def inv = Inventory.load(f)
        def out = dir.resolve('written.groovy')

        when:
        inv.write(out)
        def back = Inventory.load(out)

        then:
        out.text.contains('    tree { width = 8 }\n') && out.text.contains('    confirmAbove = 256\n')
        out.text.contains("'n[1-3]' { host = '127.0.0.1'; port = 17002; relay = 'r1' }")
        back.treeWidth() == 8
        back.confirmAbove() == 256
        out.text.contains("'n4' { host = '127.0.0.1'; port = 17005; relay = ['r1', 'r2'] }")
        back.relays() == [n1: ['r1'], n2: ['r1'], n3: ['r1'], n4: ['r1', 'r2']]
        back.addresses() as List == inv.addresses() as List
    }

    def "an inventory without those settings is written without them, and a bad confirmAbove is still refused on read"() {
        given:
        def plain = Inventory.load(file("nodes { 'n1' { host = '127.0.0.1'; port = 17001 } }\n"))

        when:
        String text = plain.toText(dir)

        then:
        !text.contains('cluster') && !text.contains('relay')

        when:
        Inventory.load(file(text.replace('nodes {', 'cluster { confirmAbove = 0 }\nnodes {')))

        then:
        InventoryException e = thrown()
        e.message.contains('cluster.confirmAbove must be a number of nodes of at least 1')
    }

    def "a node-set key without host gives every node (its own host) the same port; with host, ports count up"() {
        given:
        def f = file('''\
            nodes {
                'gpu[1-4]' { port = 5640 }
                'cpu[1-2]' { }
                'vm[1-3]' { host = '10.0.0.9'; port = 6000 }
            }
            '''.stripIndent())

        expect:
        Inventory.load(f).addresses()*.hostAndPort() == ['cpu1:5640', 'cpu2:5640', 'gpu1:5640', 'gpu2:5640',
                                                        'gpu3:5640', 'gpu4:5640', '10.0.0.9:6000', '10.0.0.9:6001',
                                                        '10.0.0.9:6002']
    }

    def "nodes that are their own hosts on one port are written as one key without host, and read back the same"() {
        given:
        def nodes = (1..4).collect { new NodeAddress("gpu$it", "gpu$it", 5640) } +
                [new NodeAddress('gpu5', 'gpu5', 5641), new NodeAddress('n1', '127.0.0.1', 17001),
                 new NodeAddress('n2', '127.0.0.1', 17002), new NodeAddress('n3', 'n3', 17003)]
        def inv = Inventory.of('test', nodes, [:])
        def out = dir.resolve('inventory.groovy')

        when:
        inv.write(out)

        then:
        out.text.readLines().findAll { it.startsWith('    ') } == [
                "    'gpu[1-4]' { port = 5640 }",
                "    'gpu5' { host = 'gpu5'; port = 5641 }",
                "    'n[1-2]' { host = '127.0.0.1'; port = 17001 }",
                "    'n3' { host = 'n3'; port = 17003 }"]
        Inventory.load(out).addresses() as List == inv.addresses() as List
    }

    def "the writer keeps 10000 nodes on one line when their ports count up"() {
        given:
        def inv = Inventory.of('test', (1..10000).collect { new NodeAddress("n$it", '127.0.0.1', 20000 + it) }, [:])

        expect:
        inv.toText(dir).readLines()[2] == "    'n[1-10000]' { host = '127.0.0.1'; port = 20001 }"
    }
}
