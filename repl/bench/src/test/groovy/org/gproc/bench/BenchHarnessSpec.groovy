package org.gproc.bench

import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * Keeps the benchmark harness working: runs the scripts in --quick mode on the test classpath (nothing is built)
 * and checks that they print a well-formed Markdown table and JSON lines. Timings are never asserted here.
 */
@Timeout(900)
class BenchHarnessSpec extends Specification {

    @Shared Path root = Path.of(System.getProperty('gproc.root')).toAbsolutePath().normalize()
    @Shared String classpath = System.getProperty('surefire.test.class.path') ?: System.getProperty('java.class.path')
    @TempDir Path dir

    static final List<String> KEYS = ['bench', 'case', 'n', 'tool', 'value', 'unit']

    Map run(List<String> command, long timeoutSeconds = 600) {
        def pb = new ProcessBuilder(command).directory(root.toFile())
        pb.environment().put('GPROC_BENCH_CLASSPATH', classpath)
        Path out = dir.resolve("out-${System.nanoTime()}.txt")
        Path err = dir.resolve("err-${System.nanoTime()}.txt")
        pb.redirectOutput(out.toFile()).redirectError(err.toFile())
        Process p = pb.start()
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach { it.destroyForcibly() }
            p.destroyForcibly()
            throw new AssertionError("${command} did not finish in ${timeoutSeconds} s; stderr:\n${err.text}")
        }
        [exit: p.exitValue(), out: out.text, err: err.text]
    }

    static List<Map> jsonLines(String text) {
        text.readLines().findAll { it.startsWith('{') }.collect { new JsonSlurper().parseText(it) as Map }
    }

    static List<List<String>> tableRows(String text) {
        text.readLines().findAll { it.startsWith('| ') }.collect { line ->
            line.substring(1, line.length() - 1).split(/(?<!\\)\|/, -1)*.trim()
        }
    }

    static void wellFormed(Map figure) {
        assert figure.keySet().containsAll(KEYS)
        assert figure.bench instanceof String && figure.case instanceof String && figure.tool instanceof String
        assert figure.n instanceof Integer
        assert figure.value == null ? figure.note : figure.value instanceof Number
    }

    def "the transport benchmark in quick mode prints a table and one JSON line per figure"() {
        when:
        def r = run(["${root}/scripts/bench/transport".toString(), '--quick'])

        then:
        r.exit == 0
        def rows = tableRows(r.out)
        rows[0] == ['bench', 'case', 'n', 'tool', 'value', 'unit', 'target', 'note']
        r.out.readLines().contains('|---|---|---:|---|---:|---|---|---|')
        rows.drop(1)*.getAt(1) == ['tstat_p50', 'tstat_p99', 'write_8MiB']

        and: 'each figure is a JSON line with a measured number'
        def figures = jsonLines(r.out)
        figures*.case == ['tstat_p50', 'tstat_p99', 'write_8MiB']
        figures.each { wellFormed(it); assert it.value > 0 }
        figures*.unit == ['us', 'us', 'MB/s']
    }

    def "the transport benchmark refuses a misspelt option and names the one meant"() {
        when:
        def r = run(["${root}/scripts/bench/transport".toString(), '--itrations', '5'])

        then:
        r.exit == 2
        r.err.contains("unknown option '--itrations' (did you mean '--iterations'?)")
        jsonLines(r.out).isEmpty()
    }

    def "the harness in quick mode prints a table and JSON lines for B1 to B5, n/a with a reason where it measured nothing"() {
        given:
        Path json = dir.resolve('figures.jsonl')

        when:
        def r = run(["${root}/scripts/bench/run".toString(), '--quick', '--json', json.toString()])

        then:
        r.exit == 0
        r.out.readLines().contains('|---|---|---:|---|---:|---|---|---|')
        def rows = tableRows(r.out)
        rows[0] == ['bench', 'case', 'n', 'tool', 'value', 'unit', 'target', 'note']
        rows.drop(1).every { it.size() == 8 && it[0] ==~ /B[1-5]/ }

        and: 'the JSON file holds one well-formed figure per table row'
        def figures = jsonLines(json.text)
        json.text.readLines().every { it.startsWith('{') }
        figures.size() == rows.size() - 1
        figures.each { wellFormed(it) }
        figures*.bench.toSet() == ['B1', 'B2', 'B3', 'B4', 'B5'] as Set
        figures.findAll { it.bench == 'B1' }*.case.toSet() == ['warm', 'cold', 'heap_per_node_kb'] as Set
        figures.findAll { it.value == null }.every { it.note.startsWith('n/a (') }

        and: 'B1 warm and B2 cold say where their CPU went: client, the daemon, the rest of the machine, idle cores'
        def split = /CPU: client (\d+\.\d\d) s, gprocd (\d+\.\d\d) s, rest of the machine \d+\.\d\d s, idle \d+\.\d\d s/
        figures.find { it.bench == 'B1' && it.case == 'warm' }.note =~ split
        def b2 = figures.find { it.bench == 'B2' && it.case == 'cold' }.note =~ split
        b2.find() && (b2.group(1) as double) > 0 && (b2.group(2) as double) > 0 // 16 MB to each node: never 0.00 s
    }

    def "b3-jump in quick mode measures B3 direct and through a gateway: a table and one JSON line with the ratio"() {
        given:
        Path json = dir.resolve('b3-jump.jsonl')

        when:
        def r = run(["${root}/scripts/bench/b3-jump".toString(), '--quick', '--json', json.toString()])

        then:
        r.exit == 0
        def rows = tableRows(r.out)
        rows*.get(0) == ["B3 run('/bin/true'), one node, 127.0.0.1", 'direct',
                         'through one gateway (gprocd --gateway-for)', 'ratio of p50s (target <= 2)']
        def summary = jsonLines(r.out)
        summary.size() == 1
        summary[0].bench == 'B3-jump'
        [summary[0].direct_p50_ms, summary[0].jump_p50_ms, summary[0].p50_ratio].every { it instanceof Number }
        jsonLines(json.text).each { wellFormed(it) }
        jsonLines(json.text)*.tool.toSet() == ['direct', 'via gateway'] as Set
    }

    def "b3-jump refuses an unknown option and a run count that is not a number"() {
        when:
        def r = run(["${root}/scripts/bench/b3-jump".toString(), '--rusn', '5'])

        then:
        r.exit == 2
        r.err.contains("b3-jump: unknown option '--rusn'")
        r.out.isEmpty()

        when:
        r = run(["${root}/scripts/bench/b3-jump".toString(), '--runs', 'many'])

        then:
        r.exit == 2
        r.err.contains("b3-jump: 'many' is not a whole number")
    }

    def "the harness refuses an unknown benchmark name, and the peers' script a node count that is not a number"() {
        when:
        def r = run(["${root}/scripts/bench/run".toString(), '--quick', '--only', 'B1,B9'])

        then:
        r.exit == 2
        r.err.contains("run: --only: unknown benchmark 'B9' (known: B1 B2 B3 B4 B5 B7)")
        r.out.isEmpty()

        when:
        r = run(["${root}/scripts/bench/peers".toString(), '--n', '10,ten'])

        then:
        r.exit == 2
        r.err.contains("peers: 'ten' is not a positive whole number")
        r.out.isEmpty()
    }

    def "the table shows an unmeasured figure as n/a with its reason, and marks targets"() {
        given:
        Path figures = dir.resolve('figures.jsonl')
        figures.text = Figure.unavailable('B1', 'warm', 10, 'gproc', 's', 'n/a (not built yet: gprocd --instances)')
                .toJson() + '\n' + Figure.measured('B3', 'p50', 1, 'gproc', 0.9, 'ms').toJson() + '\n'

        when:
        def r = run(['python3', "${root}/scripts/bench/table.py".toString(), figures.toString()])

        then:
        r.exit == 0
        def rows = tableRows(r.out)
        rows.find { it[0] == 'B1' } == ['B1', 'warm', '10', 'gproc', 'n/a', 's', '', 'n/a (not built yet: gprocd --instances)']
        rows.find { it[0] == 'B3' }[4..6] == ['0.9', 'ms', '≤ 1.5 ✓']
    }

    def "the table refuses lines that are not figures, saying which line"() {
        given:
        Path figures = dir.resolve('figures.jsonl')
        figures.text = '{"bench":"B1","case":"warm","n":10,"tool":"gproc","value":0.5,"unit":"s"}\nnot json\n{"bench":"B2"}\n'

        when:
        def r = run(['python3', "${root}/scripts/bench/table.py".toString(), figures.toString()])

        then:
        r.exit == 1
        r.err.contains("${figures}:2: skipped, not a figure")
        r.err.contains("${figures}:3: skipped, not a figure (missing \"case\")")
        tableRows(r.out).size() == 2
    }

    def "a figure prints as one JSON line, its note escaped"() {
        expect:
        Figure.measured('B1', 'warm', 1000, 'gproc', 0.83, 's').toJson() ==
                '{"bench":"B1","case":"warm","n":1000,"tool":"gproc","value":0.83,"unit":"s"}'
        Figure.unavailable('B5', 'repl_prompt', 1, 'gproc', 's', 'n/a ("gproc" not built)\n').toJson() ==
                '{"bench":"B5","case":"repl_prompt","n":1,"tool":"gproc","value":null,"unit":"s","note":"n/a (\\"gproc\\" not built)\\n"}'
        Figure.measured('B3', 'p50', 1, 'gproc', 0.000123, 'ms').toJson().contains('"value":0.000123')
    }

    def "a figure refuses a value that is not a number, and an unmeasured one without a reason"() {
        when:
        Figure.measured('B1', 'warm', 10, 'gproc', Double.NaN, 's')

        then:
        def e = thrown(IllegalArgumentException)
        e.message == 'B1/warm: value NaN is not a number'

        when:
        Figure.unavailable('B1', 'warm', 10, 'gproc', 's', ' ')

        then:
        e = thrown(IllegalArgumentException)
        e.message == 'B1/warm: a figure without a value needs a note'
    }
}
