package org.gproc.client

import spock.lang.Specification
import spock.lang.Timeout
import spock.lang.Unroll

/**
 * Hostlist against ClusterShell's own `nodeset` tool. Every expected value below was printed by ClusterShell 1.9.1
 * (Debian package clustershell 1.9.1-1) with `nodeset -e`, `nodeset -f` and `nodeset -c`; the suite does not need
 * ClusterShell installed. src/test/resources/nodeset-clustershell-1.9.1.tsv adds 1,500 random expressions (many of
 * them multi-dimensional set algebra) with the results of the same ClusterShell version.
 */
@Timeout(60)
class HostlistSpec extends Specification {

    @Unroll
    def "'#expression' expands, folds and counts as ClusterShell's nodeset does"() {
        when:
        def nodes = Hostlist.parse(expression)

        then:
        nodes.expand().join(' ') == expanded
        nodes.fold() == folded
        nodes.size() == count
        nodes.toString() == folded
        nodes.iterator().collect() == nodes.expand()

        where:
        expression | expanded | folded | count
        'n1' | 'n1' | 'n1' | 1
        'n[1-4]' | 'n1 n2 n3 n4' | 'n[1-4]' | 4
        'n[99999999999999999-100000000000000001]' | 'n99999999999999999 n100000000000000000 n100000000000000001' | 'n[99999999999999999-100000000000000001]' | 3
        'n123456789012345678901234,n1' | 'n1 n123456789012345678901234' | 'n[1,123456789012345678901234]' | 2
        'n[01-64,80]' | 'n01 n02 n03 n04 n05 n06 n07 n08 n09 n10 n11 n12 n13 n14 n15 n16 n17 n18 n19 n20 n21 n22 n23 n24 n25 n26 n27 n28 n29 n30 n31 n32 n33 n34 n35 n36 n37 n38 n39 n40 n41 n42 n43 n44 n45 n46 n47 n48 n49 n50 n51 n52 n53 n54 n55 n56 n57 n58 n59 n60 n61 n62 n63 n64 n80' | 'n[01-64,80]' | 65
        'n[01-10]' | 'n01 n02 n03 n04 n05 n06 n07 n08 n09 n10' | 'n[01-10]' | 10
        'n[1-10],n1' | 'n1 n2 n3 n4 n5 n6 n7 n8 n9 n10' | 'n[1-10]' | 10
        'n[01-10],n1' | 'n1 n01 n02 n03 n04 n05 n06 n07 n08 n09 n10' | 'n[1,01-10]' | 11
        'n[1,01,001]' | 'n1 n01 n001' | 'n[1,01,001]' | 3
        'n1,n01,n001,n2,n10' | 'n1 n2 n01 n10 n001' | 'n[1-2,01,10,001]' | 5
        'n10,n9,n1,n01' | 'n1 n9 n01 n10' | 'n[1,9,01,10]' | 4
        'n[8-9],n[09-10]' | 'n8 n9 n09 n10' | 'n[8-9,09-10]' | 4
        'n[98-101]' | 'n98 n99 n100 n101' | 'n[98-101]' | 4
        'n[098-101]' | 'n098 n099 n100 n101' | 'n[098-101]' | 4
        'n[099-101]' | 'n099 n100 n101' | 'n[099-101]' | 3
        'n[0-00]' | 'n0' | 'n0' | 1
        'n[0-3/2]' | 'n0 n2' | 'n[0,2]' | 2
        'n[1-10/2]' | 'n1 n3 n5 n7 n9' | 'n[1,3,5,7,9]' | 5
        'n[00-10/5]' | 'n00 n05 n10' | 'n[00,05,10]' | 3
        'n[1-10/3],n[2-10/3]' | 'n1 n2 n4 n5 n7 n8 n10' | 'n[1-2,4-5,7-8,10]' | 7
        'r[1-2]n[1-4]' | 'r1n1 r1n2 r1n3 r1n4 r2n1 r2n2 r2n3 r2n4' | 'r[1-2]n[1-4]' | 8
        'r[1-2]n[01-16]' | 'r1n01 r1n02 r1n03 r1n04 r1n05 r1n06 r1n07 r1n08 r1n09 r1n10 r1n11 r1n12 r1n13 r1n14 r1n15 r1n16 r2n01 r2n02 r2n03 r2n04 r2n05 r2n06 r2n07 r2n08 r2n09 r2n10 r2n11 r2n12 r2n13 r2n14 r2n15 r2n16' | 'r[1-2]n[01-16]' | 32
        'r1n[1-2],r2n1' | 'r1n1 r1n2 r2n1' | 'r1n[1-2],r2n1' | 3
        'r1n[1-2],r2n[1-2]' | 'r1n1 r1n2 r2n1 r2n2' | 'r[1-2]n[1-2]' | 4
        'r[1-2]n[1-2]!r1n1' | 'r2n1 r2n2 r1n2' | 'r2n[1-2],r1n2' | 3
        'r[1-3]n[1-3]!r2n2' | 'r1n1 r1n2 r1n3 r3n1 r3n2 r3n3 r2n1 r2n3' | 'r[1,3]n[1-3],r2n[1,3]' | 8
        'r[1-2]n[1-2],r3n[1-3]' | 'r1n1 r1n2 r2n1 r2n2 r3n1 r3n2 r3n3' | 'r[1-2]n[1-2],r3n[1-3]' | 7
        'x[1-2]y[1-2]z[1-2]!x1y1z1' | 'x2y1z1 x2y1z2 x2y2z1 x2y2z2 x1y2z1 x1y2z2 x1y1z2' | 'x2y[1-2]z[1-2],x1y2z[1-2],x1y1z2' | 7
        'x[1-2]y[1-2]z[1-2]&x[2-3]y2z[1-9]' | 'x2y2z1 x2y2z2' | 'x2y2z[1-2]' | 2
        'r[1-4]n[1-4]^r[3-6]n[3-6]' | 'r1n1 r1n2 r1n3 r1n4 r2n1 r2n2 r2n3 r2n4 r3n1 r3n2 r3n5 r3n6 r4n1 r4n2 r4n5 r4n6 r5n3 r5n4 r5n5 r5n6 r6n3 r6n4 r6n5 r6n6' | 'r[1-2]n[1-4],r[3-4]n[1-2,5-6],r[5-6]n[3-6]' | 24
        'n[1-2]-ib[0-1]' | 'n1-ib0 n1-ib1 n2-ib0 n2-ib1' | 'n[1-2]-ib[0-1]' | 4
        'n[1-3]x' | 'n1x n2x n3x' | 'n[1-3]x' | 3
        'n[1-3]x[1-2]y' | 'n1x1y n1x2y n2x1y n2x2y n3x1y n3x2y' | 'n[1-3]x[1-2]y' | 6
        'n[1-2]0' | 'n10 n20' | 'n[10,20]' | 2
        'n1[0-2]' | 'n10 n11 n12' | 'n[10-12]' | 3
        'n1[1-9/2]' | 'n11 n13 n15 n17 n19' | 'n[11,13,15,17,19]' | 5
        'n0[1-3]' | 'n01 n02 n03' | 'n[01-03]' | 3
        'n[1-3]00' | 'n100 n200 n300' | 'n[100,200,300]' | 3
        '[1-3]' | '1 2 3' | '[1-3]' | 3
        '1,2,3' | '1 2 3' | '[1-3]' | 3
        'n[-2-2]' | 'n-2 n-1 n0 n1 n2' | 'n[-2-2]' | 5
        'n[1-3]!n2' | 'n1 n3' | 'n[1,3]' | 2
        'n[1-5]&n[3-8]' | 'n3 n4 n5' | 'n[3-5]' | 3
        'n[1-5]^n[3-8]' | 'n1 n2 n6 n7 n8' | 'n[1-2,6-8]' | 5
        'n[1-5],n[3-8]!n4' | 'n1 n2 n3 n5 n6 n7 n8' | 'n[1-3,5-8]' | 7
        'n[1-8]!n3&n[2-5]' | 'n2 n4 n5' | 'n[2,4-5]' | 3
        'n[1-8]^n[1-8]' | '' | '' | 0
        'n1!n1' | '' | '' | 0
        'n!n' | '' | '' | 0
        'n,n' | 'n' | 'n' | 1
        'a,b1,a1,a%b' | 'a a%b a1 b1' | 'a,a%b,a1,b1' | 4
        'login,head,n[1-2]' | 'head login n1 n2' | 'head,login,n[1-2]' | 4
        ' n[1-2] , n3 ' | 'n1 n2 n3' | 'n[1-3]' | 3
        'n[1 - 3]' | 'n1 n2 n3' | 'n[1-3]' | 3
        'n[ 1 , 3 ]' | 'n1 n3' | 'n[1,3]' | 2
        'node[001-003]-ipmi,node[001-003]' | 'node001 node002 node003 node001-ipmi node002-ipmi node003-ipmi' | 'node[001-003],node[001-003]-ipmi' | 6
        'cn[1-4]p[0-1],cn5p[0-1]' | 'cn1p0 cn1p1 cn2p0 cn2p1 cn3p0 cn3p1 cn4p0 cn4p1 cn5p0 cn5p1' | 'cn[1-5]p[0-1]' | 10
    }

