package org.gproc.repl

import org.gproc.client.OutputListener
import spock.lang.Specification

class ProgressLineSpec extends Specification {

    /** Records what a progress line draws. */
    static class RecordingOutput implements NodeOutput {
        final List<String> statuses = []
        void nodeLine(String node, OutputListener.Stream stream, String line) {}
        void note(String text) {}
        void error(String text) {}
        void status(String text) { statuses << text }
    }

    def output = new RecordingOutput()
    long now = 0
    def progress = new ProgressLine(output, { now })

    def "a push to many nodes draws done/total in place, at most ten times a second, and removes it at the end"() {
        when:
        (0..<1000).each { done ->
            now = done * 1_000_000L  // one node per millisecond: one second in all
            progress.progress('pushing', done, 1000)
        }
        progress.progress('pushing', 1000, 1000)

        then:
        output.statuses.first() == 'pushing: 0/1000 nodes'
        output.statuses.any { it?.startsWith('pushing: 500/1000 nodes, ') && it.endsWith(' left') }
        output.statuses.size() <= 12
        output.statuses.last() == null
    }

    def "bytes pushed show as amount, rate and time left"() {
        when:
        progress.pushed('n1', null, 0)
        now = 0
        progress.progress('starting', 0, 10)
        now = 2_000_000_000L
        progress.pushed('n1', null, 20L << 20)
        progress.progress('starting', 2, 10)

        then:
        output.statuses.last() == 'starting: 2/10 nodes, 20.0 MiB sent, 10.0 MiB/s, 0:08 left'
    }

    def "a big push to a few nodes draws too, a small one does not"() {
        when:
        progress.progress('starting', 0, 2)
        progress.pushed('n1', null, sent)
        now = 1_000_000_000L
        progress.progress('starting', 1, 2)

        then:
        output.statuses.size() == drawn

        where:
        sent      | drawn
        16L << 20 | 1
        1024      | 0
    }

    def "a fan-out over a few nodes draws nothing"() {
        when:
        (0..4).each { progress.progress('starting', it, 4) }

        then:
        output.statuses.isEmpty()
    }

    def "a step that ends before its first redraw leaves nothing behind"() {
        when:
        progress.progress('pushing', 1000, 1000)

        then:
        output.statuses.isEmpty()
    }
}
