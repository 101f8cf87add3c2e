package org.gproc.daemon.relay

import org.gproc.daemon.NinePFiles
import org.gproc.transport.ninep.BlockingNinePClient
import org.gproc.transport.ninep.Fid
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.security.MessageDigest
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit

import static org.gproc.daemon.NinePFiles.text

/** Blobs cross each link once: a link written through a relay makes the relay feed the child from its own cache. */
@Timeout(300)
class RelayPushSpec extends Specification {
    @AutoCleanup
    RelayCluster cluster = new RelayCluster()
    PollingConditions conditions = new PollingConditions(timeout: 60)
    BlockingNinePClient alice

    static final int SIZE = 4 << 20

    def setup() {
        cluster.start('c1', ['r1'], { it.trustedRelays(['relay-r1']) })
        cluster.start('r1', [], { it.relay(true) })
        alice = cluster.connect('alice@lab', 'r1')
        RelaySpec.ctl(alice, 'n/ctl', cluster.childLine('c1'))
    }

    static byte[] blob(long seed) {
        byte[] data = new byte[SIZE]
        new Random(seed).nextBytes(data)
        data
    }

    static String sha256(byte[] data) {
        MessageDigest.getInstance('SHA-256').digest(data).encodeHex().toString()
    }

    /** A new session on the child through the relay: [ctl fid, session number]. */
    List session(BlockingNinePClient c) {
        Fid ctl = c.open(c.walk('n/c1/clone'), Message.ORDWR)
        [ctl, text(c.read(ctl, 0, 64)) as int]
    }

    /** c2 behind r2 behind r1 (r1 is the setup's relay), both announced. */
    void nested() {
        cluster.start('r2', ['r1'], { it.relay(true).trustedRelays(['relay-r1']) })
        cluster.start('c2', ['r2'], { it.trustedRelays(['relay-r2']) })
        RelaySpec.ctl(alice, 'n/ctl', cluster.childLine('r2'))
        RelaySpec.ctl(alice, 'n/r2/n/ctl', cluster.childLine('c2'))
    }

    Relay relay() {
        cluster.daemons.r1.relay(1)
    }

    def "a link through the relay feeds the child while the relay's own upload is still arriving, and once only"() {
        given:
        byte[] data = blob(1)
        String hash = sha256(data)
        def (Fid ctl, int n) = session(alice)
        Fid upload = alice.create(alice.walk('cache'), hash, 0444, Message.OWRITE)
        alice.writeAll(upload, 0, Arrays.copyOf(data, SIZE / 2 as int))

        when: 'the link goes out before the relay has the whole blob'
        CompletableFuture<Integer> linked = alice.async().write(ctl, 0, "link $hash bin/blob 555\n".bytes)

        then: 'the child receives the first half while the relay is still waiting for the second'
        conditions.eventually {
            assert cluster.daemons.c1.node(1).cache().arriving(hash)?.received() == SIZE / 2
        }
        !linked.isDone()

        when: 'the rest arrives'
        alice.writeAll(upload, SIZE / 2 as long, Arrays.copyOfRange(data, SIZE / 2 as int, SIZE))
        alice.clunk(upload)
        linked.get(60, TimeUnit.SECONDS)

        then: 'the child has the blob, linked into the session; it crossed the link once'
        cluster.daemons.c1.node(1).cache().contains(hash)
        alice.stat(alice.walk("n/c1/$n/fs/bin/blob")).length() == SIZE
        relay().pushes() == 1
        relay().pushedBytes() == SIZE

        when: 'alice links it again in a second session, bob in his'
        def (Fid again) = session(alice)
        alice.write(again, 0, "link $hash bin/blob 555\n".bytes)
        def bob = cluster.connect('bob@lab', 'r1')
        def (Fid his) = session(bob)
        bob.write(his, 0, "link $hash bin/blob 555\n".bytes)

        then:
        relay().pushes() == 1
    }

    def "through nested relays the blob cuts through every level: the leaf receives it while the first relay still does"() {
        given: 'c2 behind r2 behind r1'
        nested()
        byte[] data = blob(8)
        String hash = sha256(data)
        Fid ctl = alice.open(alice.walk('n/r2/n/c2/clone'), Message.ORDWR)
        int n = text(alice.read(ctl, 0, 64)) as int
        Fid upload = alice.create(alice.walk('cache'), hash, 0444, Message.OWRITE)
        alice.writeAll(upload, 0, Arrays.copyOf(data, SIZE / 2 as int))

        when:
        CompletableFuture<Integer> linked = alice.async().write(ctl, 0, "link $hash bin/blob 555\n".bytes)

        then: 'the leaf two relays down has the first half while r1 waits for the second'
        conditions.eventually {
            assert cluster.daemons.c2.node(1).cache().arriving(hash)?.received() == SIZE / 2
        }
        !linked.isDone()

        when:
        alice.writeAll(upload, SIZE / 2 as long, Arrays.copyOfRange(data, SIZE / 2 as int, SIZE))
        alice.clunk(upload)
        linked.get(60, TimeUnit.SECONDS)

        then:
        cluster.daemons.c2.node(1).cache().contains(hash)
        cluster.daemons.r2.node(1).cache().contains(hash)
        alice.stat(alice.walk("n/r2/n/c2/$n/fs/bin/blob")).length() == SIZE
    }

