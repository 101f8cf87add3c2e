package org.gproc.transport.ninep

import org.gproc.transport.ninep.Message.*
import spock.lang.Specification

import java.nio.ByteBuffer
import java.nio.ByteOrder

import static org.gproc.transport.ninep.Wire.buffer

/** Every frame here is hostile; each is rejected with one NinePException naming the message, field and rule. */
class DecoderSafetySpec extends Specification {
    static final int MSIZE = 8192

    def "a frame with #what is rejected"() {
        when:
        Codec.decode(buffer(fields), MSIZE)

        then:
        NinePException e = thrown()
        e.message == error

        where:
        what                              | fields                                                                       || error
        'too few bytes for size[4]'       | 'size=070000'                                                                || '9P frame: 3 bytes cannot hold size[4]'
        'size below 7'                    | 'size=06000000 type=78 tag=01'                                               || '9P frame: size 6 is below the 7-byte minimum (size[4] type[1] tag[2])'
        'size 0'                          | 'size=00000000'                                                              || '9P frame: size 0 is below the 7-byte minimum (size[4] type[1] tag[2])'
        'size above msize'                | 'size=01200000 type=78 tag=0100 fid=01000000'                                || '9P frame: size 8193 exceeds msize 8192'
        'size 2^32-1'                     | 'size=ffffffff type=78 tag=0100 fid=01000000'                                || '9P frame: size 4294967295 exceeds msize 8192'
        'size larger than the buffer'     | 'size=0c000000 type=78 tag=0100 fid=01000000'                                || '9P frame: size field says 12 bytes but the frame holds 11'
        'size smaller than the buffer'    | 'size=0a000000 type=78 tag=0100 fid=01000000'                                || '9P frame: size field says 10 bytes but the frame holds 11'
        'type Terror (106)'               | 'size=07000000 type=6a tag=0100'                                             || '9P frame: type 106 (Terror) is not a message: 9P2000 has no Terror'
        'type 99, below Tversion'         | 'size=07000000 type=63 tag=0100'                                             || '9P frame: unknown message type 99'
        'type 128, above Rwstat'          | 'size=07000000 type=80 tag=0100'                                             || '9P frame: unknown message type 128'
        'type 0'                          | 'size=07000000 type=00 tag=0100'                                             || '9P frame: unknown message type 0'
        'type 255'                        | 'size=07000000 type=ff tag=0100'                                             || '9P frame: unknown message type 255'
        'a fixed field past the end'      | 'size=09000000 type=78 tag=0100 fid=0100'                                    || '9P frame: Tclunk fid[4] runs past the end (2 bytes left)'
        'a missing fixed field'           | 'size=07000000 type=7c tag=0100'                                             || '9P frame: Tstat fid[4] runs past the end (0 bytes left)'
        'a qid past the end'              | 'size=0f000000 type=69 tag=0100 qid=8000000000000000'                       || '9P frame: Rattach qid[13] runs past the end (8 bytes left)'
        'a string past the end'           | 'size=10000000 type=64 tag=ffff msize=00200000 version=0600"9P2"'            || '9P frame: Tversion version (length 6) runs past the end (3 bytes left)'
        'a string length past the end'    | 'size=0c000000 type=64 tag=ffff msize=00200000 version=06'                   || '9P frame: Tversion version length[2] runs past the end (1 bytes left)'
        'the last string missing'         | 'size=15000000 type=68 tag=0100 fid=01000000 afid=ffffffff uname=0400"root"' || '9P frame: Tattach aname length[2] runs past the end (0 bytes left)'
        'a write count past the end'      | 'size=1a000000 type=76 tag=0100 fid=01000000 offset=0000000000000000 count=ffffffff data="abc"' || '9P frame: Twrite count 4294967295 runs past the end (3 bytes left)'
        'a write count of 2^31-1'         | 'size=17000000 type=76 tag=0100 fid=01000000 offset=0000000000000000 count=ffffff7f' || '9P frame: Twrite count 2147483647 runs past the end (0 bytes left)'
        'a read count past the end'       | 'size=10000000 type=75 tag=0100 count=64000000 data="hello"'                 || '9P frame: Rread count 100 runs past the end (5 bytes left)'
        'Twalk nwname 17'                 | 'size=11000000 type=6e tag=0100 fid=01000000 newfid=02000000 nwname=1100'    || '9P frame: Twalk nwname 17 exceeds 16'
        'Twalk nwname 65535'              | 'size=11000000 type=6e tag=0100 fid=01000000 newfid=02000000 nwname=ffff'    || '9P frame: Twalk nwname 65535 exceeds 16'
        'Twalk nwname beyond its names'   | 'size=16000000 type=6e tag=0100 fid=01000000 newfid=02000000 nwname=0300 wname=0300"dev"' || '9P frame: Twalk nwname 3 needs at least 6 bytes but 5 are left'
        'Twalk with a name missing'       | 'size=17000000 type=6e tag=0100 fid=01000000 newfid=02000000 nwname=0300 wname=0100"a" wname=0100"b"' || '9P frame: Twalk wname length[2] runs past the end (0 bytes left)'
        'Rwalk nwqid 17'                  | 'size=09000000 type=6f tag=0100 nwqid=1100'                                  || '9P frame: Rwalk nwqid 17 exceeds 16'
        'Rwalk nwqid beyond its qids'     | 'size=16000000 type=6f tag=0100 nwqid=0200 wqid=80000000000100000000000000'   || '9P frame: Rwalk nwqid 2 needs 26 bytes but 13 are left'
        'trailing bytes'                  | 'size=0d000000 type=78 tag=0100 fid=01000000 junk=beef'                      || '9P frame: Tclunk has 2 trailing bytes after its last field'
        'a body on an empty reply'        | 'size=08000000 type=6d tag=0100 junk=00'                                     || '9P frame: Rflush has 1 trailing bytes after its last field'
        'a string that is not UTF-8'      | 'size=15000000 type=68 tag=0100 fid=01000000 afid=ffffffff uname=0200fffe aname=0000' || '9P frame: Tattach uname is not valid UTF-8'
        'an overlong UTF-8 "/"'           | 'size=0f000000 type=6b tag=0100 ename=0600"ab"c0af"cd"'                      || '9P frame: Rerror ename is not valid UTF-8'
        'a UTF-8 surrogate (CESU-8)'      | 'size=0c000000 type=6b tag=0100 ename=0300eda080'                             || '9P frame: Rerror ename is not valid UTF-8'
        'a truncated UTF-8 sequence'      | 'size=0b000000 type=6b tag=0100 ename=0200e697'                               || '9P frame: Rerror ename is not valid UTF-8'
        'NUL inside a walk name'          | 'size=16000000 type=6e tag=0100 fid=01000000 newfid=02000000 nwname=0100 wname=0300"a"00"b"' || '9P frame: Twalk wname contains NUL at byte 1, which 9P forbids in strings'
        'Rstat n not size+2'              | 'size=0d000000 type=7d tag=0100 n=0300 stat.size=0200 rest=0000'             || '9P frame: Rstat stat n 3 disagrees with the stat\'s own size 2 (n must be size+2)'
        'Rstat stat shorter than fixed'   | 'size=0f000000 type=7d tag=0100 n=0600 stat.size=0400 type=0000 dev=0000'    || '9P frame: Rstat stat dev[4] runs past the end (2 bytes left)'
        'Twstat n past the end'           | 'size=0f000000 type=7e tag=0100 fid=01000000 n=ffff stat.size=fdff'          || '9P frame: Twstat stat type[2] runs past the end (0 bytes left)'
    }

