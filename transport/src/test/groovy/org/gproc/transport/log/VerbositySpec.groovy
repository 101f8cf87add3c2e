package org.gproc.transport.log

import spock.lang.Specification

class VerbositySpec extends Specification {

    static final String PREFIX = 'org.slf4j.simpleLogger.'
    static final List<String> KEYS = ['defaultLogLevel', 'log.org.gproc', 'showThreadName', 'showShortLogName',
                                      'showLogName', 'levelInBrackets']

    Map<String, String> saved

    def setup() {
        saved = KEYS.collectEntries { [(it): System.getProperty(PREFIX + it)] }
        KEYS.each { System.clearProperty(PREFIX + it) }
    }

    def cleanup() {
        saved.each { k, v -> v == null ? System.clearProperty(PREFIX + k) : System.setProperty(PREFIX + k, v) }
    }

    def "a level name in any case is read: #text"() {
        expect:
        Verbosity.parse(text) == level

        where:
        text     || level
        'debug'  || Verbosity.DEBUG
        'WARN'   || Verbosity.WARN
        ' info ' || Verbosity.INFO
    }

    def "a word that is no level is refused, naming it and the five that are"() {
        when:
        Verbosity.parse('loud')

        then:
        def e = thrown(IllegalArgumentException)
        e.message == "'loud' is not a log level (use error, warn, info, debug or trace)"
    }

    def "-v steps are louder from WARN and stop at TRACE; libraries stay at ERROR until DEBUG"() {
        expect:
        Verbosity.WARN.louder(steps) == own
        own.libraries() == libraries

        where:
        steps || own              | libraries
        0     || Verbosity.WARN   | Verbosity.ERROR
        1     || Verbosity.INFO   | Verbosity.ERROR
        2     || Verbosity.DEBUG  | Verbosity.INFO
        3     || Verbosity.TRACE  | Verbosity.DEBUG
        7     || Verbosity.TRACE  | Verbosity.DEBUG
    }

    def "apply sets gproc's level, the libraries' level and the bare line shape"() {
        when:
        Verbosity.INFO.apply()

        then:
        System.getProperty(PREFIX + 'log.org.gproc') == 'info'
        System.getProperty(PREFIX + 'defaultLogLevel') == 'error'
        System.getProperty(PREFIX + 'showThreadName') == 'false'
        System.getProperty(PREFIX + 'levelInBrackets') == 'false'
    }

    def "a level given with -D is left alone"() {
        given:
        System.setProperty(PREFIX + 'log.org.gproc', 'trace')

        when:
        Verbosity.WARN.apply()

        then:
        System.getProperty(PREFIX + 'log.org.gproc') == 'trace'
        System.getProperty(PREFIX + 'defaultLogLevel') == 'error'
    }
}
