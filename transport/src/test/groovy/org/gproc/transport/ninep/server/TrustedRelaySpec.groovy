package org.gproc.transport.ninep.server

import org.gproc.transport.ninep.FramePipe
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.Message.*
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.Qid
import org.gproc.transport.ninep.RawPeer
import org.gproc.transport.ninep.Stat
import org.gproc.transport.xcpu.Principal
import spock.lang.Specification
import spock.lang.Timeout

/** Who an attach acts for: the connection's principal, or, from a trusted relay only, the uname it names. */
@Timeout(60)
class TrustedRelaySpec extends Specification {
    List<List<String>> attaches = [].asSynchronized()
    List<RawPeer> peers = []

    def cleanup() {
        peers*.close()
    }

    RawPeer connect(String principal) {
        def tree = new FileTree() {
            FileEntry attach(String p, String uname, String aname) { attach(p, null, uname, aname) }

            FileEntry attach(String p, String via, String uname, String aname) {
                attaches << [p, via]
                new Root()
            }
        }
        def pipe = FramePipe.pair()
        new NinePServer(tree).trustRelays(['relay-r1'] as Set).serve(principal, pipe.server())
        def peer = new RawPeer(pipe.client())
        peers << peer
        peer.version(8192)
        peer
    }

    def "a trusted relay's uname names the principal, and the relay is named as via"() {
        when:
        def r = connect('relay-r1').rpc(new Tattach(1, 0, Message.NOFID, 'alice@lab', ''))

        then:
        r instanceof Rattach
        attaches == [['alice@lab', 'relay-r1']]
    }

    def "a trusted relay with an empty uname or its own name acts as itself"() {
        when:
        def peer = connect('relay-r1')
        peer.rpc(new Tattach(1, 0, Message.NOFID, '', ''))
        peer.rpc(new Tattach(2, 1, Message.NOFID, 'relay-r1', ''))

        then:
        attaches == [['relay-r1', null], ['relay-r1', null]]
    }

    def "a uname that is not a principal (#why) is refused, naming it and the rule"() {
        when:
        def r = connect('relay-r1').rpc(new Tattach(1, 0, Message.NOFID, uname, ''))

        then:
        r instanceof Rerror
        r.ename() == "permission denied: attach: uname ${shown} is not a principal (${Principal.RULE})"
        attaches.isEmpty()

        where:
        why                   | uname         | shown
        'a blank'             | 'alice lab'   | "'alice lab'"
        'a leading dash'      | '-alice'      | "'-alice'"
        'a control character' | 'alice\nroot' | "'alice\\x0aroot'"
        'a slash'             | 'alice/lab'   | "'alice/lab'"
        'too long'            | 'a' * 129     | "'${'a' * 40}...'"
    }

    def "on any other connection uname is ignored"() {
        when:
        def r = connect('mallory@lab').rpc(new Tattach(1, 0, Message.NOFID, 'alice@lab', ''))

        then:
        r instanceof Rattach
        attaches == [['mallory@lab', null]]
    }

    static class Root implements FileEntry {
        Qid qid() { new Qid(Qid.QTDIR, 0, 1) }
        Stat stat() { new Stat(0, 0, qid(), Stat.DMDIR | 0555, 0, 0, 0, '/', 'u', 'g', 'm') }
        FileEntry walk(String name) { throw new NinePException('no') }
        FileEntry parent() { this }
        List<Stat> list() { [] }
        OpenFile open(int mode) { throw new NinePException('no') }
        OpenFile create(String name, int perm, int mode) { throw new NinePException('no') }
        void remove() { throw new NinePException('no') }
    }
}