    def "a stat whose fields do not fill exactly its size is rejected"() {
        given: 'a good Rstat whose size claims #delta more byte(s), with n and the frame padded to match'
        ByteBuffer good = Codec.encode(new Rstat(1, new Stat(0, 0, new Qid(0, 0, 1), 0644, 0, 0, 0, 'f', 'u', 'g', 'm')))
        byte[] frame = new byte[good.remaining() + delta]
        good.get(frame, 0, good.remaining())
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN)
        b.putInt(0, frame.length).putShort(7, (short) (b.getShort(7) + delta)).putShort(9, (short) (b.getShort(9) + delta))

        when:
        Codec.decode(b, MSIZE)

        then:
        NinePException e = thrown()
        e.message == error

        where:
        delta || error
        1     || '9P frame: Rstat stat size 52 but its fields take 51 bytes'
        4     || '9P frame: Rstat stat size 55 but its fields take 51 bytes'
    }

    def "only the first broken rule is reported, once"() {
        given: 'a Tattach whose uname is not UTF-8, whose aname runs past the end'
        def fields = 'size=13000000 type=68 tag=0100 fid=01000000 afid=ffffffff uname=0100ff aname=09'

        when:
        Codec.decode(buffer(fields), MSIZE)

        then:
        NinePException e = thrown()
        e.message == '9P frame: Tattach uname is not valid UTF-8'
    }

    def "a rejected frame leaves the buffer untouched"() {
        given:
        ByteBuffer b = buffer('size=0d000000 type=78 tag=0100 fid=01000000 junk=beef')

        when:
        Codec.decode(b, MSIZE)

        then:
        thrown(NinePException)
        b.position() == 0
        b.limit() == 13
    }

    def "the msize given to decode is the limit, not a fixed constant"() {
        given:
        ByteBuffer frame = Codec.encode(new Rread(1, new byte[100]))

        expect: 'it fits in exactly its own size'
        Codec.decode(frame, 111) == new Rread(1, new byte[100])

        when: 'and not in one byte less'
        Codec.decode(frame, 110)

        then:
        NinePException e = thrown()
        e.message == '9P frame: size 111 exceeds msize 110'
    }

    def "no damaged frame makes the decoder fail with anything but a NinePException"() {
        given: 'a valid frame of every message type'
        List<ByteBuffer> frames = samples().collect { Codec.encode(it) }
        Random random = new Random(9)
        int decoded = 0, rejected = 0

        when: 'each is truncated at every length and has random bytes overwritten many times'
        for (ByteBuffer good : frames) {
            byte[] original = new byte[good.remaining()]
            good.duplicate().get(original)
            List<byte[]> damaged = []
            for (int len = 0; len < original.length; len++) {
                byte[] cut = Arrays.copyOf(original, len)
                if (len >= 4) {
                    ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN).putInt(0, len)
                }
                damaged << cut
            }
            200.times {
                byte[] b = original.clone()
                (1 + random.nextInt(3)).times { b[4 + random.nextInt(b.length - 4)] = (byte) random.nextInt(256) }
                damaged << b
            }
            for (byte[] b : damaged) {
                try {
                    Codec.decode(ByteBuffer.wrap(b), MSIZE)
                    decoded++
                } catch (NinePException ignored) {
                    rejected++
                }
            }
        }

        then: 'every one decoded or was rejected cleanly (any other exception fails this feature)'
        rejected > 0
        decoded > 0
    }

    static List<Message> samples() {
        Stat st = new Stat(0, 0, new Qid(0, 1, 2), 0644, 1, 2, 3, 'name', 'uid', 'gid', 'muid')
        [new Tversion(0xFFFF, 8192, '9P2000'), new Rversion(0xFFFF, 8192, '9P2000'), new Tauth(1, 2, 'u', 'a'),
         new Rauth(1, new Qid(8, 0, 1)), new Tattach(1, 1, -1, 'u', 'a'), new Rattach(1, new Qid(0x80, 0, 1)),
         new Rerror(1, 'naïve error'), new Tflush(1, 2), new Rflush(1), new Twalk(1, 1, 2, ['a', 'bc', 'déf']),
         new Rwalk(1, [new Qid(0, 0, 1), new Qid(0x80, 1, 2)]), new Topen(1, 1, 0), new Ropen(1, new Qid(0, 0, 1), 0),
         new Tcreate(1, 1, 'x', 0644, 1), new Rcreate(1, new Qid(0, 0, 1), 0), new Tread(1, 1, 0, 10),
         new Rread(1, 'data'.bytes), new Twrite(1, 1, 0, 'data'.bytes), new Rwrite(1, 4), new Tclunk(1, 1),
         new Rclunk(1), new Tremove(1, 1), new Rremove(1), new Tstat(1, 1), new Rstat(1, st), new Twstat(1, 1, st),
         new Rwstat(1)]
    }
}
