package org.gproc.client

import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.util.function.Consumer

/**
 * The client API as Groovy code sees it, against real daemons: node-set algebra stays a node set (through
 * GroovyShell, so Groovy's own method selection decides), the process table, kill, reattach, bare command names.
 */
@Timeout(180)
class GroovySurfaceSpec extends Specification {
    @Shared @AutoCleanup DaemonCluster daemons = new DaemonCluster(4)
    @Shared @AutoCleanup Cluster cluster = daemons.connect()
    def conditions = new PollingConditions(timeout: 60, delay: 0.1)

    private Object groovy(String code, Map extra = [:]) {
        new GroovyShell(new Binding([nodes: cluster.nodes, cluster: cluster] + extra)).evaluate(code)
    }

    def "node-set algebra in Groovy returns a node set: #code"() {
        when:
        def result = groovy(code)

        then:
        result instanceof NodeSet
        result.toString() == expected

        where:
        code                                              | expected
        "nodes['n[1-2]'] + nodes['n4']"                   | 'n[1-2,4]'
        "nodes - nodes['n[2-3]']"                         | 'n[1,4]'
        "nodes - nodes.n1"                                | 'n[2-4]'
        "nodes - 'n[1-3]'"                                | 'n4'
        "nodes - ['n1', 'n2']"                            | 'n[3-4]'
        "nodes + [nodes.n1]"                              | 'n[1-4]'
        "nodes['n1'].union(nodes['n3'])"                  | 'n[1,3]'
        "nodes['n[1-3]'].intersect(nodes['n[2-4]'])"      | 'n[2-3]'
        "nodes['n[1-3]'] & nodes['n[2-4]']"               | 'n[2-3]'
        "nodes['n[1-3]'] ^ nodes['n[2-4]']"               | 'n[1,4]'
        "nodes['n[1-3]'].difference(['n3'])"              | 'n[1-2]'
        "nodes['n[1-2]'].symmetricDifference('n[2-3]')"   | 'n[1,3]'
    }

    def "a name that is not a node of the cluster is refused naming it: #code"() {
        when:
        groovy(code)

        then:
        def e = thrown(RuntimeException)
        e.message.contains(culprit)

        where:
        code                       | culprit
        "nodes - ['n1', 'n9']"     | 'n9'
        "nodes + 'x[1-2]'"         | 'x[1-2]'
        "nodes - [42]"             | "'42' is neither a node, a node set nor a node name"
    }

    def "(nodes - job.failed).run(...) runs on the nodes that did not fail, as the README writes it"() {
        when:
        def job = groovy("nodes.run('/bin/sh', '-c', 'test \$(hostname) = never || exit 3').waitFor()")
        def first = groovy("nodes['n[1-2]'].run('/bin/sh', '-c', 'exit 1').waitFor()")
        def again = groovy("(nodes - job.failed).run('/bin/echo', 'ok').waitFor()", [job: first])

        then:
        job.failed.size() == 4
        first.failed.toString() == 'n[1-2]'
        again instanceof Job
        again.nodes.toString() == 'n[3-4]'
        again.exitCodes == [n3: 0, n4: 0]
    }

    def "run takes its launch as a Groovy closure (delegate first) and as a Java Consumer"() {
        when:
        def closureJob = groovy("nodes['n[1-2]'].run('/bin/sh') { args '-c', 'exit 5'; timeout 30 }.waitFor()")
        def consumerJob = cluster.nodes['n3'].run('/bin/sh', { it.args('-c', 'exit 6') } as Consumer).waitFor()
        def one = groovy("nodes.n4.run('/bin/echo') { args 'one node' }")
        one.waitFor()

        then:
        closureJob.exitCodes == [n1: 5, n2: 5]
        consumerJob.exitCodes == [n3: 6]
        one.text == 'one node\n'
    }

    def "arrays and lists among a launch's arguments are spread into words, never printed as a Java object"() {
        when:
        def job = groovy("String[] words = ['b', 'c']; nodes.n1.run('/bin/echo') { args 'a', words, ['d', ['e']] }")
        job.waitFor()

        then:
        job.text == 'a b c d e\n'
    }

    def "a null among a launch's arguments, also inside a list, is refused naming args"() {
        when:
        groovy("nodes.n1.run('/bin/echo') { args 'a', ['b', null] }")

        then:
        def e = thrown(NullPointerException)
        e.message == 'args: null argument'
    }

    def "a launch closure calling what a launch does not have fails naming it"() {
        when:
        groovy("nodes.run('/bin/true') { argz 'x' }")

        then:
        def e = thrown(MissingMethodException)
        e.message.contains('argz')
    }

