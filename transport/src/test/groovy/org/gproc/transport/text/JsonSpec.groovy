package org.gproc.transport.text

import spock.lang.Specification

class JsonSpec extends Specification {

    def "#value is written as #json"() {
        expect:
        Json.write(value) == json

        where:
        value                                   || json
        null                                    || 'null'
        'plain'                                 || '"plain"'
        42                                      || '42'
        42L                                     || '42'
        true                                    || 'true'
        1.5d                                    || '1.5'
        0.25f                                   || '0.25'
        12.0d                                   || '12'
        1.0e-7d                                 || '0.0000001'
        Double.NaN                              || 'null'
        Double.POSITIVE_INFINITY                || 'null'
        new BigDecimal('3.1400')                || '3.14'
        ['a', 1, null]                          || '["a",1,null]'
        [op: 'exec', argv: ['sh', '-c'], n: 3]  || '{"op":"exec","argv":["sh","-c"],"n":3}'
        [:]                                     || '{}'
        []                                      || '[]'
    }

    def "a hostile string stays on one line of valid JSON: #why"() {
        expect:
        Json.quote(text) == json

        where:
        why                        | text                || json
        'quote and backslash'      | 'a"b\\c'            || '"a\\"b\\\\c"'
        'newline, CR and tab'      | 'a\nb\rc\td'        || '"a\\nb\\rc\\td"'
        'other control characters' | '\u0000\u001b'      || '"\\u0000\\u001b"'
        'DEL'                      | '\u007f'            || '"\\u007f"'
        'line separators'          | '\u2028\u2029'      || '"\\u2028\\u2029"'
        'a lone high surrogate'    | 'x\ud800'           || '"x\\ud800"'
        'a lone low surrogate'     | '\udc00x'           || '"\\udc00x"'
        'a surrogate pair is kept' | '\ud83d\ude00'      || '"\ud83d\ude00"'
    }
}
