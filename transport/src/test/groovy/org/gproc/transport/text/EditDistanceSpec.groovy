package org.gproc.transport.text

import spock.lang.Specification

class EditDistanceSpec extends Specification {

    def "'#a' and '#b' are #d edits apart"() {
        expect:
        EditDistance.between(a, b) == d

        where:
        a        | b         || d
        ''       | ''        || 0
        'kil'    | 'kill'    || 1
        'kitten' | 'sitting' || 3
        'abc'    | ''        || 3
        'vai'    | 'via'     || 1
        'ab'     | 'ba'      || 1
        'abc'    | 'cba'     || 2
    }

    def "'#word' is a typo of '#near'"() {
        expect:
        EditDistance.nearest(word, known) == Optional.of(near)
        EditDistance.didYouMean(word, known) == Optional.of("(did you mean '" + near + "'?)")

        where:
        word          | known                                  || near
        'kil'         | ['exec', 'kill', 'wipe']               || 'kill'
        'singal'      | ['signal', 'kill']                     || 'signal'
        'EXEC'        | ['exec', 'kill']                       || 'exec'
        'TREM'        | ['TRAP', 'TERM']                       || 'TERM'
        'knownhost'   | ['identity', 'knownHosts']             || 'knownHosts'
        '--itrations' | ['--iterations', '--only']             || '--iterations'
        'vai'         | ['host', 'port', 'via']                || 'via'
    }

    def "'#word' is too far from #known to suggest anything"() {
        expect:
        EditDistance.nearest(word, known).isEmpty()
        EditDistance.didYouMean(word, known).isEmpty()

        where:
        word         | known
        'frobnicate' | ['exec', 'kill']
        'x'          | ['id']
        ''           | ['id']
        'ab'         | ['id']
        'kill'       | []
        'xeqt'       | ['exec']
    }
}
