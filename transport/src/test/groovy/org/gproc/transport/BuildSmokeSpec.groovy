package org.gproc.transport

import spock.lang.Specification

class BuildSmokeSpec extends Specification {
    def "the SSHD library is on the classpath without the i2p eddsa jar"() {
        expect:
        Class.forName('org.apache.sshd.server.SshServer') != null
        !(System.getProperty('java.class.path').contains('eddsa'))
    }
}
