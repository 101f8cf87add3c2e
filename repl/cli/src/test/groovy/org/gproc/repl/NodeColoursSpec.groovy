package org.gproc.repl

import spock.lang.Specification

class NodeColoursSpec extends Specification {

    def "a node's colour depends only on its name"() {
        expect:
        NodeColours.index('n17') == NodeColours.index('n' + 17)
        NodeColours.paletteSize() >= 24
    }

    def "nearby node names mostly get different colours"() {
        when:
        def colours = (1..16).collect { NodeColours.index("n$it") } as Set

        then:
        colours.size() >= 8
    }

    def "every palette colour is a colour from the 6x6x6 cube, not a grey"() {
        expect:
        (1..500).every {
            int i = NodeColours.index("node$it") - 16
            i >= 0 && i < 216 && !(i.intdiv(36) == (i % 36).intdiv(6) && i.intdiv(36) == i % 6)
        }
    }

    def "colour is off on a dumb terminal and when NO_COLOR is set"() {
        expect:
        NodeColours.colourAllowed(type, env) == allowed

        where:
        type             | env              || allowed
        'xterm-256color' | [:]              || true
        'xterm-256color' | [NO_COLOR: '1']  || false
        'xterm-256color' | [NO_COLOR: '']   || true
        'dumb'           | [:]              || false
        'dumb-color'     | [:]              || false
        null             | [:]              || false
    }
}
