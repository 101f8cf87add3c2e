package org.gproc.transport.xcpu

import spock.lang.Specification

class CtlVerbSpec extends Specification {

    def "#verb writes #args as the ctl line #line"() {
        expect:
        verb.line(*args) == line

        where:
        verb                 | args                               || line
        SessionVerb.EXEC     | ['sim']                            || 'exec sim\n'
        SessionVerb.SIGNAL   | ['TERM']                           || 'signal TERM\n'
        SessionVerb.CLOSE    | ['stdin']                          || 'close stdin\n'
        SessionVerb.DIR      | ['my dir']                         || "dir 'my dir'\n"
        SessionVerb.ARGV     | ['sh', '-c', "echo 'hi'"]          || "argv sh -c 'echo ''hi'''\n"
        SessionVerb.WIPE     | []                                 || 'wipe\n'
        NodeVerb.KILL        | ['9', '12']                        || 'kill 9 12\n'
    }

    def "a written line tokenizes back to the verb and its arguments, so the daemon's table accepts it"() {
        when:
        def tokens = Tokens.tokenize('ctl', verb.line(*args))

        then:
        tokens == [verb.word()] + args
        verb.argc() == 0 || tokens.size() == verb.argc()

        where:
        verb               | args
        SessionVerb.LINK   | ['ab' * 32, 'bin/my sim', '0755']
        SessionVerb.ID     | ['7/3']
        SessionVerb.ENV    | ['A=1 2', "B=it's"]
        NodeVerb.WIPE      | ['4']
    }

    def "no two verbs of a table share a word"() {
        expect:
        table*.word().toSet().size() == table.size()

        where:
        table << [SessionVerb.values() as List, NodeVerb.values() as List]
    }
}
