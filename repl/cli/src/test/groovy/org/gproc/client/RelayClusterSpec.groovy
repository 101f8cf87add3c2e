package org.gproc.client

import org.gproc.daemon.GprocDaemon
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.KnownHosts
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption
import java.time.Duration

/**
 * The client through relays against real daemons over real SSH on loopback: daemon R serves r1 and r2, daemon L
 * the leaves n1..n3, all {@code --relay} (so an automatic tree may pick any of them). Every node trusts both host
 * keys as principal relay@lab, so a relay acts for alice there; the client names each child with the key its own
 * known_hosts holds for it.
 */
@Timeout(180)
class RelayClusterSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared @AutoCleanup GprocDaemon relays
    @Shared @AutoCleanup GprocDaemon leaves
    @Shared Path identity
    @Shared Path knownHosts

    def setupSpec() {
        identity = dir.resolve('id_ed25519')
        def user = Keys.loadOrGenerate(identity, 'alice@lab')
        def relayKey = Keys.loadOrGenerate(dir.resolve('relay_host_key'), 'relay')
        def leafKey = Keys.loadOrGenerate(dir.resolve('leaf_host_key'), 'leaf')
        Path authorized = dir.resolve('authorized_keys')
        Files.writeString(authorized, Keys.publicKeyLine(user.public) + ' alice@lab\n'
                + Keys.publicKeyLine(relayKey.public) + ' relay@lab\n'
                + Keys.publicKeyLine(leafKey.public) + ' relay@lab\n')
        relays = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('relay_host_key'))
                .authorizedKeys(authorized).stateDir(dir.resolve('relay-state')).instances(2)
                .relay(true).trustedRelays(['relay@lab']).start()
        leaves = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('leaf_host_key'))
                .authorizedKeys(authorized).stateDir(dir.resolve('leaf-state')).instances(3)
                .relay(true).trustedRelays(['relay@lab']).start()
        knownHosts = dir.resolve('known_hosts')
        Files.writeString(knownHosts, Files.readString(relays.writeInventory(dir.resolve('r.groovy'))
                .resolveSibling('r.groovy.known_hosts')) + Files.readString(leaves.writeInventory(
                dir.resolve('l.groovy')).resolveSibling('l.groovy.known_hosts')))
    }

    /** r1, r2 and n1..n3; {@code leafRelay} and {@code r2Relay} are the relay keys (null: none). */
    Inventory inventory(String leafRelay, String r2Relay = null, String extra = '') {
        String text = """\
            cluster { knownHosts = '$knownHosts'; identity = '$identity' }
            nodes {
                r1 { host = '127.0.0.1'; port = ${relays.port(1)} }
                r2 { host = '127.0.0.1'; port = ${relays.port(2)}${r2Relay ? "; relay = '$r2Relay'" : ''} }
                'n[1-3]' { host = '127.0.0.1'; port = ${leaves.port(1)}${leafRelay ? "; relay = '$leafRelay'" : ''} }
            }
            $extra
            """.stripIndent()
        Inventory.parse(text, dir.resolve('cluster.groovy'))
    }

    /** Runs one script on n1..n3 and returns each node's stdout, stderr and exit code. */
    Map<String, List<Object>> runOnLeaves(Cluster cluster) {
        def job = cluster.nodes['n[1-3]'].command('/bin/sh')
                .args('-c', 'read line; echo "out $line $GPROC_TEST"; echo "err $1" >&2; exit $2', 'sh', 'x', '5')
                .stdin('hello\n').env(GPROC_TEST: 'env-ok').run().waitFor()
        job.processes.collectEntries { [(it.node()): [it.text, it.errorStream.text, it.exitValue()]] }
    }

    def "flat, through one relay and nested give the same outputs and exit codes"() {
        when:
        def flat = Cluster.connect(inventory(null), ClusterOptions.defaults())
        def flatResult = runOnLeaves(flat)
        def one = Cluster.connect(inventory('r1'), ClusterOptions.defaults())
        def oneResult = runOnLeaves(one)
        def nested = Cluster.connect(inventory('r2', 'r1'), ClusterOptions.defaults())
        def nestedResult = runOnLeaves(nested)

        then:
        flat.down.isEmpty() && one.down.isEmpty() && nested.down.isEmpty()
        flatResult.keySet() == ['n1', 'n2', 'n3'] as Set
        flatResult.n1 == ['out hello env-ok\n', 'err x\n', 5]
        oneResult == flatResult
        nestedResult == flatResult
        one.node('n2').channel().prefix() == 'n/n2/'
        nested.node('n2').channel().prefix() == 'n/r2/n/n2/'

        cleanup:
        flat?.close()
        one?.close()
        nested?.close()
    }

    def "ps, kill and reattach work through a relay"() {
        given:
        def cluster = Cluster.connect(inventory('r1'), ClusterOptions.defaults())
        def p = cluster.nodes.n3.run('/bin/sleep', '300')
        p.pid()

        when:
        def row = cluster.ps('n3').find { it.session == p.session() }
        row.kill('TERM')

        then:
        row.pid == p.pid()
        p.waitFor(Duration.ofSeconds(30))
        p.exitStatus().get() == 'signal 15'

        when: 'a second control node, also through the relay, reattaches'
        def done = cluster.nodes.n1.run('/bin/sh', '-c', 'echo first; echo second; exit 3')
        done.waitFor()
        def other = Cluster.connect(inventory('r1'), ClusterOptions.defaults())
        def again = other.reattach().find { it.node() == 'n1' && it.session() == done.session() }
        again.waitFor(Duration.ofSeconds(30))

        then:
        again.text == 'first\nsecond\n'
        again.exitValue() == 3

        cleanup:
        cluster?.close()
        other?.close()
    }

    def "a push through a relay sends the blob once on the control node's link"() {
        given: 'a 1 MiB program no node has yet'
        Path program = dir.resolve('big.sh')
        byte[] filler = new byte[1 << 20]
        new Random(7).nextBytes(filler)
        Files.writeString(program, '#!/bin/sh\necho pushed $(wc -c < "$0")\nexit 0\n#' + filler.encodeBase64())
        program.toFile().setExecutable(true)
        long size = Files.size(program)
        def relayed = Cluster.connect(inventory('r1'), ClusterOptions.defaults())

        when:
        long before = relayed.bytesSent
        def job = relayed.nodes['n[1-3]'].push(program).run().waitFor()
        long sent = relayed.bytesSent - before

        then:
        job.succeeded.toString() == 'n[1-3]'
        job.processes.every { it.text == "pushed $size\n" }
        sent >= size
        sent < 2 * size

        when: 'the same push flat, to a fresh copy of the program'
        Path copy = dir.resolve('big2.sh')
        Files.writeString(copy, Files.readString(program) + '\n')
        def flat = Cluster.connect(inventory(null), ClusterOptions.defaults())
        long flatBefore = flat.bytesSent
        flat.nodes['n[1-3]'].push(copy).run().waitFor()

        then: 'each leaf has its own cache, so flat sends the blob once per node'
        flat.bytesSent - flatBefore >= 3 * size

        cleanup:
        relayed?.close()
        flat?.close()
    }

    def "a preload through a relay sends the blob once on the control node's link and fills every leaf's cache"() {
        given: 'a 1 MiB file no node has yet, and the same leaves flat and nested under r2 under r1'
        Path file = dir.resolve('preload.bin')
        byte[] data = new byte[1 << 20]
        new Random(11).nextBytes(data)
        Files.write(file, data)
        String hash = java.security.MessageDigest.getInstance('SHA-256').digest(data).encodeHex().toString()
        def nested = Cluster.connect(inventory('r2', 'r1'), ClusterOptions.defaults())

        when:
        long before = nested.bytesSent
        Map sent = nested.nodes['n[1-3]'].preload(file)
        long crossed = nested.bytesSent - before

        then: 'the bytes went once to r1, which fed r2, which fed the leaves'
        sent.keySet() == ['n1', 'n2', 'n3'] as Set
        sent.values().sum() == data.length
        crossed >= data.length
        crossed < 2 * data.length
        (1..3).every { leaves.node(it).cache().contains(hash) }
        relays.node(2).cache().contains(hash)

        when: 'a push of the same file afterwards'
        long again = nested.bytesSent
        nested.nodes['n[1-3]'].preload(file)

        then: 'sends no blob bytes'
        nested.bytesSent - again < data.length / 100

        cleanup:
        nested?.close()
    }

    def "a preload through a relay of something that is not a file names it and sends nothing"() {
        given:
        def relayed = Cluster.connect(inventory('r1'), ClusterOptions.defaults())

        when:
        relayed.nodes['n[1-3]'].preload(dir.toString())

        then:
        IllegalArgumentException e = thrown()
        e.message == "push: '$dir' is not a regular file"

        cleanup:
        relayed?.close()
    }

    def "a child that proves another host key is down with the relay's reason while the rest run"() {
        given: 'known_hosts whose line for n2 holds some other key'
        Path wrong = dir.resolve('known_hosts.wrong')
        def other = Keys.loadOrGenerate(dir.resolve('other_key'), 'other')
        String n2Token = "[127.0.0.1]:${leaves.port(2)}"
        Files.writeString(wrong, Files.readString(knownHosts).readLines().collect {
            it.startsWith(n2Token + ' ') ? n2Token + ' ' + Keys.publicKeyLine(other.public) : it
        }.join('\n') + '\n')
        def cluster = Cluster.connect(inventory('r1').withKnownHosts(wrong), ClusterOptions.defaults())

        expect:
        cluster.down.toString() == 'n2'
        cluster.downReasons.n2.contains('through relay r1')
        cluster.nodes.toString() == 'n[1,3],r[1-2]'
        cluster.nodes['n[1,3]'].run('/bin/true').waitFor().succeeded.size() == 2

        cleanup:
        cluster?.close()
    }

    def "a node with no host key in known_hosts is not announced to the relay"() {
        given:
        Path partial = dir.resolve('known_hosts.partial')
        String n3Token = "[127.0.0.1]:${leaves.port(3)}"
        Files.writeString(partial, Files.readString(knownHosts).readLines()
                .findAll { !it.startsWith(n3Token + ' ') }.join('\n') + '\n')
        def cluster = Cluster.connect(inventory('r1').withKnownHosts(partial), ClusterOptions.defaults())

        expect:
        cluster.down.toString() == 'n3'
        cluster.downReasons.n3.contains('no usable ssh-ed25519 host key')

        cleanup:
        cluster?.close()
    }

    def "an automatic tree of width 2 nests the nodes and still runs everywhere"() {
        given: 'five nodes in order n1 n2 n3 r1 r2: n1 and n2 direct, n3 and r1 through n1, r2 through n2'
        def cluster = Cluster.connect(inventory(null).withTreeWidth(2), ClusterOptions.defaults())

        expect:
        cluster.down.isEmpty()
        ['n1', 'n2', 'n3', 'r1', 'r2'].collect { cluster.node(it).channel().prefix() } ==
                ['', '', 'n/n3/', 'n/r1/', 'n/r2/']
        cluster.nodes.run('/bin/sh', '-c', 'echo ok').waitFor().processes.collect { it.text } == ['ok\n'] * 5

        cleanup:
        cluster?.close()
    }

    /** A relay of its own (so it can die) at r1, n1..n3 of {@code leafDaemon} behind it. */
    Inventory behindOwnRelay(GprocDaemon relay, GprocDaemon leafDaemon, Path hosts) {
        Files.writeString(hosts, Files.readString(knownHosts) + Files.readString(relay.writeInventory(
                dir.resolve('dying.groovy')).resolveSibling('dying.groovy.known_hosts')) + Files.readString(
                leafDaemon.writeInventory(dir.resolve('strict.groovy')).resolveSibling('strict.groovy.known_hosts')))
        Inventory.parse("""\
            cluster { knownHosts = '$hosts'; identity = '$identity' }
            nodes {
                r1 { host = '127.0.0.1'; port = ${relay.port(1)} }
                'n[1-3]' { host = '127.0.0.1'; port = ${leafDaemon.port(1)}; relay = 'r1' }
            }
            """.stripIndent(), dir.resolve('dying-cluster.groovy'))
    }

    GprocDaemon relayDaemon(String name) {
        GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('relay_host_key'))
                .authorizedKeys(dir.resolve('authorized_keys')).stateDir(dir.resolve(name)).instances(1)
                .relay(true).start()
    }

    def "a relay that dies mid-job: its children carry on directly and every byte and exit code arrives"() {
        given:
        def relay = relayDaemon('dying-state')
        def cluster = Cluster.connect(behindOwnRelay(relay, leaves, dir.resolve('known_hosts.dying')),
                ClusterOptions.defaults())
        Path flag = dir.resolve('relay-died')
        def job = waitingJob(cluster, flag)

        when:
        relay.close()
        new PollingConditions(timeout: 60).eventually {
            assert ['n1', 'n2', 'n3'].every { cluster.node(it).up && !cluster.node(it).channel().relayed }
        }
        Files.createFile(flag)
        job.waitFor(Duration.ofSeconds(60))

        then:
        job.processes.collect { it.text } == ['before\nafter\n'] * 3
        job.exitCodes == [n1: 4, n2: 4, n3: 4]
        cluster.down.toString() == 'r1'

        cleanup:
        cluster?.close()
        relay?.close()
    }

    def "a relay that dies mid-job: children that cannot be reached directly are down with the reason"() {
        given: 'leaves that accept only the relay, not alice directly'
        def strict = relayOnlyLeaves('strict')
        def relay = relayDaemon('dying2-state')
        def cluster = Cluster.connect(behindOwnRelay(relay, strict, dir.resolve('known_hosts.strict')),
                ClusterOptions.defaults())
        def job = cluster.nodes['n[1-3]'].run('/bin/sh', '-c', 'echo before; sleep 300')
        new PollingConditions(timeout: 60).eventually {
            assert job.processes.every { new String(it.stdoutBytes()) == 'before\n' }
        }

        when:
        relay.close()
        job.waitFor(Duration.ofSeconds(60))

        then:
        cluster.downReasons == [n1: 'relay r1: connection lost', n2: 'relay r1: connection lost',
                                n3: 'relay r1: connection lost', r1: 'connection closed']
        job.processes.every { new String(it.stdoutBytes()) == 'before\n' && it.exitValue() == 255 }
        job.processes.every { it.failure().get().contains('relay r1: connection lost') }

        cleanup:
        cluster?.close()
        relay?.close()
        strict?.close()
    }

    /** Leaves that accept only the relays' key (relay@lab), never alice directly. */
    GprocDaemon relayOnlyLeaves(String name) {
        Path relayOnly = dir.resolve("authorized_keys.$name")
        Files.writeString(relayOnly, Files.readString(dir.resolve('authorized_keys')).readLines()
                .findAll { it.endsWith(' relay@lab') }.join('\n') + '\n')
        GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('strict_host_key'))
                .authorizedKeys(relayOnly).stateDir(dir.resolve("$name-state")).instances(3)
                .trustedRelays(['relay@lab']).start()
    }

    /** known_hosts for the shared daemons plus {@code more}, and an inventory of {@code nodes} lines. */
    Inventory routes(String name, List<GprocDaemon> more, String nodes) {
        Path hosts = dir.resolve("known_hosts.$name")
        Files.writeString(hosts, Files.readString(knownHosts) + more.withIndex().collect { d, i ->
            Files.readString(d.writeInventory(dir.resolve("${name}-${i}.groovy")).resolveSibling("${name}-${i}.groovy.known_hosts"))
        }.join(''))
        Inventory.parse("""\
            cluster { knownHosts = '$hosts'; identity = '$identity' }
            nodes {
            $nodes
            }
            """.stripIndent(), dir.resolve("${name}-cluster.groovy"))
    }

    /** Runs on n1..n3 a script that prints, waits for {@code flag}, prints again and exits 4; waits for the first line. */
    Job waitingJob(Cluster cluster, Path flag) {
        def job = cluster.nodes['n[1-3]'].run('/bin/sh', '-c',
                "echo before; while [ ! -e '$flag' ]; do sleep 0.1; done; echo after; exit 4")
        new PollingConditions(timeout: 60).eventually {
            assert job.processes.every { new String(it.stdoutBytes()) == 'before\n' }
        }
        job
    }

    def "a relay that dies mid-job: children the client cannot reach move to a sibling relay, and every byte arrives"() {
        given: 'r1 and r2 side by side; n1, n2 behind r1 and n3 behind r2; the leaves take only relays'
        def strict = relayOnlyLeaves('sibling-leaves')
        def r1 = relayDaemon('sibling-r1')
        def r2 = relayDaemon('sibling-r2')
        def cluster = Cluster.connect(routes('sibling', [r1, r2, strict], """\
                r1 { host = '127.0.0.1'; port = ${r1.port(1)} }
                r2 { host = '127.0.0.1'; port = ${r2.port(1)} }
                n1 { host = '127.0.0.1'; port = ${strict.port(1)}; relay = 'r1' }
                n2 { host = '127.0.0.1'; port = ${strict.port(2)}; relay = 'r1' }
                n3 { host = '127.0.0.1'; port = ${strict.port(3)}; relay = 'r2' }"""), ClusterOptions.defaults())
        Path flag = dir.resolve('sibling-flag')
        def job = waitingJob(cluster, flag)

        when:
        r1.close()
        new PollingConditions(timeout: 60).eventually {
            assert ['n1', 'n2'].every { cluster.node(it).up && cluster.node(it).channel().client().is(
                    cluster.node('r2').channel().client()) }
        }
        Files.createFile(flag)
        job.waitFor(Duration.ofSeconds(60))

        then:
        job.processes.collect { it.text } == ['before\nafter\n'] * 3
        job.exitCodes == [n1: 4, n2: 4, n3: 4]
        cluster.downReasons == [r1: 'connection closed']

        cleanup:
        cluster?.close()
        [r1, r2, strict].each { it?.close() }
    }

    def "a relay that dies mid-job, then the sibling its children moved to: they are down with the reason"() {
        given:
        def strict = relayOnlyLeaves('nosibling-leaves')
        def r1 = relayDaemon('nosibling-r1')
        def r2 = relayDaemon('nosibling-r2')
        def cluster = Cluster.connect(routes('nosibling', [r1, r2, strict], """\
                r1 { host = '127.0.0.1'; port = ${r1.port(1)} }
                r2 { host = '127.0.0.1'; port = ${r2.port(1)} }
                'n[1-2]' { host = '127.0.0.1'; port = ${strict.port(1)}; relay = 'r1' }
                n3 { host = '127.0.0.1'; port = ${strict.port(3)}; relay = 'r2' }"""), ClusterOptions.defaults())
        def job = waitingJob(cluster, dir.resolve('nosibling-flag'))

        when: 'r2 dies, and n3 moves to r1'
        r2.close()
        new PollingConditions(timeout: 60).eventually {
            assert cluster.node('n3').up && cluster.node('n3').channel().client().is(cluster.node('r1').channel().client())
        }

        and: 'then r1 dies too, leaving no route to the leaves'
        r1.close()
        job.waitFor(Duration.ofSeconds(60))

        then: 'once the failover has tried every way (the processes can fail before the last try is refused)'
        new PollingConditions(timeout: 60).eventually {
            assert cluster.downReasons == [r1: 'connection closed', r2: 'connection closed',
                                           n1: 'relay r1: connection lost', n2: 'relay r1: connection lost',
                                           n3: 'relay r1: connection lost']
        }
        job.processes.every { it.exitValue() == 255 && it.failure().get().contains('connection lost') }

        cleanup:
        cluster?.close()
        [r1, r2, strict].each { it?.close() }
    }

    GprocDaemon trustingRelay(String name) {
        GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(dir.resolve('relay_host_key'))
                .authorizedKeys(dir.resolve('authorized_keys')).stateDir(dir.resolve(name)).instances(1)
                .relay(true).trustedRelays(['relay@lab']).start()
    }

    def "a nested relay that dies under a live relay is noticed: its children carry on directly, every byte arrives"() {
        given: 'r1 direct, r2 behind r1, n1..n3 behind r2'
        def r1 = relayDaemon('nested-r1')
        def r2 = trustingRelay('nested-r2')
        def cluster = Cluster.connect(routes('nested', [r1, r2], """\
                r1 { host = '127.0.0.1'; port = ${r1.port(1)} }
                r2 { host = '127.0.0.1'; port = ${r2.port(1)}; relay = 'r1' }
                'n[1-3]' { host = '127.0.0.1'; port = ${leaves.port(1)}; relay = 'r2' }"""), ClusterOptions.defaults())
        Path flag = dir.resolve('nested-flag')
        def job = waitingJob(cluster, flag)

        when: 'r2 dies while r1 lives on'
        r2.close()
        new PollingConditions(timeout: 60).eventually {
            assert ['n1', 'n2', 'n3'].every { cluster.node(it).up && !cluster.node(it).channel().relayed }
        }
        Files.createFile(flag)
        job.waitFor(Duration.ofSeconds(60))

        then:
        job.processes.collect { it.text } == ['before\nafter\n'] * 3
        job.exitCodes == [n1: 4, n2: 4, n3: 4]
        cluster.downReasons == [r2: 'relay r1: connection lost']
        cluster.node('r1').up

        cleanup:
        cluster?.close()
        [r1, r2].each { it?.close() }
    }

    def "a nested relay that dies under a live relay: children with no other way are down with the reason"() {
        given:
        def strict = relayOnlyLeaves('nested-strict-leaves')
        def r1 = relayDaemon('nested-strict-r1')
        def r2 = trustingRelay('nested-strict-r2')
        def cluster = Cluster.connect(routes('nested-strict', [r1, r2, strict], """\
                r1 { host = '127.0.0.1'; port = ${r1.port(1)} }
                r2 { host = '127.0.0.1'; port = ${r2.port(1)}; relay = 'r1' }
                'n[1-3]' { host = '127.0.0.1'; port = ${strict.port(1)}; relay = 'r2' }"""), ClusterOptions.defaults())
        def job = waitingJob(cluster, dir.resolve('nested-strict-flag'))

        when:
        r2.close()
        job.waitFor(Duration.ofSeconds(60))

        then:
        cluster.downReasons == [r2: 'relay r1: connection lost', n1: 'relay r2: connection lost',
                                n2: 'relay r2: connection lost', n3: 'relay r2: connection lost']
        job.processes.every { it.exitValue() == 255 && it.failure().get().contains('relay r2: connection lost') }
        cluster.node('r1').up

        cleanup:
        cluster?.close()
        [r1, r2, strict].each { it?.close() }
    }

    /** A port on 127.0.0.1 nothing listens on (just closed). */
    static int deadPort() {
        def socket = new ServerSocket(0, 1, InetAddress.getByName('127.0.0.1'))
        int port = socket.localPort
        socket.close()
        port
    }

    def "a relay list: the first live relay is used, and when it dies mid-job the nodes move to the next listed one"() {
        given: 'relays dead (nothing listens), ra (its own daemon) and r2, listed in that order for n1..n3'
        def ra = relayDaemon('list-ra')
        def cluster = Cluster.connect(routes('list', [ra], """\
                dead { host = '127.0.0.1'; port = ${deadPort()} }
                ra { host = '127.0.0.1'; port = ${ra.port(1)} }
                r2 { host = '127.0.0.1'; port = ${relays.port(2)} }
                'n[1-3]' { host = '127.0.0.1'; port = ${leaves.port(1)}; relay = ['dead', 'ra', 'r2'] }"""),
                ClusterOptions.defaults())

        expect: 'dead is down and the leaves went through ra'
        cluster.down.toString() == 'dead'
        ['n1', 'n2', 'n3'].every { cluster.node(it).channel().client().is(cluster.node('ra').channel().client()) }

        when: 'ra dies mid-job'
        Path flag = dir.resolve('list-flag')
        def job = waitingJob(cluster, flag)
        ra.close()
        new PollingConditions(timeout: 60).eventually {
            assert ['n1', 'n2', 'n3'].every { cluster.node(it).up && cluster.node(it).channel().client().is(
                    cluster.node('r2').channel().client()) }
        }
        Files.createFile(flag)
        job.waitFor(Duration.ofSeconds(60))

        then: 'the leaves moved to r2, the next listed relay, not directly, and every byte and exit code arrived'
        job.processes.collect { it.text } == ['before\nafter\n'] * 3
        job.exitCodes == [n1: 4, n2: 4, n3: 4]
        cluster.downReasons.keySet() == ['dead', 'ra'] as Set

        cleanup:
        cluster?.close()
        ra?.close()
    }

    def "a relay list none of whose relays can be reached, nor the node itself: down, naming each relay"() {
        given:
        int d1 = deadPort()
        int d2 = deadPort()
        def cluster = Cluster.connect(routes('list-dead', [], """\
                d1 { host = '127.0.0.1'; port = $d1 }
                d2 { host = '127.0.0.1'; port = $d2 }
                n1 { host = '127.0.0.1'; port = ${deadPort()}; relay = ['d1', 'd2'] }"""), ClusterOptions.defaults())

        expect:
        cluster.down.toString() == 'd[1-2],n1'
        cluster.downReasons.n1.startsWith("relay d1: ")
        cluster.downReasons.n1.contains("; relay d2: ")
        cluster.downReasons.n1.contains("127.0.0.1:$d2")

        cleanup:
        cluster?.close()
    }

    /**
     * A real gprocd JVM on loopback relaying as {@link #trustingRelay} does, so that kill -9 of it is real (no
     * goodbye on any connection): the process and its port, read from its "serving" line.
     */
    List realTrustingRelay(String name) {
        Path log = dir.resolve("${name}.log")
        def process = new ProcessBuilder([ChildJvm.java(), '-Xmx256m', '-cp', System.getProperty('java.class.path'),
                'org.gproc.daemon.Gprocd', '--listen', '127.0.0.1:0', '--host-key', dir.resolve('relay_host_key').toString(),
                '--authorized-keys', dir.resolve('authorized_keys').toString(), '--state-dir', dir.resolve(name).toString(),
                '--relay', '--trusted-relay', 'relay@lab']*.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start()
        def serving = ~/serving n1 on 127\.0\.0\.1:(\d+)/
        new PollingConditions(timeout: 120, delay: 0.1).eventually {
            assert !process.alive || log.text =~ serving
        }
        def m = log.text =~ serving
        if (!m.find()) {
            process.destroyForcibly()
            throw new IllegalStateException("gprocd $name did not start: ${log.text}")
        }
        [process, m.group(1) as int]
    }

    def "a nested relay killed with kill -9 while its nodes are idle is noticed without any read: moved, or down"() {
        given: 'r1 direct, r2 (a gprocd process) behind r1; n1 (reachable directly) and n2 (relays only) behind r2'
        def strict = relayOnlyLeaves('idle-strict-leaves')
        def r1 = relayDaemon('idle-r1')
        def (Process r2, int r2Port) = realTrustingRelay('idle-r2')
        def inventory = routes('idle', [r1, strict], """\
                r1 { host = '127.0.0.1'; port = ${r1.port(1)} }
                r2 { host = '127.0.0.1'; port = $r2Port; relay = 'r1' }
                n1 { host = '127.0.0.1'; port = ${leaves.port(1)}; relay = 'r2' }
                n2 { host = '127.0.0.1'; port = ${strict.port(2)}; relay = 'r2' }""")
        Files.writeString(dir.resolve('known_hosts.idle'), KnownHosts.line('127.0.0.1', r2Port,
                Keys.loadOrGenerate(dir.resolve('relay_host_key'), 'relay').public) + '\n', StandardOpenOption.APPEND)
        def cluster = Cluster.connect(inventory, ClusterOptions.defaults())

        expect:
        cluster.down.isEmpty()
        cluster.node('n1').channel().prefix() == 'n/r2/n/n1/'

        when: 'kill -9 of r2, and nobody reads anything under it: r1 says on its n/events that it lost r2'
        r2.destroyForcibly().waitFor()
        new PollingConditions(timeout: 60).eventually {
            assert cluster.node('n1').up && !cluster.node('n1').channel().relayed
            assert !cluster.node('n2').up
        }
        def p = cluster.nodes.n1.run('/bin/sh', '-c', 'echo moved')
        p.waitFor(Duration.ofSeconds(30))

        then:
        cluster.downReasons == [r2: 'relay r1: connection lost', n2: 'relay r2: connection lost']
        p.text == 'moved\n'

        cleanup:
        cluster?.close()
        r2?.destroyForcibly()
        [r1, strict].each { it?.close() }
    }
}
