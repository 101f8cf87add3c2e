package org.gproc.daemon.relay

import groovy.json.JsonSlurper
import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

import static org.gproc.daemon.NinePFiles.readFile
import static org.gproc.daemon.NinePFiles.text

/** gprocd --relay with real daemons on loopback: /n/ctl, forwarding, identity through the relay, refusals. */
@Timeout(300)
class RelaySpec extends Specification {
    @AutoCleanup
    RelayCluster cluster = new RelayCluster()
    PollingConditions conditions = new PollingConditions(timeout: 60)

    static List<Map> events(Path file) {
        Files.exists(file) ? Files.readAllLines(file).collect { new JsonSlurper().parseText(it) as Map } : []
    }

    static void ctl(BlockingNinePClient c, String path, String text) {
        Fid f = c.open(c.walk(path), Message.OWRITE)
        try {
            c.write(f, 0, text.getBytes(StandardCharsets.UTF_8))
        } finally {
            c.clunk(f)
        }
    }

    /** Clones a session under {@code prefix} ("" or "n/c1/"), runs {@code argv} there; returns [session, wait]. */
    static List run(BlockingNinePClient c, String prefix, String argv, String program) {
        Fid ctl = c.open(c.walk(prefix + 'clone'), Message.ORDWR)
        int n = text(c.read(ctl, 0, 64)) as int
        Fid a = c.open(c.walk("${prefix}$n/argv"), Message.OWRITE)
        c.write(a, 0, argv.bytes)
        c.clunk(a)
        c.write(ctl, 0, "exec $program\nclose stdin\n".bytes)
        String wait = text(readFile(c, "${prefix}$n/wait"))
        c.clunk(ctl)
        [n, wait]
    }

    static List<String> names(BlockingNinePClient c, String path) {
        Fid d = c.open(c.walk(path), Message.OREAD)
        try {
            c.readDir(d)*.name()
        } finally {
            c.clunk(d)
        }
    }

    def "a relay serves its own tree and n/, and n/NAME/ is the child's tree once a child line names it"() {
        given:
        cluster.start('c1', ['r1'], { it.trustedRelays(['relay-r1']) })
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')

        when:
        ctl(alice, 'n/ctl', cluster.childLine('c1'))
        def (int n, String wait) = run(alice, 'n/c1/', "sh -c 'echo through; exit 3'", '/bin/sh')

        then: 'the process ran on the child, and the relay still serves its own files'
        wait == 'exit 3'
        text(readFile(alice, "n/c1/$n/stdout")) == 'through\n'
        cluster.daemons.c1.node(1).sessions().visibleTo('alice@lab')*.id().contains(n)
        names(alice, '').containsAll(['clone', 'cache', 'n'])
        names(alice, 'n') == ['ctl', 'events', 'c1']
        text(readFile(alice, 'n/ctl')) == "c1 127.0.0.1:${cluster.daemons.c1.port()} up\n"

        and: '.. out of the child comes back to the relay'
        alice.walk('n/c1/../c1/..').qid() == alice.walk('n').qid()
    }

    def "a child line that breaks a rule is refused, naming the culprit"() {
        given:
        cluster.start('c1', ['r1'])
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')

        when:
        ctl(alice, 'n/ctl', line.replace('PORT', "${cluster.daemons.c1.port()}").replace('KEY', cluster.keySpec('c1')))

        then:
        NinePException e = thrown()
        e.message.contains(message)

        where:
        line                                   || message
        'child ctl 127.0.0.1 PORT KEY\n'       || "child name 'ctl' is not allowed"
        'child events 127.0.0.1 PORT KEY\n'    || "child name 'events' is not allowed"
        'child c1 127.0.0.1 99999 KEY\n'       || "port '99999' is not 1..65535"
        'child c1 127.0.0.1 PORT ssh-rsa xx\n' || 'KEYSPEC is not a usable key'
        'child c1 127.0.0.1 PORT\n'            || 'usage: child NAME HOST PORT KEYSPEC'
        'chidl c1\n'                           || "unknown verb 'chidl'"
    }

    def "a walk into a child nobody named fails saying how to name it"() {
        given:
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')

        when: 'the walk starts at n/, so the missing child is its first name (a later one would be a partial walk)'
        alice.walk(alice.walk('n'), 'c9', 'clone')

        then:
        NinePException e = thrown()
        e.message.contains("no child c9; write 'child NAME HOST PORT KEYSPEC' to /n/ctl")
    }

