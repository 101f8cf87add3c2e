package org.gproc.daemon.proc

import static org.gproc.daemon.proc.ProcFixture.*

/** The ProcessBuilder fallback used when no C compiler is present: the same contract, with its documented limits. */
class FallbackLauncherSpec extends LauncherContractSpec {

    ProcessLauncher newLauncher() {
        new ProcessLauncher(HELPER_DIR, null, false)
    }

    def "the fallback is in use"() {
        expect:
        !launcher.isNative()
    }

    def "exit 137 reads as signal 9: the JDK's 128+N encoding, the fallback's documented ambiguity"() {
        expect:
        await(launcher.start(spec(sessionDir(root), ['/bin/sh', '-c', 'exit 137']))).toString() == 'signal 9'
    }
}
