package org.gproc.transport.ninep

import org.gproc.transport.ninep.Message.*
import spock.lang.Specification

import java.nio.ByteBuffer
import java.nio.ByteOrder

import static org.gproc.transport.ninep.Wire.bytes
import static org.gproc.transport.ninep.Wire.hex

/** Golden bytes written by hand from Plan 9's intro(5)/stat(5), field by field; little-endian throughout. */
class CodecGoldenSpec extends Specification {
    static final int MSIZE = 8192
    static final String[] AP = ('a'..'p') as String[]

    static final Stat FILE_STAT = new Stat(0, 0, new Qid(0, 1, 0x10), 0644, 1700000000, 1700000001, 1234567890123L,
            'notes', 'glenda', 'sys', 'glenda')
    static final Stat WSTAT_NAME = new Stat(0xFFFF, -1, new Qid(0xFF, -1, -1L), -1, -1, -1, -1L, 'new', '', '', '')

    def "#what: encode gives the golden bytes and decode gives the record back"() {
        given:
        byte[] golden = bytes(fields)

        when:
        ByteBuffer encoded = Codec.encode(message)

        then: 'the frame is exactly the golden bytes, in an exactly sized little-endian buffer'
        hex(encoded) == hex(golden)
        encoded.position() == 0
        encoded.limit() == encoded.capacity()
        encoded.order() == ByteOrder.LITTLE_ENDIAN

        and:
        Codec.decode(ByteBuffer.wrap(golden), MSIZE) == message

        where:
        what                   | message                                                       || fields
        'Tversion'             | new Tversion(0xFFFF, 8192, '9P2000')                          || 'size=13000000 type=64 tag=ffff msize=00200000 version=0600"9P2000"'
        'Rversion'             | new Rversion(0xFFFF, 8192, '9P2000')                          || 'size=13000000 type=65 tag=ffff msize=00200000 version=0600"9P2000"'
        'Tauth'                | new Tauth(1, 5, 'glenda', '')                                 || 'size=15000000 type=66 tag=0100 afid=05000000 uname=0600"glenda" aname=0000'
        'Rauth'                | new Rauth(1, new Qid(Qid.QTAUTH, 0, 0x11))                    || 'size=14000000 type=67 tag=0100 aqid.type=08 aqid.vers=00000000 aqid.path=1100000000000000'
        'Tattach, NOFID afid'  | new Tattach(2, 1, Message.NOFID, 'glenda', '')                || 'size=19000000 type=68 tag=0200 fid=01000000 afid=ffffffff uname=0600"glenda" aname=0000'
        'Rattach'              | new Rattach(2, new Qid(Qid.QTDIR, 0, 1))                      || 'size=14000000 type=69 tag=0200 qid.type=80 qid.vers=00000000 qid.path=0100000000000000'
        'Rerror'               | new Rerror(3, 'file not found')                               || 'size=17000000 type=6b tag=0300 ename=0e00"file not found"'
        'Rerror, 4-byte UTF-8' | new Rerror(3, 'no \uD83D\uDE00')                              || 'size=10000000 type=6b tag=0300 ename=0700"no "f09f9880'
        'Tflush'               | new Tflush(4, 3)                                              || 'size=09000000 type=6c tag=0400 oldtag=0300'
        'Rflush'               | new Rflush(4)                                                 || 'size=07000000 type=6d tag=0400'
        'Twalk, 2 names'       | new Twalk(5, 1, 2, ['dev', 'cons'])                           || 'size=1c000000 type=6e tag=0500 fid=01000000 newfid=02000000 nwname=0200 wname=0300"dev" wname=0400"cons"'
        'Twalk, 0 names'       | new Twalk(5, 1, 2, [])                                        || 'size=11000000 type=6e tag=0500 fid=01000000 newfid=02000000 nwname=0000'
        'Twalk, 16 names'      | new Twalk(5, 1, 2, AP as List)                                || 'size=41000000 type=6e tag=0500 fid=01000000 newfid=02000000 nwname=1000 ' + AP.collect { "wname=0100\"$it\"" }.join(' ')
        'Rwalk, 2 qids'        | new Rwalk(5, [new Qid(0x80, 0, 2), new Qid(0, 3, 0x1234)])    || 'size=23000000 type=6f tag=0500 nwqid=0200 wqid.type=80 wqid.vers=00000000 wqid.path=0200000000000000 wqid.type=00 wqid.vers=03000000 wqid.path=3412000000000000'
        'Rwalk, 0 qids'        | new Rwalk(5, [])                                              || 'size=09000000 type=6f tag=0500 nwqid=0000'
        'Rwalk, 16 qids'       | new Rwalk(5, (0..15).collect { new Qid(0, 0, it) })           || 'size=d9000000 type=6f tag=0500 nwqid=1000 ' + (0..15).collect { "wqid.type=00 wqid.vers=00000000 wqid.path=${String.format('%02x', it)}00000000000000" }.join(' ')
        'Topen'                | new Topen(6, 2, Message.OREAD | Message.OTRUNC)               || 'size=0c000000 type=70 tag=0600 fid=02000000 mode=10'
        'Ropen'                | new Ropen(6, new Qid(0, 7, 0x42), 8168)                       || 'size=18000000 type=71 tag=0600 qid.type=00 qid.vers=07000000 qid.path=4200000000000000 iounit=e81f0000'
        'Tcreate'              | new Tcreate(7, 2, 'new.txt', 0644, Message.ORDWR)             || 'size=19000000 type=72 tag=0700 fid=02000000 name=0700"new.txt" perm=a4010000 mode=02'
        'Tcreate, UTF-8 dir'   | new Tcreate(7, 2, '日本', Stat.DMDIR | 0755, Message.OREAD)    || 'size=18000000 type=72 tag=0700 fid=02000000 name=0600e697a5e69cac perm=ed010080 mode=00'
        'Rcreate'              | new Rcreate(7, new Qid(0, 0, 0x43), 0)                        || 'size=18000000 type=73 tag=0700 qid.type=00 qid.vers=00000000 qid.path=4300000000000000 iounit=00000000'
        'Tread, 64-bit offset' | new Tread(8, 2, 1L << 32, 8192)                               || 'size=17000000 type=74 tag=0800 fid=02000000 offset=0000000001000000 count=00200000'
        'Rread'                | new Rread(8, 'hello'.bytes)                                   || 'size=10000000 type=75 tag=0800 count=05000000 data="hello"'
        'Rread, EOF'           | new Rread(8, new byte[0])                                     || 'size=0b000000 type=75 tag=0800 count=00000000'
        'Twrite'               | new Twrite(9, 2, 10, 'hi\n'.bytes)                            || 'size=1a000000 type=76 tag=0900 fid=02000000 offset=0a00000000000000 count=03000000 data="hi"0a'
        'Rwrite'               | new Rwrite(9, 3)                                              || 'size=0b000000 type=77 tag=0900 count=03000000'
        'Tclunk'               | new Tclunk(10, 2)                                             || 'size=0b000000 type=78 tag=0a00 fid=02000000'
        'Rclunk'               | new Rclunk(10)                                                || 'size=07000000 type=79 tag=0a00'
        'Tremove'              | new Tremove(11, 2)                                            || 'size=0b000000 type=7a tag=0b00 fid=02000000'
        'Rremove'              | new Rremove(11)                                               || 'size=07000000 type=7b tag=0b00'
        'Tstat'                | new Tstat(12, 1)                                              || 'size=0b000000 type=7c tag=0c00 fid=01000000'
        'Rstat'                | new Rstat(12, FILE_STAT)                                      || 'size=4e000000 type=7d tag=0c00 n=4500 stat.size=4300 stat.type=0000 stat.dev=00000000 qid.type=00 qid.vers=01000000 qid.path=1000000000000000 mode=a4010000 atime=00f15365 mtime=01f15365 length=cb04fb711f010000 name=0500"notes" uid=0600"glenda" gid=0300"sys" muid=0600"glenda"'
        'Twstat, rename only'  | new Twstat(13, 1, WSTAT_NAME)                                 || 'size=41000000 type=7e tag=0d00 fid=01000000 n=3400 stat.size=3200 stat.type=ffff stat.dev=ffffffff qid.type=ff qid.vers=ffffffff qid.path=ffffffffffffffff mode=ffffffff atime=ffffffff mtime=ffffffff length=ffffffffffffffff name=0300"new" uid=0000 gid=0000 muid=0000'
        'Rwstat'               | new Rwstat(13)                                                || 'size=07000000 type=7f tag=0d00'
    }

