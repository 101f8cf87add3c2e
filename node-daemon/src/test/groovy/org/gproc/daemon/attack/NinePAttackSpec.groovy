package org.gproc.daemon.attack

import org.gproc.daemon.DaemonFixture
import org.gproc.daemon.NinePFiles
import org.gproc.transport.ninep.Codec
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.Message.*
import org.gproc.transport.ninep.Qid
import org.gproc.transport.ninep.RawPeer
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import java.nio.ByteBuffer
import java.nio.ByteOrder

/**
 * Malformed and hostile 9P sent by an authenticated client over real SSH to a real gprocd: lying size fields,
 * truncated and invalid strings, tag and fid abuse, walks out of the root, msize extremes, flushes of themselves,
 * messages out of order. Each gets a clear Rerror or a closed connection, never a crash; bob's running session is
 * intact after each, and the daemon serves a fresh connection.
 */
@Timeout(600)
class NinePAttackSpec extends Specification {
    static final int MSIZE = 8192

    @Shared @AutoCleanup DaemonFixture f = new DaemonFixture({ it.msize(MSIZE) })
    @Shared Victim victim
    RawPeer peer

    def setupSpec() {
        victim = new Victim(f)
    }

    def setup() {
        peer = new RawPeer(f.connector('alice@lab').open('127.0.0.1', f.daemon.port()))
    }

    def cleanup() {
        peer?.close()
        victim.assertIntact()
        assert NinePFiles.text(NinePFiles.readFile(f.connect('alice@lab'), 'arch')) ==~ /[a-z0-9_]+/
    }

    static byte[] frame(Message m) {
        ByteBuffer b = Codec.encode(m)
        byte[] out = new byte[b.remaining()]
        b.get(out)
        out
    }

    /** A frame of {@code type} and {@code tag} with {@code body}, its size field set to {@code size} (default: honest). */
    static byte[] raw(int type, int tag, byte[] body, Long size = null) {
        ByteBuffer b = ByteBuffer.allocate(7 + body.length).order(ByteOrder.LITTLE_ENDIAN)
        b.putInt(size == null ? 7 + body.length : size.intValue()).put((byte) type).putShort((short) tag).put(body)
        b.array()
    }