    def "through nested relays, when the first relay's upload fails the link two levels down fails with the reason"() {
        given:
        nested()
        byte[] data = blob(9)
        String hash = sha256(data)
        Fid ctl = alice.open(alice.walk('n/r2/n/c2/clone'), Message.ORDWR)
        Fid upload = alice.create(alice.walk('cache'), hash, 0444, Message.OWRITE)
        alice.writeAll(upload, 0, Arrays.copyOf(data, SIZE / 2 as int))
        CompletableFuture<Integer> linked = alice.async().write(ctl, 0, "link $hash bin/blob 555\n".bytes)

        when: 'the second half is not the blob'
        alice.writeAll(upload, SIZE / 2 as long, new byte[SIZE / 2 as int])
        try { alice.clunk(upload) } catch (NinePException mismatch) { }
        linked.get(60, TimeUnit.SECONDS)

        then:
        ExecutionException e = thrown()
        e.cause.message.contains('hash mismatch')
        !cluster.daemons.c2.node(1).cache().contains(hash)
        !cluster.daemons.r2.node(1).cache().contains(hash)
    }

    def "when the relay's own upload fails, the link through it fails with that reason and the child gets nothing"() {
        given:
        byte[] data = blob(2)
        String hash = sha256(data)
        def (Fid ctl) = session(alice)
        Fid upload = alice.create(alice.walk('cache'), hash, 0444, Message.OWRITE)
        alice.writeAll(upload, 0, Arrays.copyOf(data, SIZE / 2 as int))
        CompletableFuture<Integer> linked = alice.async().write(ctl, 0, "link $hash bin/blob 555\n".bytes)

        when: 'the second half is not the blob'
        alice.writeAll(upload, SIZE / 2 as long, new byte[SIZE / 2 as int])
        try { alice.clunk(upload) } catch (NinePException mismatch) { }
        linked.get(60, TimeUnit.SECONDS)

        then:
        ExecutionException e = thrown()
        e.cause.message.contains("push of cache/$hash failed")
        e.cause.message.contains('hash mismatch')
        !cluster.daemons.c1.node(1).cache().contains(hash)
        relay().pushes() == 0
    }

    def "a blob the relay neither holds nor receives is not pushed: the child reports it missing"() {
        given:
        String hash = sha256(blob(3))
        def (Fid ctl) = session(alice)

        when:
        alice.write(ctl, 0, "link $hash bin/blob 555\n".bytes)

        then:
        NinePException e = thrown()
        e.message.contains("no blob $hash in cache/")
        relay().pushes() == 0
    }

    def "a blob the child already holds is not pushed again"() {
        given: 'the blob reached the child directly, and the relay holds it too'
        byte[] data = blob(4)
        String hash = sha256(data)
        def direct = cluster.connect('alice@lab', 'c1')
        NinePFiles.push(direct, data)
        NinePFiles.push(alice, data)
        def (Fid ctl) = session(alice)

        when:
        alice.write(ctl, 0, "link $hash bin/blob 555\n".bytes)

        then:
        relay().pushes() == 0
    }

    def "feed NAME HASH on n/ctl gives the child a blob the relay holds, without a session, once"() {
        given:
        byte[] data = blob(5)
        String hash = sha256(data)
        NinePFiles.push(alice, data)

        when:
        RelaySpec.ctl(alice, 'n/ctl', "feed c1 $hash\n")
        RelaySpec.ctl(alice, 'n/ctl', "feed c1 $hash\n")

        then:
        cluster.daemons.c1.node(1).cache().contains(hash)
        relay().pushes() == 1
        relay().pushedBytes() == SIZE
    }

    def "a feed line that names no child, a blob the relay lacks or no hash is refused, naming the culprit"() {
        given:
        String held = sha256(blob(6))
        NinePFiles.push(alice, blob(6))
        String missing = sha256(blob(7))

        when:
        RelaySpec.ctl(alice, 'n/ctl', line.replace('HELD', held).replace('MISSING', missing))

        then:
        NinePException e = thrown()
        e.message.contains(message.replace('MISSING', missing))
        relay().pushes() == 0

        where:
        line                 || message
        'feed c9 HELD\n'     || "feed: no child 'c9'"
        'feed c1 MISSING\n'  || 'this relay has no blob MISSING in its cache'
        'feed c1 nothex\n'   || 'feed c1: '
        'feed c1\n'          || "'feed' takes 2 arguments"
    }
}
