package org.gproc.client

import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import org.gproc.client.internal.exec.LocalBlob

import java.nio.file.Files
import java.nio.file.Path

/** One binary per architecture, and the arch check before a push, against real daemons of two reported arches. */
@Timeout(180)
class PushArchSpec extends Specification {
    @Shared @AutoCleanup PushFixture fixture = new PushFixture()
    @Shared @AutoCleanup Cluster cluster = fixture.connect()
    @Shared Path x86

    def setupSpec() {
        x86 = fixture.cc('hello', '#include <stdio.h>\nint main(void) { puts("hello x86_64"); return 0; }\n')
    }

    private static String hash(Path file) {
        LocalBlob.sha256(Files.readAllBytes(file))
    }

    def "each node gets the binary for the arch it reports, and only that one"() {
        given:
        Path arm = fixture.asAarch64(x86, 'hello.aarch64')

        when:
        def job = cluster.nodes.push(x86_64: x86.toString(), aarch64: arm.toString()).run()
        job.waitFor()

        then: 'the x86_64 nodes ran theirs; a1 (really this machine) received the aarch64 file, which cannot run here'
        job.processes.findAll { it.node() != 'a1' }*.text == ['hello x86_64\n', 'hello x86_64\n']
        cluster.node('a1').ls('cache').contains(hash(arm))
        !cluster.node('a1').ls('cache').contains(hash(x86))
        !cluster.node('n1').ls('cache').contains(hash(arm))
        cluster.node('n1').arch == 'x86_64'
        cluster.node('a1').arch == 'aarch64'
    }

    def "a binary of another machine is refused before a byte is sent, naming node, node arch and binary arch"() {
        given: 'a binary no node has yet'
        Path fresh = fixture.cc('fresh', 'int main(void) { return 0; }\n', ['-DFRESH=' + System.nanoTime()])

        when:
        def job = cluster.nodes.push(fresh.toString()).run()
        job.waitFor()
        def a1 = job.processes.find { it.node() == 'a1' }

        then:
        job.failed.names.toString() == 'a1'
        a1.failure().get() == "a1 is aarch64 but ${fresh} is an x86_64 binary: nothing sent".toString()
        !cluster.node('a1').ls('cache').contains(hash(fresh))
        cluster.node('n1').ls('cache').contains(hash(fresh))
    }

    def "a node whose arch no binary is for is reported and sent nothing"() {
        when:
        def job = cluster.nodes.push(x86_64: x86.toString()).run()
        job.waitFor()

        then:
        job.succeeded.names.toString() == 'n[1-2]'
        job.processes.find { it.node() == 'a1' }.failure().get() ==
                'a1 is aarch64 and the push names no binary for it (only for x86_64): nothing sent'
    }

    def "a binary given for an arch it is not for is refused at once"() {
        when:
        cluster.nodes.push(aarch64: x86.toString())

        then:
        def e = thrown(IllegalArgumentException)
        e.message == "push: ${x86} is an x86_64 binary, given for aarch64".toString()
    }

    def "the Java form is the same map"() {
        when:
        def job = cluster.nodes['n1'].push(Map.of('x86_64', x86.toString())).run()
        job.waitFor()

        then:
        job.processes*.text == ['hello x86_64\n']
    }

    def "every process knows its job, its rank in node order, the job's size and its node"() {
        when:
        def job = cluster.nodes.run('/bin/sh', { Launch l ->
            l.args('-c', 'echo $GPROC_JOB $GPROC_RANK $GPROC_SIZE $GPROC_NODE').env(GPROC_RANK: '99')
        })
        job.waitFor()
        def lines = job.processes.collect { it.text.trim().split(' ') as List }

        then: 'ranks follow the node set order; a GPROC_ variable the user sets is replaced, not trusted'
        lines.collect { it[1..3] } == [['0', '3', 'a1'], ['1', '3', 'n1'], ['2', '3', 'n2']]
        lines*.get(0).unique() == [job.id]
    }

    def "a single node's process is rank 0 of a job of one"() {
        when:
        def p = cluster.node('n2').run('/bin/sh', '-c', 'echo $GPROC_RANK $GPROC_SIZE $GPROC_NODE')
        p.waitFor()

        then:
        p.text == '0 1 n2\n'
    }
}