    def "random expressions match ClusterShell 1.9.1 on every case of the recorded table"() {
        given:
        def cases = getClass().getResource('/nodeset-clustershell-1.9.1.tsv').readLines('UTF-8')
                .findAll { !it.startsWith('#') }
                .collect { it.split('\t', -1) }
        def mismatches = []

        when:
        cases.each { String[] c ->
            def expression = c[0]
            try {
                def nodes = Hostlist.fromList(expression.readLines())
                if (c[1] == 'ERROR') {
                    mismatches << "accepted '$expression' -> ${nodes.fold()}"
                } else if (nodes.expand().join(' ') != c[1] || nodes.fold() != c[2] || nodes.size() != (c[3] as int)) {
                    mismatches << "'$expression': expected ${c[2]} got ${nodes.fold()}"
                }
            } catch (NodeSetException e) {
                if (c[1] != 'ERROR') {
                    mismatches << "rejected '$expression': ${e.message}"
                }
            }
        }

        then:
        cases.size() == 1500
        mismatches == []
    }

    @Unroll
    def "bad input '#expression' is refused with: #message"() {
        when:
        Hostlist.parse(expression)

        then:
        def e = thrown(NodeSetException)
        e.message == message
        e.culprit() == culprit

        where:
        expression         | message                                                                               | culprit
        'n[5-3]'           | "nodeset: bad range 'n[5-3]': start > end"                                            | 'n[5-3]'
        'n[1-3,5-3]'       | "nodeset: bad range '5-3' in 'n[1-3,5-3]': start > end"                               | '5-3'
        'n[1-3'            | "nodeset: unbalanced brackets in 'n[1-3': missing ']'"                                | 'n[1-3'
        'n1-3]'            | "nodeset: unbalanced brackets in 'n1-3]': unexpected ']'"                             | 'n1-3]'
        'n[[1-2]]'         | "nodeset: unbalanced brackets in 'n[[1-2]]': unexpected ']'"                          | 'n[[1-2]]'
        'a,n[1]x]'         | "nodeset: unbalanced brackets in 'n[1]x]': unexpected ']'"                            | 'n[1]x]'
        'n[]'              | "nodeset: bad range 'n[]': empty range"                                               | 'n[]'
        'n[a-b]'           | "nodeset: bad range 'n[a-b]': not a number or a range"                                | 'n[a-b]'
        'n[1-2/x]'         | "nodeset: bad range 'n[1-2/x]': step is not a number"                                 | 'n[1-2/x]'
        'n[1/2]'           | "nodeset: bad range 'n[1/2]': a step needs a range (a-b/step)"                        | 'n[1/2]'
        'n[1-2/0]'         | "nodeset: bad range 'n[1-2/0]': step must be at least 1"                              | 'n[1-2/0]'
        'n[01-100]'        | "nodeset: bad range 'n[01-100]': padding length mismatch ('01' and '100' must have the same number of digits)" | 'n[01-100]'
        'n[-05-03]'        | "nodeset: bad range 'n[-05-03]': padding not supported in negative ranges"           | 'n[-05-03]'
        'n[1-2-3-4]'       | "nodeset: bad range 'n[1-2-3-4]': start > end"                                       | 'n[1-2-3-4]'
        'n[1-100000000]'   | "nodeset: bad range 'n[1-100000000]': range too large (more than 10000000 indexes)"   | 'n[1-100000000]'
        'n[100000000000000000000-99999999999999999999]' | "nodeset: bad range 'n[100000000000000000000-99999999999999999999]': start > end" | 'n[100000000000000000000-99999999999999999999]'
        'n[1-100000000000000000000]' | "nodeset: bad range 'n[1-100000000000000000000]': range too large (more than 10000000 indexes)" | 'n[1-100000000000000000000]'
        'n[1-3][1-2]'      | "nodeset: bad node set 'n[1-3][1-2]': a range cannot follow another range directly"   | 'n[1-3][1-2]'
        'n[1-4/2]0'        | "nodeset: bad node set 'n[1-4/2]0': digits cannot follow a range with steps"          | 'n[1-4/2]0'
        'n[1-3],'          | "nodeset: missing operand for ',' in 'n[1-3],'"                                       | 'n[1-3],'
        ',n1'              | "nodeset: missing operand for ',' in ',n1'"                                           | ',n1'
        'n1!'              | "nodeset: missing operand for '!' in 'n1!'"                                           | 'n1!'
        'n1!!n2'           | "nodeset: missing operand for '!' in 'n1!!n2'"                                        | 'n1!!n2'
        'n1& ,n2'          | "nodeset: missing operand for ',' in 'n1& ,n2'"                                       | 'n1& ,n2'
        '@compute'         | "nodeset: unknown group '@compute' (no groups are defined)"                           | '@compute'
    }

