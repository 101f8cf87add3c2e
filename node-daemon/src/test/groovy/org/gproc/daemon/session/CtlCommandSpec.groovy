package org.gproc.daemon.session

import org.gproc.transport.ninep.NinePException
import org.gproc.transport.xcpu.NodeVerb
import org.gproc.transport.xcpu.SessionVerb
import spock.lang.Specification

class CtlCommandSpec extends Specification {

    def "'#line' parses to #verb with #args"() {
        when:
        def cmd = CtlCommand.parse('ctl', SessionVerb.values(), line)

        then:
        cmd.verb() == verb
        cmd.args() == args

        where:
        line                                   || verb                 | args
        'exec /bin/date'                       || SessionVerb.EXEC     | ['/bin/date']
        "exec 'my prog'"                       || SessionVerb.EXEC     | ['my prog']
        'signal 15'                            || SessionVerb.SIGNAL   | ['15']
        'kill'                                 || SessionVerb.KILL     | []
        'wipe'                                 || SessionVerb.WIPE     | []
        'close stdin'                          || SessionVerb.CLOSE    | ['stdin']
        'dir sub/dir'                          || SessionVerb.DIR      | ['sub/dir']
        "link ${'a' * 64} bin/date 755"        || SessionVerb.LINK     | ['a' * 64, 'bin/date', '755']
        'id 7/3'                               || SessionVerb.ID       | ['7/3']
        'type persistent'                      || SessionVerb.TYPE     | ['persistent']
        '  signal\tTERM  '                     || SessionVerb.SIGNAL   | ['TERM']
    }

    def "an unknown verb '#word' is named with the nearest verb"() {
        when:
        CtlCommand.parse('ctl', SessionVerb.values(), word)

        then:
        def e = thrown(NinePException)
        e.message == message

        where:
        word      || message
        'kil'     || "ctl: unknown verb 'kil' (did you mean 'kill'?)"
        'exce'    || "ctl: unknown verb 'exce' (did you mean 'exec'?)"
        'singal'  || "ctl: unknown verb 'singal' (did you mean 'signal'?)"
        'EXEC'    || "ctl: unknown verb 'EXEC' (did you mean 'exec'?)"
        'frobnicate' || "ctl: unknown verb 'frobnicate' (verbs: exec, signal, kill, wipe, close, dir, link, id, type, argv, env)"
    }

    def "a wrong argument count names the verb and its usage"() {
        when:
        CtlCommand.parse('ctl', SessionVerb.values(), line)

        then:
        def e = thrown(NinePException)
        e.message.startsWith(prefix)
        e.message.contains('(usage: ')

        where:
        line                  || prefix
        'exec'                || "ctl: 'exec' takes 1 argument, got 0"
        'exec a b'            || "ctl: 'exec' takes 1 argument, got 2"
        'wipe now'            || "ctl: 'wipe' takes 0 arguments, got 1"
        'link abc path'       || "ctl: 'link' takes 3 arguments, got 2"
    }

    def "one write may hold several commands, one per line"() {
        expect:
        CtlCommand.parseAll('ctl', SessionVerb.values(), 'dir /tmp\n\nid 1/2\n')*.verb() == [SessionVerb.DIR, SessionVerb.ID]
    }

    def "an empty write is an error listing the verbs"() {
        when:
        CtlCommand.parseAll('ctl', NodeVerb.values(), ' \n')

        then:
        def e = thrown(NinePException)
        e.message == 'ctl: empty command (verbs: kill, wipe)'
    }
}
