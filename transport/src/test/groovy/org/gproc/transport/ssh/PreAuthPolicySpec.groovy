package org.gproc.transport.ssh

import spock.lang.Specification

import java.time.Duration

/** The sshd_config spellings of MaxStartups, PerSourcePenalties and PerSourceNetBlockSize, and OpenSSH's drop rule. */
class PreAuthPolicySpec extends Specification {

    def "max startups '#text' reads as #start:#rate:#full"() {
        expect:
        MaxStartups.parse(text) == new MaxStartups(start, rate, full)
        MaxStartups.parse(text).toString() == shown

        where:
        text        | start | rate | full | shown
        '10:30:100' | 10    | 30   | 100  | '10:30:100'
        '64'        | 64    | 100  | 64   | '64'
    }

    def "max startups '#text' is refused: #words"() {
        when:
        MaxStartups.parse(text)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains(words)

        where:
        text       | words
        'many'     | "'many' is neither N nor START:RATE:FULL"
        '10:30'    | "'10:30' is neither N nor START:RATE:FULL"
        '0'        | 'at least 1'
        '100:30:10' | '1 <= START <= FULL'
        '10:101:100' | 'RATE between 1 and 100'
    }

    def "OpenSSH's drop rule: none below start, #rate% at start, rising to all at full"() {
        given:
        def m = MaxStartups.parse('10:30:100')

        expect:
        (0..<100).count { m.drops(waiting, it) } == dropped

        where:
        waiting | dropped
        0       | 0
        9       | 0
        10      | 30
        55      | 65
        99      | 99
        100     | 100
        rate = 30
    }

    def "penalties: defaults as OpenSSH 9.8's, 'no' turns them off, words change single values"() {
        expect:
        PerSourcePenalties.parse('yes') == PerSourcePenalties.DEFAULTS
        PerSourcePenalties.DEFAULTS.authfail() == Duration.ofSeconds(5)
        PerSourcePenalties.DEFAULTS.min() == Duration.ofSeconds(15)
        PerSourcePenalties.DEFAULTS.max() == Duration.ofMinutes(10)
        !PerSourcePenalties.parse('no').enabled()
        with(PerSourcePenalties.parse('authfail:10s, noauth:2 grace-exceeded:1m max-sources4:10')) {
            authfail() == Duration.ofSeconds(10)
            noauth() == Duration.ofSeconds(2)
            graceExceeded() == Duration.ofMinutes(1)
            maxSources4() == 10
            min() == Duration.ofSeconds(15)
        }
    }

    def "penalties '#text' are refused: #words"() {
        when:
        PerSourcePenalties.parse(text)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains(words)

        where:
        text            | words
        'authfail'      | "'authfail' is not KEY:VALUE"
        'crash:90s'     | "unknown penalty 'crash'"
        'noauth:-1s'    | "'-1s' is not a duration"
        'min:11m'       | 'is below min'
        'max-sources6:0' | "'0' is not a positive number"
    }

    def "netblocks: #address with #size is source #source"() {
        expect:
        SourcePenalties.Netblocks.parse(size).of(new InetSocketAddress(InetAddress.getByName(address), 22)) == source

        where:
        address          | size     | source
        '192.0.2.77'     | '32:128' | '192.0.2.77/32'
        '192.0.2.77'     | '24'     | '192.0.2.0/24'
        '2001:db8::1:2'  | '32:64'  | '2001:db8:0:0:0:0:0:0/64'
        '2001:db8::1:2'  | '32:128' | '2001:db8:0:0:0:0:1:2/128'
    }

    def "netblock size '#text' is refused"() {
        when:
        SourcePenalties.Netblocks.parse(text)

        then:
        thrown(IllegalArgumentException)

        where:
        text << ['33', '24:129', 'x', '1:2:3']
    }
}