    def "decode reads the frame's remaining bytes and leaves the buffer as it found it"() {
        given: 'a frame in the middle of a big-endian buffer'
        byte[] frame = bytes('size=0b000000 type=78 tag=0a00 fid=02000000')
        ByteBuffer buf = ByteBuffer.allocate(20)
        buf.position(5)
        buf.put(frame)
        buf.position(5).limit(5 + frame.length)

        when:
        Message m = Codec.decode(buf, MSIZE)

        then:
        m == new Tclunk(10, 2)
        buf.position() == 5
        buf.limit() == 16
        buf.order() == ByteOrder.BIG_ENDIAN
    }

    def "decode does the same from a direct buffer"() {
        given:
        byte[] frame = bytes('size=13000000 type=64 tag=ffff msize=00200000 version=0600"9P2000"')
        ByteBuffer direct = ByteBuffer.allocateDirect(frame.length).put(frame).flip()

        expect:
        Codec.decode(direct, MSIZE) == new Tversion(0xFFFF, 8192, '9P2000')
    }

    def "a decoded write owns its data: later changes to the frame do not reach it"() {
        given:
        byte[] frame = bytes('size=1a000000 type=76 tag=0900 fid=02000000 offset=0a00000000000000 count=03000000 data="hi!"')
        Twrite w = Codec.decode(ByteBuffer.wrap(frame), MSIZE) as Twrite

        when:
        frame[23] = (byte) 'X'

        then:
        new String(w.data(), 'UTF-8') == 'hi!'
    }

