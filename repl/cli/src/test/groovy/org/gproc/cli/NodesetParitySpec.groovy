package org.gproc.cli

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import org.gproc.client.GprocRunner
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * gproc nodeset against the real ClusterShell 1.9 nodeset on one table of a few hundred argument lists, generated
 * from families (folding, expansion, counting, operators, steps, padding, big indexes, nD, options, groups, malformed
 * input): each row must print the same standard output and exit with the same status. Both see the same groups:
 * gproc through its inventory, ClusterShell through a groups.conf ($CLUSTERSHELL_CFGDIR) whose default source,
 * named {@code inventory} as gproc names the inventory's groups, holds the same groups.
 */
@Timeout(600)
@Requires(value = { Files.isExecutable(Path.of('/usr/bin/nodeset')) },
        reason = 'ClusterShell is not installed (apt-get install clustershell)')
class NodesetParitySpec extends Specification {
    static final Map<String, String> GROUPS = [compute: 'n[1-6]', gpu: 'n[5-8]', all: 'n[1-8],r1n[1-4],io[01-04]',
                                               'rack-a': 'r1n[1-4]', io: 'io[01-04]']

    @Shared @TempDir Path dir
    @Shared GprocRunner gproc
    @Shared List<Map> reference

    def setupSpec() {
        Path inventory = dir.resolve('cluster.groovy')
        inventory.text = "nodes {\n    'n[1-8]' { host = '127.0.0.1'; port = 17001 }\n" +
                "    'r1n[1-4]' { host = '127.0.0.1'; port = 17101 }\n" +
                "    'io[01-04]' { host = '127.0.0.1'; port = 17201 }\n}\n" +
                'groups {\n' + GROUPS.collect { k, v -> "    '${k}' { nodes = '${v}' }" }.join('\n') + '\n}\n'
        gproc = new GprocRunner(dir).withArgs('-i', inventory.toString())
        Path cfg = Files.createDirectories(dir.resolve('clustershell/groups.d'))
        dir.resolve('clustershell/groups.conf').text = '[Main]\ndefault: inventory\nautodir: $CFGDIR/groups.d\n'
        cfg.resolve('inventory.yaml').text = 'inventory:\n' + GROUPS.collect { k, v -> "    ${k}: '${v}'" }.join('\n') + '\n'
        reference = clusterShell(ROWS)
    }

    /** Every row through ClusterShell's nodeset, in one Python process. */
    List<Map> clusterShell(List<Map> rows) {
        Path driver = dir.resolve('clustershell-nodeset.py')
        driver.text = getClass().getResource('clustershell-nodeset.py').text
        def pb = new ProcessBuilder('/usr/bin/python3', driver.toString())
        pb.environment().put('CLUSTERSHELL_CFGDIR', dir.resolve('clustershell').toString())
        Process p = pb.start()
        Thread.start { p.outputStream.withStream { it.write(JsonOutput.toJson(rows).getBytes('UTF-8')) } }
        def err = new StringBuilder()
        Thread errReader = Thread.start { err << p.errorStream.getText('UTF-8') }
        String out = p.inputStream.getText('UTF-8')
        assert p.waitFor(300, TimeUnit.SECONDS)
        errReader.join()
        assert p.exitValue() == 0: "the ClusterShell driver failed: ${err}"
        new JsonSlurper().parseText(out) as List<Map>
    }

    def "gproc nodeset #row.args prints and exits as ClusterShell's nodeset"() {
        given:
        Map expected = reference[index]

        when:
        def r = gproc.runInProcess(stdin: row.stdin ?: '', (['nodeset'] + row.args) as String[])

        then:
        r.out == expected.out
        r.code == expected.code

        where:
        [row, index] << ROWS.withIndex()
    }

    def "the table is a few hundred rows, dozens of them with indexes beyond 64 bits"() {
        expect:
        ROWS.size() >= 400
        ROWS.count { row -> row.args.any { it =~ /\d{18,}/ } } >= 50
    }

    static final List<Map> ROWS = table()