    // Expected values printed by ClusterShell 1.9.1's nodeset with a groups.conf holding the same groups.
    def "groups resolve through the resolver, with ranges in group names, @* and nested groups"() {
        given:
        def groups = GroupResolver.of(
                [compute: 'n[1-8]', gpu: 'n[7-8],g1', rack1: 'n[1-4]', rack2: 'n[5-8]', all: '@rack[1-2],@gpu'],
                ['n[1-8]', 'g1', 'login'])

        expect:
        Hostlist.parse(expression, groups).fold() == folded

        where:
        expression          | folded
        '@compute'          | 'n[1-8]'
        '@compute!@gpu'     | 'n[1-6]'
        '@compute&@gpu'     | 'n[7-8]'
        '@compute^@gpu'     | 'g1,n[1-6]'
        '@rack[1-2]'        | 'n[1-8]'
        '@all'              | 'g1,n[1-8]'
        '@*'                | 'g1,login,n[1-8]'
        '@*!@compute'       | 'g1,login'
        'n*'                | 'n[1-8]'
        'n?'                | 'n[1-8]'
        'n[1-2]*'           | 'n[1-2]'
        '*!n*'              | 'g1,login'
        'x*'                | ''
        'n[1-2],@gpu'       | 'g1,n[1-2,7-8]'
    }