    def "a stat in a directory read is size[2] and its fields, and a run of them decodes back"() {
        given:
        Stat dir = new Stat(0, 0, new Qid(Qid.QTDIR, 0, 1), Stat.DMDIR | 0755, 0, 0, 0, 'n', 'u', 'g', 'm')
        String dirFields = 'size=3300 type=0000 dev=00000000 qid.type=80 qid.vers=00000000 qid.path=0100000000000000 ' +
                'mode=ed010080 atime=00000000 mtime=00000000 length=0000000000000000 name=0100"n" uid=0100"u" gid=0100"g" muid=0100"m"'

        expect:
        hex(Codec.encodeStat(dir)) == hex(bytes(dirFields))
        Codec.statSize(dir) == 53
        Codec.statSize(FILE_STAT) == 69

        and: 'entries back to back'
        byte[] data = (bytes(dirFields) as List<Byte> + (Codec.encodeStat(FILE_STAT) as List<Byte>)) as byte[]
        Codec.decodeStats(ByteBuffer.wrap(data)) == [dir, FILE_STAT]
        Codec.decodeStats(ByteBuffer.allocate(0)) == []
    }

    def "directory data with a split or oversized entry is rejected"() {
        given:
        byte[] whole = Codec.encodeStat(FILE_STAT)

        when:
        Codec.decodeStats(ByteBuffer.wrap(whole, 0, whole.length - 1))

        then:
        NinePException e = thrown()
        e.message == '9P directory data: entry 0 size 67 runs past the end (66 bytes left)'
    }

    def "encode refuses #what"() {
        when:
        Codec.encode(message)

        then:
        IllegalArgumentException e = thrown()
        e.message == error

        where:
        what                          | message                                                  || error
        'a tag beyond 16 bits'        | new Tclunk(0x10000, 1)                                   || '9P encode: Tclunk tag 65536 does not fit in 16 bits'
        'a negative tag'              | new Rclunk(-2)                                           || '9P encode: Rclunk tag -2 does not fit in 16 bits'
        'an oldtag beyond 16 bits'    | new Tflush(1, 70000)                                     || '9P encode: Tflush oldtag 70000 does not fit in 16 bits'
        'an open mode beyond 8 bits'  | new Topen(1, 1, 0x100)                                   || '9P encode: Topen mode 256 does not fit in 8 bits'
        'a create mode beyond 8 bits' | new Tcreate(1, 1, 'f', 0644, -1)                         || '9P encode: Tcreate mode -1 does not fit in 8 bits'
        '17 walk names'               | new Twalk(1, 1, 2, ['x'] * 17)                           || '9P encode: Twalk has 17 names, more than 16'
        '17 walk qids'                | new Rwalk(1, [new Qid(0, 0, 0)] * 17)                    || '9P encode: Rwalk has 17 qids, more than 16'
        'NUL in a string'             | new Twalk(1, 1, 2, ['a\u0000b'])                         || '9P encode: Twalk wname contains NUL at index 1, which 9P forbids in strings'
        'an unpaired surrogate'       | new Rerror(1, 'bad \uD800')                              || '9P encode: Rerror ename has an unpaired surrogate at index 4 (not encodable as UTF-8)'
        'a string over 65535 bytes'   | new Rerror(1, 'x' * 65536)                               || '9P encode: Rerror ename is 65536 bytes of UTF-8, more than s[2] can say (65535)'
        'a stat type beyond 16 bits'  | new Rstat(1, new Stat(0x10000, 0, new Qid(0, 0, 0), 0, 0, 0, 0, '', '', '', '')) || '9P encode: stat type 65536 does not fit in 16 bits'
        'a stat over 65535 bytes'     | new Rstat(1, new Stat(0, 0, new Qid(0, 0, 0), 0, 0, 0, 0, 'n' * 40000, 'u' * 30000, '', '')) || '9P encode: stat takes 70049 bytes, more than its size[2] can say (65535)'
    }

    def "a 64 KiB write round-trips through encode and decode unchanged"() {
        given:
        byte[] data = new byte[65536]
        new Random(42).nextBytes(data)
        Twrite w = new Twrite(1, 3, 123456789L, data)

        when:
        ByteBuffer frame = Codec.encode(w)

        then:
        frame.remaining() == 23 + 65536
        Codec.decode(frame, 1 << 20) == w
    }

    def "a Twrite framed from a slice of a larger buffer is the frame its record encodes to, and the buffer is left alone"() {
        given:
        ByteBuffer big = ByteBuffer.wrap('..hi\n...'.bytes).position(1)

        when:
        ByteBuffer frame = Encoder.twrite(2, 10, big, 2, 3)

        then:
        hex(frame) == hex(Codec.encode(new Twrite(0, 2, 10, 'hi\n'.bytes)))
        big.position() == 1 && big.limit() == 8
    }

    def "a Twrite slice running past its buffer is refused before any frame is made"() {
        when:
        Encoder.twrite(2, 10, ByteBuffer.wrap(new byte[8]), 6, 3)

        then:
        thrown(IndexOutOfBoundsException)
    }
}