    def "cluster.ps() lists running processes; ps(all: true) also those that have exited"() {
        given:
        def done = cluster.nodes['n1'].run('/bin/echo', 'gone').waitFor()
        def sleeper = cluster.node('n2').command('/bin/sleep').args(300).start()
        sleeper.pid()

        when:
        def running = groovy("cluster.ps()")
        def all = groovy("cluster.ps(all: true)")
        def some = groovy("cluster.ps(all: true, nodes: 'n1')")

        then:
        running.every { it.state == 'running' }
        running*.id.contains("n2:${sleeper.session()}".toString())
        !running*.id.contains("n1:${done.processes[0].session()}".toString())
        all*.id.contains("n1:${done.processes[0].session()}".toString())
        all.find { it.id == "n1:${done.processes[0].session()}".toString() }.state == 'exited'
        some*.node.unique() == ['n1']

        cleanup:
        sleeper?.kill('KILL')
    }

    def "ps with an option it does not know names it"() {
        when:
        groovy("cluster.ps(everything: true)")

        then:
        def e = thrown(IllegalArgumentException)
        e.message == "ps: unknown option 'everything' (the options are all and nodes)"
    }

    def "kill of a process that has already exited does nothing and says so; a running one is signalled"() {
        given:
        def sleeper = cluster.node('n3').command('/bin/sleep').args(300).start()
        sleeper.pid()
        def row = cluster.ps('n3').find { it.session == sleeper.session() }
        def err = new ByteArrayOutputStream()
        def oldErr = System.err
        System.err = new PrintStream(err, true)

        when:
        boolean first = row.kill('TERM')
        sleeper.waitFor()
        boolean second = row.kill('TERM')
        def exited = cluster.ps('n3', true).find { it.session == sleeper.session() }
        boolean third = exited.kill('TERM')

        then:
        first
        sleeper.exitStatus().get() == 'signal 15'
        !second
        !third
        err.toString().contains("kill: n3:${sleeper.session()} exited before the signal; nothing to signal")
        err.toString().contains("kill: n3:${sleeper.session()} has already exited; nothing to signal")

        cleanup:
        System.err = oldErr
    }

    def "the session is known as soon as start() returns, also on a fresh connection (no spare session yet)"() {
        given:
        def fresh = daemons.connect()

        when:
        def p = fresh.node('n4').command('/bin/true').start()
        String session = p.session()

        then:
        session ==~ /\d+/
        p.waitFor() == 0
        p.session() == session

        cleanup:
        fresh?.close()
    }

    def "a bare command name is found in the node's PATH, as gproc exec finds it"() {
        when:
        def job = groovy("nodes.run('uname', '-s').waitFor()")

        then:
        job.exitCodes.values().toSet() == [0] as Set
        job.processes*.text.toSet() == ["${'uname -s'.execute().text}".toString()] as Set
    }

    def "a bare name the node does not have fails with env's 127; a relative path is refused naming it"() {
        when:
        def job = groovy("nodes['n1'].run('no-such-command-here').waitFor()")

        then:
        job.exitCodes == [n1: 127]

        when:
        groovy("nodes.run('./sim')")

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains("'./sim' must be an absolute path on the node or a bare name found in its PATH")
    }

    def "reattach from a new control node follows only the sessions that ran, with how they ended"() {
        given: 'an earlier control node that ran one process, started a sleeper, and failed one exec'
        def earlier = daemons.connect()
        def ran = earlier.node('n1').run('/bin/echo', 'kept')
        ran.waitFor()
        def sleeper = earlier.node('n1').command('/bin/sleep').args(300).start()
        sleeper.pid()
        def broken = earlier.node('n1').run('/no/such/program')
        broken.waitFor()
        String ranId = "n1:${ran.session()}", sleeperId = "n1:${sleeper.session()}", brokenId = "n1:${broken.session()}"
        def parent = earlier.node('n1').command('/bin/sh').args('-c', 'sleep 301; echo done').start()
        String parentId = "n1:${parent.session()}"
        conditions.eventually { assert earlier.ps('n1').count { it.id == parentId } == 2 }

        when: 'a new control node reattaches'
        def later = daemons.connect()
        def found = later.reattach().findAll { it.node() == 'n1' }
        def byId = found.collectEntries { ["${it.node()}:${it.session()}".toString(), it] }

        then: 'the process that ran and the sleeper; no spare, no failed exec'
        broken.failure().isPresent()
        byId.keySet().containsAll([ranId, sleeperId])
        !byId.containsKey(brokenId)
        found.every { it.pid() > 0 }
        found.size() == byId.size()
        byId[parentId].alive
        earlier.ps('n1').findAll { it.id == parentId }*.running == [true, true]
        byId[ranId].exitStatus().get() == 'exit 0'
        byId[ranId].text == 'kept\n'
        byId[sleeperId].alive

        when:
        byId[sleeperId].kill('KILL')

        then:
        conditions.eventually { assert !byId[sleeperId].alive }
        byId[sleeperId].exitStatus().get() == 'signal 9'

        cleanup:
        parent?.kill('KILL')
        later?.close()
        earlier?.close()
    }
}
