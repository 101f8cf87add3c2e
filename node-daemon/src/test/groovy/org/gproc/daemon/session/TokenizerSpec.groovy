package org.gproc.daemon.session

import org.gproc.transport.ninep.NinePException
import spock.lang.Specification

class TokenizerSpec extends Specification {

    def "Plan 9 quoting splits '#text' into #tokens"() {
        expect:
        Tokenizer.tokenize('argv', text) == tokens

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
        Tokenizer.tokenize('argv', "sh -c 'exit 7")

        then:
        def e = thrown(NinePException)
        e.message == "argv: unterminated quote starting at byte 6 (a quoted run ends with ' and '' inside quotes is one literal quote)"
    }

    def "quote and tokenize are inverses for '#tokens'"() {
        expect:
        Tokenizer.tokenize('t', Tokenizer.join(tokens)) == tokens

        where:
        tokens << [['sh', '-c', 'exit 7'], [''], ["it's", "''", ' '], ['a\tb', 'c\nd', 'plain'], []]
    }

    def "quote leaves plain tokens alone and quotes the rest"() {
        expect:
        Tokenizer.quote(token) == quoted

        where:
        token    || quoted
        'plain'  || 'plain'
        ''       || "''"
        'a b'    || "'a b'"
        "it's"   || "'it''s'"
    }
}
