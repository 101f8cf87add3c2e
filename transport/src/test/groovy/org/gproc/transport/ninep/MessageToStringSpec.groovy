package org.gproc.transport.ninep

import org.gproc.transport.ninep.Message.*
import spock.lang.Specification

class MessageToStringSpec extends Specification {
    static final Qid DIR = new Qid(Qid.QTDIR, 0, 1)
    static final Qid FILE = new Qid(0, 3, 0x42)
    static final String DIR_TEXT = 'Qid{type=0x80, version=0, path=0x1}'
    static final String FILE_TEXT = 'Qid{type=0x0, version=3, path=0x42}'
    static final Stat NOTES = new Stat(0, 0, FILE, 0644, 1700000000, 1700000001, 12, 'notes', 'glenda', 'sys', 'glenda')

    def "#message.class.simpleName prints as #text"() {
        expect:
        message.toString() == text

        where:
        message                                                     || text
        new Tversion(Message.NOTAG, 8192, '9P2000')                 || 'Tversion{tag=NOTAG, msize=8192, version=9P2000}'
        new Rversion(Message.NOTAG, 8192, '9P2000')                 || 'Rversion{tag=NOTAG, msize=8192, version=9P2000}'
        new Tauth(1, 5, 'glenda', '')                               || 'Tauth{tag=1, afid=5, uname=glenda, aname=""}'
        new Rauth(1, new Qid(Qid.QTAUTH, 0, 0x11))                  || 'Rauth{tag=1, aqid=Qid{type=0x8, version=0, path=0x11}}'
        new Tattach(2, 1, Message.NOFID, 'alice@lab', '')           || 'Tattach{tag=2, fid=1, afid=NOFID, uname=alice@lab, aname=""}'
        new Rattach(2, DIR)                                         || "Rattach{tag=2, qid=$DIR_TEXT}"
        new Rerror(3, 'file does not exist')                        || 'Rerror{tag=3, ename="file does not exist"}'
        new Tflush(4, 3)                                            || 'Tflush{tag=4, oldtag=3}'
        new Rflush(4)                                               || 'Rflush{tag=4}'
        new Twalk(5, 1, 2, ['clone'])                               || 'Twalk{tag=5, fid=1, newfid=2, names=[clone]}'
        new Twalk(5, 1, 2, [])                                      || 'Twalk{tag=5, fid=1, newfid=2, names=[]}'
        new Rwalk(5, [DIR, FILE])                                   || "Rwalk{tag=5, qids=[$DIR_TEXT, $FILE_TEXT]}"
        new Topen(6, 2, Message.OREAD | Message.OTRUNC)             || 'Topen{tag=6, fid=2, mode=OREAD|OTRUNC}'
        new Topen(6, 2, Message.OEXEC | Message.ORCLOSE)            || 'Topen{tag=6, fid=2, mode=OEXEC|ORCLOSE}'
        new Ropen(6, FILE, 8168)                                    || "Ropen{tag=6, qid=$FILE_TEXT, iounit=8168}"
        new Tcreate(7, 2, 'sim', Stat.DMDIR | 0755, Message.OREAD)  || 'Tcreate{tag=7, fid=2, name=sim, perm=DMDIR|0755, mode=OREAD}'
        new Tcreate(7, 2, 'log', Stat.DMAPPEND | 0600, Message.ORDWR) || 'Tcreate{tag=7, fid=2, name=log, perm=DMAPPEND|0600, mode=ORDWR}'
        new Rcreate(7, FILE, 0)                                     || "Rcreate{tag=7, qid=$FILE_TEXT, iounit=0}"
        new Tread(8, 2, 1L << 32, 8192)                             || 'Tread{tag=8, fid=2, offset=4294967296, count=8192}'
        new Rread(8, 'hello'.bytes)                                 || 'Rread{tag=8, data="hello"}'
        new Rread(8, new byte[0])                                   || 'Rread{tag=8, data=""}'
        new Twrite(9, 2, 10, 'exec /bin/date\n'.bytes)              || 'Twrite{tag=9, fid=2, offset=10, data="exec /bin/date\\n"}'
        new Rwrite(9, 15)                                           || 'Rwrite{tag=9, count=15}'
        new Tclunk(10, 2)                                           || 'Tclunk{tag=10, fid=2}'
        new Rclunk(10)                                              || 'Rclunk{tag=10}'
        new Tremove(11, 2)                                          || 'Tremove{tag=11, fid=2}'
        new Rremove(11)                                             || 'Rremove{tag=11}'
        new Tstat(12, 1)                                            || 'Tstat{tag=12, fid=1}'
        new Rstat(12, NOTES)                                        || "Rstat{tag=12, stat=Stat{type=0, dev=0, qid=$FILE_TEXT, mode=0644, atime=1700000000, mtime=1700000001, length=12, name=notes, uid=glenda, gid=sys, muid=glenda}}"
        new Twstat(13, 1, Stat.dontTouch())                         || 'Twstat{tag=13, fid=1, stat=Stat{type=~0, dev=~0, qid=Qid{type=0xff, version=4294967295, path=0xffffffffffffffff}, mode=~0, atime=~0, mtime=~0, length=~0, name="", uid="", gid="", muid=""}}'
        new Rwstat(13)                                              || 'Rwstat{tag=13}'
    }

