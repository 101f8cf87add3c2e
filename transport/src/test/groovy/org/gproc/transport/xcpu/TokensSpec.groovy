package org.gproc.transport.xcpu

import org.gproc.transport.ninep.NinePException
import spock.lang.Specification

class TokensSpec extends Specification {

    def "Plan 9 quoting splits '#text' into #tokens"() {
        expect:
        Tokens.tokenize('argv', text) == tokens

        where:
        text                      || tokens
        "sh -c 'exit 7'"          || ['sh', '-c', 'exit 7']
        ''                        || []
        '   \t\n '                || []
        "a  b\tc\nd"              || ['a', 'b', 'c', 'd']
        "'it''s'"                 || ["it's"]
        "''"                      || ['']
        "a'b c'd"                 || ['ab cd']
        "echo 'a''''b'"           || ['echo', "a''b"]
        "x='1 2' y=3"             || ['x=1 2', 'y=3']
        "'\n'"                    || ['\n']
    }

    def "an unterminated quote is an error naming the file and the position"() {
        when:
        Tokens.tokenize('argv', "sh -c 'exit 7")

        then:
        def e = thrown(NinePException)
        e.message == "argv: unterminated quote starting at byte 6 (a quoted run ends with ' and '' inside quotes is one literal quote)"
    }

    def "quote and tokenize are inverses for '#tokens'"() {
        expect:
        Tokens.tokenize('t', Tokens.join(tokens)) == tokens

        where:
        tokens << [['sh', '-c', 'exit 7'], [''], ["it's", "''", ' '], ['a\tb', 'c\nd', 'plain'], []]
    }

    def "quote leaves plain tokens alone and quotes the rest"() {
        expect:
        Tokens.quote(token) == quoted

        where:
        token    || quoted
        'plain'  || 'plain'
        ''       || "''"
        'a b'    || "'a b'"
        "it's"   || "'it''s'"
    }

    def "an error shows '#culprit' as #shown"() {
        expect:
        Tokens.shown(culprit) == shown

        where:
        culprit             || shown
        'kil'               || "'kil'"
        'a\nforged line'    || "'a\\x0aforged line'"
        '\u007f'            || "'\\x7f'"
        'x' * 41            || "'" + 'x' * 40 + "...'"
        null                || "'null'"
    }
}