    /** The rows: families of expressions crossed with the commands and options that apply to them. */
    static List<Map> table() {
        List<Map> rows = []
        def add = { List<String> args, String stdin = null -> rows << (stdin == null ? [args: args] : [args: args, stdin: stdin]) }

        // node lists to fold (one argument per node, as a user types them)
        [['n1', 'n2', 'n3', 'n5'], ['n01', 'n02', 'n03'], ['n01', 'n1', 'n001'], ['n9', 'n10', 'n11'],
         ['n08', 'n09', 'n10'], ['a1', 'b1', 'a2', 'b2'], ['foo', 'bar', 'foo'], ['n1a', 'n2a', 'n3a'],
         ['n1-ib', 'n2-ib', 'n4-ib'], ['r1n1', 'r1n2', 'r2n1', 'r2n2'], ['r1n1', 'r1n2', 'r2n1'],
         ['a1b1c1', 'a1b2c1', 'a2b1c1', 'a2b2c1'], ['x0', 'x00', 'x000'], ['n1', 'n1'], ['n-1', 'n-2'],
         ['node', 'node1'], ['n1.lab', 'n2.lab'], ['n1', 'm1', 'n2', 'm3'], ['n0', 'n1', 'n2', 'n4', 'n5', 'n6'],
         ['c1-1', 'c1-2', 'c2-1', 'c2-2'], ['n100', 'n99', 'n101'], ['n007', 'n008', 'n010']].each { nodes ->
            add(['-f'] + nodes)
            add(['-c'] + nodes)
            add(['-e'] + nodes)
        }

        // expressions to expand, fold and count
        ['n[1-5]', 'n[01-10]', 'n[1-10/3]', 'n[0-20/5]', 'n[1,3,5-7]', 'r[1-2]n[1-3]', 'n[1-3]-ib', 'n[9-11]',
         'n[098-102]', 'n[1-3],n[2-6]', 'n[1-3]p[1-2]', 'n[1-2]p[1-2]s[1-2]', 'n[5-5]', 'n[0-0]', 'n[00-03]',
         'n[1-3]a[01-02]', 'da[1-3]x', 'n[1-4,6-8/2]', 'n[10-1000/100]', 'x[1-3]y', 'n[1-3],m[1-2]',
         'n[2,1,3]', 'n[3,2,1,1]', 'n[1-3] n[5-6]', 'n[1-100]', 'n[001-100]', 'n[1-9]p', 'r[1-2]-n[1-2]',
         'a[1-2]b[1-2]c[1-2]d[1-2]', 'n1,n2,n3', 'n[1-3,5],n4', 'n[0001-0003]', 'n[1-3]%s', 'n%[1-2]',
         'n[1-2]_[3-4]', 'node[1-3].cluster', 'n[1-6/2],n[2-6/2]'].each { expr ->
            add(['-e', expr])
            add(['-f', expr])
            add(['-c', expr])
        }

        // operators inside an expression, and as separate arguments
        ['n[1-10]!n[3-5]', 'n[1-10]&n[5-15]', 'n[1-10]^n[5-15]', 'n[1-5],m[1-3]!m2', 'n[1-10]!n[2-9]&n[1-5]',
         'n[1-8]!n[3-4]', 'r[1-2]n[1-4]!r1n2', 'r[1-2]n[1-4]&r[2-3]n[3-6]', 'r[1-2]n[1-4]^r2n[1-2]',
         'n[1-4]!n[1-4]', 'n1&n2', 'n[1-3]^n[1-3]', 'n[1-3],n[7-9]!n8', 'n[1-10/2]&n[1-10/3]',
         'a[1-3]!b[1-3]', 'n[1-5]!n3,n9'].each { expr ->
            add(['-f', expr])
            add(['-c', expr])
        }
        [['-f', 'n[1-10]', '-x', 'n[2-3]'], ['-f', '-x', 'n2', 'n[1-5]'], ['-f', 'n[1-5]', '-i', 'n[3-9]'],
         ['-f', 'n[1-5]', '-X', 'n[3-9]'], ['-f', '-i', 'n[3-9]', 'n[1-5]'], ['-f', '-X', 'n[3-9]', 'n[1-5]'],
         ['-f', 'n[1-10]', '-x', 'n2', '-x', 'n4', 'n20'], ['-e', 'n[1-6]', '--exclude', 'n[1-2]'],
         ['-e', 'n[1-6]', '--intersection', 'n[2-9]'], ['-e', 'n[1-6]', '--xor', 'n[2-9]'],
         ['-c', 'n[1-10]', '-x', 'n[1-10]'], ['-f', 'n[1-3]', 'n[7-9]', '-i', 'n[2-8]'],
         ['-f', '-x', 'n1', '-i', 'n[1-3]', 'n[1-5]'], ['-f', 'n[1-5]', '-x', '-'],
         ['-e', '-x', 'n1']].each { add(it) }
        add(['-f', 'n[1-5]', '-x', '-'], 'n2 n3\n')
        add(['-f', 'n1', '-', 'n9'], 'n5\n# a comment n6\nn7 # n8\n')
        add(['-f'], 'n1 n2\nn3\n')
        add(['-c'], '')
        add(['-e'], 'n[1-3]\n')
        add(['-f', '-'], '  n1\tn2  \n\n')

        // separators, formats, slices, splits
        [['-e', '-S', ',', 'n[1-3]'], ['-e', '-S', '\\n', 'n[1-3]'], ['-e', '-S', '\\t', 'n[1-3]'],
         ['-e', '-S', '', 'n[1-3]'], ['-e', '-S', ' - ', 'n[1-3]'], ['-e', '--separator=;', 'n[1-3]'],
         ['-e', '-S', '\\\\', 'n[1-3]'], ['-e', '-S', '\\x41', 'n[1-2]'], ['-e', '-S', "'", 'n[1-2]'],
         ['-e', '-S', '\\', 'n[1-2]'], ['-e', '-S', '%s', 'n[1-2]'],
         ['-e', '-O', '%s-ib', 'n[1-3]'], ['-f', '-O', '%s.lab', 'n[1-3]'], ['-c', '-O', 'count=%s', 'n[1-3]'],
         ['-e', '-O', 'x', 'n[1-2]'], ['-e', '-O', '%s%%', 'n[1-2]'], ['-f', '-O', '[%s]', 'n[1-3]'],
         ['-e', '-O', '%d', 'n1'], ['-c', '-O', '%d nodes', 'n[1-4]'], ['-f', '--output-format=<%s>', 'n[1-2]'],
         ['-f', '-I', '0', 'n[1-10]'], ['-f', '-I', '0-2', 'n[1-10]'], ['-e', '-I', '1,3', 'n[1-10]'],
         ['-f', '-I', '9-20', 'n[1-10]'], ['-f', '-I', '20', 'n[1-10]'], ['-f', '--slice', '0-8/2', 'n[1-10]'],
         ['-c', '-I', '0-4', 'n[1-10]'], ['-f', '-I', '1', 'r[1-2]n[1-2]'], ['-f', '-I', 'x', 'n[1-3]'],
         ['-f', '--split', '3', 'n[1-10]'], ['-e', '--split=2', 'n[1-4]'], ['-f', '--split', '20', 'n[1-3]'],
         ['-f', '--split', '1', 'n[1-3]'], ['-f', '--split', '0', 'n[1-3]'], ['-c', '--split', '3', 'n[1-10]'],
         ['-f', '--split', '2', 'r[1-2]n[1-3]'], ['-f', '--split', 'x', 'n[1-3]'],
         ['-f', '--contiguous', 'n[1-3,5-7,9]'], ['-e', '--contiguous', 'n[1-2,4]'],
         ['-f', '--contiguous', 'n[01-02,3]'], ['-f', '--contiguous', '--split', '2', 'n[1-4]'],
         ['-f', '--contiguous', 'a[1-2],b[1-2]']].each { add(it) }

        // autostep and axis
        [['-f', '--autostep', '3', 'n[1-9/2]'], ['-f', '--autostep', 'auto', 'n[1-9/2]'],
         ['-f', '--autostep', '50%', 'n[1-9/2]'], ['-f', '--autostep', '2', 'n[1,3,5,10,20]'],
         ['-f', '--autostep', '4', 'n[1,3,5]'], ['-f', '--autostep=3', 'n[0-30/10],n[1-3]'],
         ['-f', '--autostep', 'auto', 'n[1-3]'], ['-f', '--autostep', '3', 'n[01-09/2]'],
         ['-f', '--autostep', 'x', 'n1'], ['-e', '--autostep', '3', 'n[1-9/2]'],
         ['-f', '--axis', '1', 'r[1-2]n[1-2]'], ['-f', '--axis', '2', 'r[1-2]n[1-2]'],
         ['-f', '--axis', '1', 'r[1-3]n[1-2]!r2n1'], ['-f', '--axis', '2', 'r[1-3]n[1-2]!r2n1'],
         ['-f', '--axis', '-1', 'r[1-3]n[1-2]!r2n1'], ['-f', '--axis', '1-2', 'r[1-2]n[1-2]'],
         ['-e', '--axis', '1', 'r[1-2]n[1-2]'], ['-f', '--axis', '1', 'n[1-3]']].each { add(it) }

        // rangeset mode
        [['-R', '-f', '1,2,3,5'], ['-R', '-e', '1-5'], ['-R', '-c', '1-5,10'], ['-R', '-f', '01-03,5'],
         ['-R', '-f', '1-10', '-x', '3-4'], ['-R', '-e', '-S', ',', '1-3'], ['-R', '-f', '3', '1', '2'],
         ['-R', '-f', 'n1'], ['-R', '-f', '1-10/2'], ['-R', '-c', ''], ['--rangeset', '-f', '5-7,1'],
         ['-R', '-f', '--autostep', '3', '1,3,5,7'], ['-R', '-a', '-f'], ['-R', '-f', '@compute']].each { add(it) }

        // groups
        [['-f', '@compute'], ['-f', '@gpu&@compute'], ['-f', '@compute!@gpu'], ['-f', '@compute^@gpu'],
         ['-f', '@*'], ['-c', '@*'], ['-a', '-f'], ['-a', '-c'], ['-a', '-e'], ['-a', '-f', '-x', '@gpu'],
         ['-l'], ['-ll'], ['-lll'], ['-l', 'n5'], ['-ll', 'n[5-6]'], ['-lll', 'n1'], ['-l', '-s', 'inventory'],
         ['-f', '@inventory:gpu'], ['-s', 'inventory', '-f', '@gpu'], ['-f', '@nosuch'], ['-c', '@nosuch'],
         ['-f', '@nosuch,n1'], ['-f', '@foo:gpu'], ['-s', 'foo', '-f', '@gpu'], ['-f', 'n*'], ['-f', 'r1n*'],
         ['-c', 'n?'], ['-f', 'io*'], ['-f', 'zz*'], ['-f', '@rack-a'], ['-e', '@io'], ['-f', '@gpu,r1n1'],
         ['-r', 'n[1-8]'], ['-r', 'n[5-8]'], ['-r', 'n[1-6]'], ['-r', 'n[1-3]'], ['-r', 'x1'],
         ['-G', '-r', 'n[5-8]'], ['-f', '@'], ['-f', '@:'], ['-f', '@inventory:']].each { add(it) }

        // big and padded indexes
        ['n[12345678901234567890-12345678901234567892]', 'n18446744073709551616',
         'n[18446744073709551615-18446744073709551617]', 'n[000000000000000000001-000000000000000000003]',
         'n[99999999999999999-100000000000000001]', 'n9223372036854775807', 'n[9223372036854775806-9223372036854775808]',
         'n[1-3]p99999999999999999999', 'n[100000000000000000000-100000000000000000010/5]',
         'n123456789012345678901234567890'].each { expr ->
            add(['-f', expr])
            add(['-e', expr])
            add(['-c', expr])
        }
        add(['-f', 'n12345678901234567890', 'n12345678901234567891', 'n12345678901234567893'])
        add(['-c', 'n[1-100000]'])
        add(['-c', 'n[1-1000000]'])
        add(['-c', 'n[1-100000000000000000000000]'])
        // indexes of any length: folding across 10^17 and 2^63, padding, steps, slices, splits, operators
        ['n[99999999999999998-100000000000000002]', 'n[9223372036854775800-9223372036854775815]',
         'n[-9223372036854775809--9223372036854775807]', 'n[0000000000000000000098-0000000000000000000102]',
         'n[99999999999999999999-100000000000000000001]', 'n[1-3]p[99999999999999999999-100000000000000000000]',
         'n123456789012345678901234,n[1-2]', 'n[18446744073709551616-18446744073709551646/10]'].each { expr ->
            add(['-f', expr])
            add(['-e', expr])
            add(['-c', expr])
        }
        [['-f', '--autostep', '3', 'n[100000000000000000000-100000000000000000010/2]'],
         ['-f', '-I', '1-3', 'n[99999999999999999998-100000000000000000003]'],
         ['-e', '-I', '0', 'n123456789012345678901234'],
         ['-f', '--split', '2', 'n[9223372036854775806-9223372036854775809]'],
         ['-f', '--contiguous', 'n[18446744073709551615-18446744073709551617,18446744073709551620]'],
         ['-f', 'n[1-10]', 'n[99999999999999999995-100000000000000000005]', '-x', 'n[99999999999999999999-100000000000000000001]'],
         ['-f', 'n[99999999999999999995-100000000000000000005]', '-i', 'n[100000000000000000000-100000000000000000010]'],
         ['-f', 'n[99999999999999999995-100000000000000000005]', '-X', 'n[100000000000000000000-100000000000000000010]'],
         ['-f', 'n[99999999999999999995-100000000000000000005]!n100000000000000000000'],
         ['-c', 'n[99999999999999999995-100000000000000000005]&n[1-3]'],
         ['-f', 'r[1-2]n[18446744073709551615-18446744073709551616]!r1n18446744073709551616'],
         ['-R', '-f', '99999999999999999999,100000000000000000000,5'],
         ['-R', '-c', '1-3,100000000000000000000'],
         ['-f', 'n[100000000000000000000-99999999999999999999]'],
         ['-f', 'n[100000000000000000000-100000000000000000002/0]'],
         ['-f', 'n[0100000000000000000000-100000000000000000001]']].each { add(it) }

        // malformed input: parse errors (exit 1), and usage errors (exit 2)
        ['n[1-3', 'n[3-1]', 'n[1-2]]', 'n[]', 'n[a-b]', 'n[1-2/0]', 'n[-1]', 'n[1--2]', 'n[01-1]', ',',
         'n1,,n2', '!n1', 'n1!', 'n[1-2-3]', 'n[1-3/2/2]', '[1-3]', 'n[1-3]x[', 'n1&', '', ' ', 'n[1,,2]',
         'n[1-]', 'n[-]', 'n[1-3/-1]', 'n[1-3/x]', 'n]1[', 'n[[1]]', 'n[1-2]!', '&n1', 'n[1-3]^', 'n[ 1-3 ]',
         'n[1 -3]', 'n[1,2 ]', 'n1 n2', 'a b', 'n[001-01]', 'n[1-10/+2]', 'n[09-10]', 'n[9-010]',
         'n[1-2],,', 'n(1)', 'n{1,2}'].each { expr ->
            add(['-f', expr])
            add(['-c', expr])
        }
        [['n1'], [], ['-e', '-f', 'n1'], ['-c', '-e', 'n1'], ['--frobnicate', '-f', 'n1'], ['-f', '--split'],
         ['-f', '--split', '2', '--contiguous', 'n[1-4]'], ['-R', '-r', '1-3'], ['-e', '--axis', '1', 'n1'],
         ['-f', '-S'], ['-q', '-f', 'n1'], ['-d', '-f', 'n1'], ['-f', '--', 'n1'], ['-f', 'n1', '--', 'n2'],
         ['--count', 'n[1-2]'], ['--fold', 'n1', 'n2'], ['--expand', 'n[1-2]'], ['-fc', 'n1'],
         ['-e', '-', '-'], ['-f', 'n1', '-f'], ['-f', 'n1', '-e'], ['-f', 'n1', '-x'],
         ['-f', '-x', '', 'n1'], ['-f', '-i', '', 'n1']].each { add(it) }
        rows
    }
}