    def "an unknown group is refused naming the group and the known ones"() {
        given:
        def groups = GroupResolver.of([compute: 'n[1-8]', gpu: 'n[7-8]'], ['n[1-8]'])

        when:
        Hostlist.parse('n1,@cpmpute', groups)

        then:
        def e = thrown(NodeSetException)
        e.message == "nodeset: unknown group '@cpmpute' (known groups: compute, gpu)"
        e.culprit() == '@cpmpute'
    }

    def "a group cycle is refused naming the cycle, and a bad group expression names its group"() {
        given:
        def groups = GroupResolver.of([a: 'n1,@b', b: '@a', broken: 'n[3-1]'], [])

        when:
        Hostlist.parse(expression, groups)

        then:
        def e = thrown(NodeSetException)
        e.message == message

        where:
        expression | message
        '@a'       | 'nodeset: group cycle @a -> @b -> @a'
        '@broken'  | "nodeset: bad range 'n[3-1]': start > end (in group '@broken')"
    }

    def "set operations on Hostlist objects match the operators of the syntax"() {
        given:
        def a = Hostlist.parse('r[1-4]n[1-4]')
        def b = Hostlist.parse('r[3-6]n[3-6]')

        expect:
        a.union(b) == Hostlist.parse('r[1-4]n[1-4],r[3-6]n[3-6]')
        a.difference(b).fold() == Hostlist.parse('r[1-4]n[1-4]!r[3-6]n[3-6]').fold()
        a.intersection(b).fold() == 'r[3-4]n[3-4]'
        a.symmetricDifference(b).fold() == 'r[1-2]n[1-4],r[3-4]n[1-2,5-6],r[5-6]n[3-6]'
        a.containsAll(a.intersection(b))
        !a.containsAll(b)
        a.contains('r2n3')
        a.contains('r[1-2]n1')
        !a.contains('r5n1')
    }

    def "equal sets are equal whatever their folding, and hash alike"() {
        expect:
        Hostlist.parse('r1n[1-2],r2n[1-2]') == Hostlist.parse('r[1-2]n[1-2]')
        Hostlist.parse('r1n[1-2],r2n[1-2]').hashCode() == Hostlist.parse('r[1-2]n[1-2]').hashCode()
        Hostlist.parse('n[1-3]') != Hostlist.parse('n[1-4]')
        Hostlist.parse('n1') != Hostlist.parse('n01')
        Hostlist.parse('') == Hostlist.empty()
        Hostlist.parse('  ').isEmpty()
    }

    def "Groovy users get each, collect, findAll and GString lists for free"() {
        given:
        def nodes = Hostlist.fromList((1..4).collect { "n$it" })

        expect:
        nodes.fold() == 'n[1-4]'
        nodes.collect { it.toUpperCase() } == ['N1', 'N2', 'N3', 'N4']
        nodes.findAll { it.endsWith('2') || it.endsWith('4') } == ['n2', 'n4']
        nodes.stream().count() == 4
        Hostlist.of('n3', 'n1', 'n2').fold() == 'n[1-3]'
    }

    def "ten thousand nodes parse, fold and combine (timing is measured by bench scripts, not asserted)"() {
        given:
        def names = (1..10000).collect { "n$it".toString() }.reverse()

        expect:
        Hostlist.parse('n[1-10000]').size() == 10000
        Hostlist.fromList(names).fold() == 'n[1-10000]'
        Hostlist.parse(names.join(',')).fold() == 'n[1-10000]'
        Hostlist.parse('n[1-10000]!n[2-10000/2]').size() == 5000
        Hostlist.parse('r[1-100]n[1-100]!r50n50').fold() == 'r[1-49,51-100]n[1-100],r50n[1-49,51-100]'
    }
}