    static byte[] le(Object... fields) {
        def out = new ByteArrayOutputStream()
        fields.each { v ->
            if (v instanceof Short) { out.write(v & 0xFF); out.write((v >> 8) & 0xFF) }
            else if (v instanceof Integer) { ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v); out.write(b.array()) }
            else if (v instanceof byte[]) { out.write(v) }
            else if (v instanceof String) { byte[] s = v.getBytes('UTF-8'); out.write(s.length & 0xFF); out.write(s.length >> 8); out.write(s) }
            else throw new IllegalArgumentException(v.toString())
        }
        out.toByteArray()
    }

    String error(R r) {
        assert r instanceof Rerror: "expected an Rerror, got ${r}"
        ((Rerror) r).ename()
    }

    void ready() {
        assert peer.version(MSIZE).msize() == MSIZE
        peer.attach(0, 'alice')
    }

    def "framing: #what closes the connection"() {
        when:
        peer.sendRaw(bytes)
        boolean closed = peer.awaitClose(60)
        Outcomes.note("9P framing: ${what}", closed ? "connection closed by the daemon (${peer.closeCause})" : 'still open')

        then:
        closed

        where:
        what                                  | bytes
        'size field 3 (< 7)'                  | raw(100, 0xFFFF, new byte[0], 3L)
        'size field 0'                        | raw(100, 0xFFFF, new byte[0], 0L)
        'size field 0xFFFFFFFF'               | raw(100, 0xFFFF, new byte[0], 0xFFFFFFFFL)
        'size field 16 MiB (> msize)'         | raw(100, 0xFFFF, new byte[16], 16L << 20)
    }

    def "framing: a size field larger than the message is an Rerror naming the trailing bytes"() {
        given: 'a Tversion whose size says 10 bytes more than it holds, and 10 bytes of junk to fill it'
        byte[] v = frame(new Tversion(1, MSIZE, '9P2000'))
        byte[] lying = ByteBuffer.allocate(v.length + 10).order(ByteOrder.LITTLE_ENDIAN).put(v).putInt(0, v.length + 10).array()

        when:
        peer.sendRaw(lying)
        def e = error(peer.next(60))
        Outcomes.note('9P framing: size field larger than the message', e)

        then:
        e.contains('trailing bytes')
    }

    def "framing: a size field smaller than the message cuts it, and the rest breaks the framing: closed"() {
        given: 'a Tversion whose size field stops inside its version string; its last 5 bytes then read as a size'
        byte[] v = frame(new Tversion(1, MSIZE, '9P2000'))
        ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 14)

        when:
        peer.sendRaw(v)
        boolean closed = peer.awaitClose(60)
        Outcomes.note('9P framing: size field smaller than the message', closed
                ? "connection closed by the daemon (${peer.closeCause}); the cut frame's Rerror is dropped with it"
                : 'still open')

        then:
        closed
    }

    def "strings: #what is an Rerror naming the field"() {
        given:
        ready()

        when:
        peer.sendRaw(bytes)
        def e = error(peer.next(60))
        Outcomes.note("9P strings: ${what}", e)

        then:
        e.contains(expected)

        where:
        what                               | bytes                                                                           | expected
        'truncated string (len 1000)'      | raw(110, 1, le(0, 1, (short) 1, (short) 1000, 'sub'.bytes))                    | ''
        'invalid UTF-8 in a walk name'     | raw(110, 1, le(0, 1, (short) 1, (short) 2, [0xFF, 0xFE] as byte[]))             | 'UTF-8'
        'overlong UTF-8 for "/" (C0 AF)'   | raw(110, 1, le(0, 1, (short) 1, (short) 2, [0xC0, 0xAF] as byte[]))             | 'UTF-8'
        'NUL inside a walk name'           | raw(110, 1, le(0, 1, (short) 1, (short) 3, [0x61, 0x00, 0x62] as byte[]))       | 'NUL'
        '17 walk names'                    | raw(110, 1, le(*([0, 1, (short) 17] + (['sub'] * 17))))                         | '16'
        'a walk name with "/"'             | frame(new Twalk(1, 0, 1, ['sub/../..']))                                        | 'bad file name'
        'Tversion with a version of 65535 bytes claimed' | raw(100, 0xFFFF, le(MSIZE, (short) 0xFFFF, '9P2000'.bytes))      | ''
    }

    def "tags: a tag reused while its request is outstanding is refused; flushing it then answers Rflush only"() {
        given: 'a read of a running process stdout that parks'
        ready()
        def c = f.connect('alice@lab')
        def (ctl, int n) = NinePFiles.clone(c)
        NinePFiles.writeFile(c, "$n/argv", 'sleep 60')
        c.write(ctl, 0, 'exec /bin/sleep\n'.bytes)
        assert peer.rpc(new Twalk(1, 0, 1, ["$n".toString(), 'stdout'])) instanceof Rwalk
        assert peer.rpc(new Topen(1, 1, Message.OREAD)) instanceof Ropen
        peer.send(new Tread(5, 1, 0, 100))

        when:
        def dup = error(peer.rpc(new Tstat(5, 0)))
        def flushed = peer.rpc(new Tflush(6, 5))
        Outcomes.note('9P tags: tag reuse while outstanding', dup)
        Outcomes.note('9P tags: Tflush of the parked read', flushed)

        then:
        dup == 'duplicate tag: tag 5 is still in flight'
        flushed == new Rflush(6)
        peer.rpc(new Tstat(7, 0)) instanceof Rstat // nothing else came for tag 5

        cleanup:
        c?.write(ctl, 0, 'wipe\n'.bytes)
    }

    def "tags: Tflush of itself and of an unknown tag are answered with Rflush"() {
        given:
        ready()

        expect:
        peer.rpc(new Tflush(9, 9)) == new Rflush(9)
        peer.rpc(new Tflush(10, 4242)) == new Rflush(10)
        Outcomes.note('9P tags: Tflush of itself / of an unknown tag', 'Rflush')
    }

    def "tags: NOTAG on an ordinary request is answered on NOTAG, as any tag"() {
        given:
        ready()

        when:
        def r = peer.rpc(new Tstat(Message.NOTAG, 0))
        Outcomes.note('9P tags: NOTAG on a Tstat', "answered ${r.class.simpleName} on tag ${r.tag()} (NOTAG is only special for Tversion)")

        then:
        r instanceof Rstat
        r.tag() == Message.NOTAG
    }

    def "fids: #what"() {
        given:
        ready()

        when:
        before.each { assert !(peer.rpc(it) instanceof Rerror) }
        def e = error(peer.rpc(attack))
        Outcomes.note("9P fids: ${what}", e)

        then:
        e.startsWith(expected)

        where:
        what                          | before                                  | attack                                            | expected
        'attach on a fid in use'      | []                                      | new Tattach(1, 0, Message.NOFID, 'bob@lab', '')   | 'fid in use'
        'walk to a newfid in use'     | [new Twalk(1, 0, 1, [])]                | new Twalk(1, 0, 1, ['arch'])                      | 'fid in use'
        'NOFID as a new fid'          | []                                      | new Twalk(1, 0, Message.NOFID, [])               | 'fid in use'
        'unknown fid'                 | []                                      | new Tstat(1, 99)                                  | 'unknown fid'
        'clunk twice'                 | [new Twalk(1, 0, 1, []), new Tclunk(1, 1)] | new Tclunk(1, 1)                               | 'unknown fid'
        'read on a fid never opened'  | [new Twalk(1, 0, 1, ['arch'])]          | new Tread(1, 1, 0, 10)                            | 'fid not open'
        'open twice'                  | [new Twalk(1, 0, 1, ['arch']), new Topen(1, 1, Message.OREAD)] | new Topen(1, 1, Message.OREAD) | 'file already open'
        'walk from an open fid'       | [new Twalk(1, 0, 1, ['arch']), new Topen(1, 1, Message.OREAD)] | new Twalk(1, 1, 2, [])  | 'cannot clone open fid'
        'afid that is not NOFID'      | []                                      | new Tattach(1, 5, 0, 'alice', '')                 | 'authentication not required'
        'Tauth'                       | []                                      | new Tauth(1, 5, 'alice', '')                      | 'authentication not required'
        'stale fid after a new Tversion' | [new Tversion(Message.NOTAG, MSIZE, '9P2000')] | new Tstat(1, 0)                          | 'unknown fid'
    }

    def "walk: '..' past the root stays at the root"() {
        given:
        ready()
        Qid root = ((Rstat) peer.rpc(new Tstat(1, 0))).stat().qid()

        when:
        def w = peer.rpc(new Twalk(1, 0, 1, ['..'] * 16))
        def beyond = peer.rpc(new Twalk(1, 1, 2, ['..', 'etc']))
        Outcomes.note("9P walk: 16 x '..' from the root", "Rwalk of ${((Rwalk) w).qids().size()} qids, all the root's; then '../etc': ${beyond}")

        then: "'..' walks (to the root again) and 'etc' does not: a partial Rwalk, so no newfid"
        ((Rwalk) w).qids().every { it == root }
        ((Rwalk) beyond).qids() == [root]
        error(peer.rpc(new Tstat(1, 2))) == 'unknown fid'
    }

    def "walk: '..' out of a session's fs/ reaches the node root, never the disk"() {
        given:
        ready()
        def c = f.connect('alice@lab')
        def (ctl, int n) = NinePFiles.clone(c)
        Qid root = ((Rstat) peer.rpc(new Tstat(1, 0))).stat().qid()

        when:
        def w = peer.rpc(new Twalk(1, 0, 1, ["$n".toString(), 'fs', '..', '..', '..', '..']))
        def names = peer.rpc(new Twalk(1, 1, 2, ['etc', 'passwd']))
        Outcomes.note("9P walk: N/fs/../../../.. then etc/passwd", "ends at the root; ${names}")

        then:
        ((Rwalk) w).qids().last() == root
        error(names).contains('etc')

        cleanup:
        c?.write(ctl, 0, 'wipe\n'.bytes)
    }

    def "msize: Tversion with msize #msize is #outcome"() {
        when:
        def r = peer.rpc(new Tversion(Message.NOTAG, msize, '9P2000'))
        Outcomes.note("9P Tversion msize ${Integer.toUnsignedString(msize)}", r)

        then:
        outcome == 'refused' ? error(r).startsWith('version: message size too small') : ((Rversion) r).msize() == MSIZE

        where:
        msize      || outcome
        0          || 'refused'
        7          || 'refused'
        255        || 'refused'
        -1         || 'capped at --msize'
        1 << 30    || 'capped at --msize'
    }

    def "version: an unknown version string is answered 'unknown' and nothing else works"() {
        when:
        def r = peer.rpc(new Tversion(Message.NOTAG, MSIZE, version))
        def next = peer.rpc(new Tattach(1, 0, Message.NOFID, 'alice', ''))
        Outcomes.note("9P Tversion '${version}'", "${r}; then Tattach: ${next}")

        then:
        ((Rversion) r).version() == 'unknown'
        error(next) == 'Tversion must be the first message'

        where:
        version << ['9P1', '', 'P9P2000', '9P2000\u2028']
    }

    def "order: #what before Tversion is refused"() {
        when:
        def e = error(peer.rpc(m))
        Outcomes.note("9P before Tversion: ${what}", e)

        then:
        e == 'Tversion must be the first message'

        where:
        what      | m
        'Tattach' | new Tattach(1, 0, Message.NOFID, 'alice', '')
        'Twalk'   | new Twalk(1, 0, 1, [])
        'Tflush'  | new Tflush(1, 1)
    }

    def "order: a reply sent as a request is refused"() {
        given:
        ready()

        when:
        peer.sendRaw(frame(new Rerror(3, 'I am the server now')))
        def e = error(peer.next(60))
        Outcomes.note('9P: an R-message sent to the daemon', e)

        then:
        e.startsWith('unexpected message')
    }
}
