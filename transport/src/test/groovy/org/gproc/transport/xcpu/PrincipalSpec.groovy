package org.gproc.transport.xcpu

import spock.lang.Specification

class PrincipalSpec extends Specification {

    def "'#name' is a principal"() {
        expect:
        Principal.isValid(name)
        Principal.require('owner', name) == name

        where:
        name << ['alice', 'alice@lab', 'fp-AbC_d+e=f.g', '0', 'a' * 128]
    }

    def "'#name' is not a principal"() {
        expect:
        !Principal.isValid(name)

        when:
        Principal.require('owner', name)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.startsWith('owner ')
        e.message.endsWith("is not a valid principal (${Principal.RULE})")

        where:
        name << ['', 'alice laptop', '-alice', '.hidden', 'a' * 129, 'bob\n', 'caf\u00e9', "o'brien", 'a/b', null]
    }
}
