package org.gproc.transport.xcpu

import spock.lang.Specification

/** The relay's error for a child it cannot reach: written by the daemon, read back by the client. */
class ChildUnreachableSpec extends Specification {

    def "the relay's text for #child round-trips, and tells a lost connection from a child never reached"() {
        given:
        def u = new ChildUnreachable(child, address, reason)

        expect:
        u.message() == text
        ChildUnreachable.parse(text).get() == u
        ChildUnreachable.parse('read n/r2/n/b1/3/stdout: ' + text).get() == u
        u.lost() == lost

        where:
        child | address           | reason                                || text                                                              | lost
        'r2'  | '10.0.0.2:5640'   | 'connection lost'                     || '/n/r2: child r2 (10.0.0.2:5640): connection lost'               | true
        'b-17'| '[fe80::1]:5640'  | 'connection refused (5 tries)'        || '/n/b-17: child b-17 ([fe80::1]:5640): connection refused (5 tries)' | false
    }

    def "text that is not the relay's error is not taken for one: #why"() {
        expect:
        ChildUnreachable.parse(text).isEmpty()

        where:
        text                                                 || why
        null                                                 || 'no text'
        'cache/abc: hash mismatch'                           || 'a node error'
        '/n/r2: child r3 (10.0.0.2:5640): connection lost'   || 'two different names'
        '/n/r2: child r2 10.0.0.2:5640: connection lost'     || 'no parenthesised address'
        '/n/-x: child -x (10.0.0.2:5640): connection lost'   || 'a name no child line may have'
    }
}