    def "a child that proves another host key is aborted with the reason, and its walks fail with it"() {
        given:
        cluster.start('c1', ['r1'])
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')

        when:
        ctl(alice, 'n/ctl', cluster.childLine('c1', cluster.keySpec('r1')))

        then:
        NinePException e = thrown()
        e.message.contains('/n/c1: child c1 (127.0.0.1:')
        e.message.toLowerCase().contains('host key')

        when:
        alice.walk('n/c1/clone')

        then:
        NinePException again = thrown()
        again.message.toLowerCase().contains('host key')
        events(cluster.audit('r1')).any { it.event == 'relay-child' && it.child == 'c1' && it.outcome == 'failed' }
    }

    def "a repeated child line is a no-op, another key for a connected child is refused"() {
        given:
        cluster.start('c1', ['r1'])
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')
        ctl(alice, 'n/ctl', cluster.childLine('c1'))

        when:
        ctl(alice, 'n/ctl', cluster.childLine('c1'))

        then:
        notThrown(NinePException)

        when:
        ctl(alice, 'n/ctl', cluster.childLine('c1', cluster.keySpec('r1')))

        then:
        NinePException e = thrown()
        e.message.contains('child c1 is connected to 127.0.0.1:')
        e.message.contains('refused while it is in use')
        events(cluster.audit('r1')).findAll { it.event == 'relay-child' }*.outcome == ['accepted', 'accepted',
                                                                                        'refused']
    }

    def "through a trusted relay, alice and bob each own and see only their own sessions on the child"() {
        given:
        cluster.start('c1', ['r1'], { it.trustedRelays(['relay-r1']) })
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')
        def bob = cluster.connect('bob@lab', 'r1')
        ctl(alice, 'n/ctl', cluster.childLine('c1'))

        when:
        def (int a) = run(alice, 'n/c1/', 'true', '/bin/true')
        def (int b) = run(bob, 'n/c1/', 'true', '/bin/true')
        def sessions = cluster.daemons.c1.node(1).sessions()

        then:
        sessions.visible(a, 'alice@lab').owner() == 'alice@lab'
        sessions.visible(b, 'bob@lab').owner() == 'bob@lab'
        names(alice, 'n/c1').contains("$a" as String) && !names(alice, 'n/c1').contains("$b" as String)
        names(bob, 'n/c1').contains("$b" as String) && !names(bob, 'n/c1').contains("$a" as String)

        when: 'bob reaches for alice\'s session through the relay'
        bob.walk("n/c1/$a/ctl")

        then:
        thrown(NinePException)

        and: 'the child audits both the user and the relay (the audit line may land a moment after the reply)'
        conditions.eventually {
            def clones = events(cluster.audit('c1')).findAll { it.event == 'clone' && it.outcome == 'accepted' }
            assert clones.collect { [it.principal, it.via] } == [['alice@lab', 'relay-r1'], ['bob@lab', 'relay-r1']]
        }
    }

    def "through an untrusted relay, sessions belong to the relay's own principal and uname is ignored"() {
        given:
        cluster.start('c1', ['r1'])
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')
        ctl(alice, 'n/ctl', cluster.childLine('c1'))

        when:
        def (int a) = run(alice, 'n/c1/', 'true', '/bin/true')

        then:
        cluster.daemons.c1.node(1).sessions().visible(a, 'relay-r1').owner() == 'relay-r1'
        cluster.daemons.c1.node(1).sessions().visible(a, 'alice@lab') == null
        events(cluster.audit('c1')).find { it.event == 'clone' }.with { principal == 'relay-r1' && via == null }
    }

    def "a client cannot pick the principal: the relay passes on who authenticated, whatever the Tattach says"() {
        given:
        cluster.start('c1', ['r1'], { it.trustedRelays(['relay-r1']) })
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1', 'bob@lab')
        ctl(alice, 'n/ctl', cluster.childLine('c1'))

        when:
        def (int a) = run(alice, 'n/c1/', 'true', '/bin/true')

        then:
        cluster.daemons.c1.node(1).sessions().visible(a, 'alice@lab').owner() == 'alice@lab'
    }

    def "a uname from a connection that is not a trusted relay is ignored, even on a node that trusts relays"() {
        given:
        cluster.start('c1', ['r1'], { it.trustedRelays(['relay-r1']) })
        def alice = cluster.connect('alice@lab', 'c1', 'bob@lab')

        when:
        def (int a) = run(alice, '', 'true', '/bin/true')

        then:
        cluster.daemons.c1.node(1).sessions().visible(a, 'alice@lab').owner() == 'alice@lab'
        events(cluster.audit('c1')).find { it.event == 'clone' }.with { principal == 'alice@lab' && via == null }
    }

