package org.gproc.daemon

import spock.lang.Specification
import spock.lang.Timeout

import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** The AES-GCM warm-up runs only where C2, the one compiler that uses the AES and GHASH intrinsics, will run. */
@Timeout(120)
class CipherWarmupSpec extends Specification {
    /** Prints what the warm-up would decide in a JVM started with these options. */
    static class Probe {
        static void main(String[] args) {
            print CipherWarmup.optimizingCompilerOn()
        }
    }

    static String decisionUnder(String... options) {
        String java = Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
        def p = new ProcessBuilder([java] + options.toList() + ['-cp', System.getProperty('java.class.path'),
                Probe.name]).redirectErrorStream(true).start()
        String out = p.inputStream.text
        assert p.waitFor(100, TimeUnit.SECONDS)
        out.trim()
    }

    def "a JVM with C2 warms up; one stopped at C1 or interpreting does not"() {
        expect:
        CipherWarmup.optimizingCompilerOn()   // the test JVM: default tiered compilation
        decisionUnder('-XX:TieredStopAtLevel=1') == 'false'
        decisionUnder('-Xint') == 'false'
    }
}