    def "every message type has a hand-written toString (no record default with [ ])"() {
        expect:
        Message.permittedSubclasses.collectMany { it.permittedSubclasses as List }.size() == 27
        Message.permittedSubclasses.collectMany { it.permittedSubclasses as List }.every { Class c ->
            c.getDeclaredMethod('toString').declaringClass == c
        }
    }

    def "hostile values cannot forge a log line or hide: #what"() {
        expect:
        message.toString() == text

        where:
        what                                 | message                                                || text
        'fids above 2^31 print unsigned'     | new Tclunk(1, 0xFFFFFFFE as int)                       || 'Tclunk{tag=1, fid=4294967294}'
        'NOFID where a real fid belongs'     | new Twalk(1, Message.NOFID, Message.NOFID, ['..'])      || 'Twalk{tag=1, fid=NOFID, newfid=NOFID, names=[..]}'
        'offsets above 2^63 print unsigned'  | new Tread(1, 2, -1L, -1)                               || 'Tread{tag=1, fid=2, offset=18446744073709551615, count=4294967295}'
        'a newline in a walk name'           | new Twalk(1, 1, 2, ["a\nTclunk{tag=1}"])               || 'Twalk{tag=1, fid=1, newfid=2, names=["a\\nTclunk{tag=1}"]}'
        'a name that looks like two names'   | new Twalk(1, 1, 2, ['a, b'])                           || 'Twalk{tag=1, fid=1, newfid=2, names=["a, b"]}'
        'quotes and backslashes in a name'   | new Tcreate(1, 1, 'x"\\', 0644, 1)                     || 'Tcreate{tag=1, fid=1, name="x\\"\\\\", perm=0644, mode=OWRITE}'
        'an escape character in an error'    | new Rerror(1, 'bad\u001b[2J')                          || 'Rerror{tag=1, ename="bad\\u001b[2J"}'
        'a right-to-left override in a user' | new Tattach(1, 1, -1, 'evil\u202Egol', '')             || 'Tattach{tag=1, fid=1, afid=NOFID, uname="evil\\u202egol", aname=""}'
        'open mode bits 9P2000 lacks'        | new Topen(1, 1, 0x80 | Message.ORDWR)                  || 'Topen{tag=1, fid=1, mode=ORDWR|0x80}'
        'perm bits 9P2000 lacks'             | new Tcreate(1, 1, 'f', 0x00800000 | 04755, 0)           || 'Tcreate{tag=1, fid=1, name=f, perm=0x800800|0755, mode=OREAD}'
        'every DM flag at once'              | new Tcreate(1, 1, 'f', 0xEC000000 as int, 0)           || 'Tcreate{tag=1, fid=1, name=f, perm=DMDIR|DMAPPEND|DMEXCL|DMAUTH|DMTMP|0000, mode=OREAD}'
        'binary data shows as hex'           | new Rread(1, [0, 1, 0xFF] as byte[])                   || 'Rread{tag=1, data=0x0001ff}'
        'long data shows by size'            | new Twrite(1, 1, 0, new byte[70000])                   || 'Twrite{tag=1, fid=1, offset=0, data=70000 bytes}'
        'a quote inside text data'           | new Rread(1, 'say "hi"'.bytes)                         || 'Rread{tag=1, data="say \\"hi\\""}'
    }
}