    def "relays nest: n/r2/n/leaf/ reaches the leaf, and the leaf sees the user via the relay next to it"() {
        given:
        cluster.start('leaf', ['r2'], { it.trustedRelays(['relay-r2']) })
        cluster.start('r2', ['r1'], { it.relay(true).trustedRelays(['relay-r1']) })
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')
        ctl(alice, 'n/ctl', cluster.childLine('r2'))
        ctl(alice, 'n/r2/n/ctl', cluster.childLine('leaf'))

        when:
        def (int n, String wait) = run(alice, 'n/r2/n/leaf/', "sh -c 'echo deep'", '/bin/sh')

        then:
        wait == 'exit 0'
        text(readFile(alice, "n/r2/n/leaf/$n/stdout")) == 'deep\n'
        cluster.daemons.leaf.node(1).sessions().visible(n, 'alice@lab').owner() == 'alice@lab'
        events(cluster.audit('leaf')).find { it.event == 'clone' }.with { principal == 'alice@lab' && via == 'relay-r2' }
        events(cluster.audit('r2')).find { it.event == 'relay-child' }.with { principal == 'alice@lab' && via == 'relay-r1' }
    }

    def "a nested relay that does not trust its parent gives the leaf the middle relay's principal"() {
        given:
        cluster.start('leaf', ['r2'], { it.trustedRelays(['relay-r2']) })
        cluster.start('r2', ['r1'], { it.relay(true) })
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')
        ctl(alice, 'n/ctl', cluster.childLine('r2'))
        ctl(alice, 'n/r2/n/ctl', cluster.childLine('leaf'))

        when:
        def (int n) = run(alice, 'n/r2/n/leaf/', 'true', '/bin/true')

        then: 'r2 acts as relay-r1, the principal that authenticated at it'
        cluster.daemons.leaf.node(1).sessions().visible(n, 'relay-r1').owner() == 'relay-r1'
    }

    def "with --relay-for, a child line may name only the inventory's nodes"() {
        given:
        def c1 = cluster.start('c1', ['r1'])
        cluster.start('c2', ['r1'])
        Path allowed = c1.writeInventory(cluster.dir.resolve('relay-for.groovy'))
        cluster.start('r1', [], { it.relay(true).relayFor(allowed) })
        def alice = cluster.connect('alice@lab', 'r1')

        when:
        ctl(alice, 'n/ctl', cluster.childLine('c1'))

        then:
        notThrown(NinePException)

        when:
        ctl(alice, 'n/ctl', cluster.childLine('c2'))

        then:
        NinePException e = thrown()
        e.message.contains("127.0.0.1:${cluster.daemons.c2.port()} is not a node of --relay-for $allowed")
        events(cluster.audit('r1')).find { it.event == 'relay-child' && it.outcome == 'refused' }.child == 'c2'
    }

    def "--relay-for that cannot be read stops the relay at start, naming the flag"() {
        when:
        cluster.start('r1', [], { it.relay(true).relayFor(cluster.dir.resolve('missing.groovy')) })

        then:
        IOException e = thrown()
        e.message.startsWith('--relay-for ')
        e.message.contains('no such file')
    }

    def "a child whose connection is lost is reported down with the reason, and a child line replaces it"() {
        given: 'a read of n/events parked before anything was lost'
        cluster.start('c1', ['r1'])
        cluster.start('c2', ['r1'])
        cluster.start('r1', [], { it.relay(true) })
        def alice = cluster.connect('alice@lab', 'r1')
        ctl(alice, 'n/ctl', cluster.childLine('c1'))
        Fid held = alice.walk('n/c1/arch')
        int c1Port = cluster.daemons.c1.port()
        Fid lostLines = alice.open(alice.walk('n/events'), Message.OREAD)
        def parked = alice.async().read(lostLines, 0, 4096)

        when: 'the child goes away'
        cluster.daemons.c1.close()

        then: 'the parked read answers with the loss'
        text(parked.get(60, TimeUnit.SECONDS)) == "lost c1 127.0.0.1:$c1Port\n"
        conditions.eventually {
            assert text(readFile(alice, 'n/ctl')).contains('c1 127.0.0.1:')
            assert text(readFile(alice, 'n/ctl')).contains('down: /n/c1: child c1 (127.0.0.1:')
        }

        when: 'a fid walked before the loss is used'
        alice.open(held, Message.OREAD)

        then:
        NinePException e = thrown()
        e.message.contains('/n/c1: child c1 (127.0.0.1:')
        e.message.contains('connection lost')

        when: 'c1 is pointed at another node'
        ctl(alice, 'n/ctl', "child c1 127.0.0.1 ${cluster.daemons.c2.port()} ${cluster.keySpec('c2')}\n")

        then:
        text(readFile(alice, 'n/c1/uname')).length() > 0

        when: 'n/events is opened for writing'
        alice.open(alice.walk('n/events'), Message.OWRITE)

        then:
        NinePException refused = thrown()
        refused.message.contains('open /n/events: permission denied (it is read-only')
    }
}
