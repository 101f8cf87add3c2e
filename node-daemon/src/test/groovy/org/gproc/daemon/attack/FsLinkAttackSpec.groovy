package org.gproc.daemon.attack

import org.gproc.daemon.DaemonFixture
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Timeout

import static org.gproc.daemon.LocalExecSpec.refusal
import static org.gproc.daemon.NinePFiles.push
import static org.gproc.daemon.NinePFiles.readFile
import static org.gproc.daemon.NinePFiles.run
import static org.gproc.daemon.NinePFiles.text

/**
 * A session's process (running as the daemon's user, as every process does without a user map) links files from
 * outside into its fs/ and asks for them over 9P: the daemon's host key by hard link, a file given to another uid.
 * Refused, each naming what gave it away; the twins (a file the process wrote, a blob linked from the cache) are
 * served.
 */
@Timeout(300)
class FsLinkAttackSpec extends Specification {
    @Shared @AutoCleanup DaemonFixture f = new DaemonFixture()

    def "a hard link to the host key made in fs/ is not served"() {
        given:
        def alice = f.connect('alice@lab')
        def (n, status) = run(alice, "ln ${f.dir.resolve('host_key')} stolen", '/bin/ln')

        when:
        String why = refusal { readFile(alice, "$n/fs/stolen") }
        Outcomes.note('hard link to the host key in fs/', why)

        then:
        status == 'exit 0'
        why.contains("'$n/fs/stolen' has 2 links and is no blob the session linked from cache/")
    }

    def "a file given to another uid is not served"() {
        given:
        def alice = f.connect('alice@lab')
        def (n, status) = run(alice, "sh -c 'echo x > given; chown 65534 given'", '/bin/sh')

        when:
        String why = refusal { readFile(alice, "$n/fs/given") }

        then:
        status == 'exit 0'
        why.contains("'$n/fs/given' is owned by uid 65534, neither gprocd's nor the session's user")
    }

    def "a file the process wrote and a blob linked from cache/ are served"() {
        given:
        def alice = f.connect('alice@lab')
        String blob = push(alice, 'shared data\n'.bytes)
        def (n, status) = run(alice, "sh -c 'echo made > made'", '/bin/sh', "link $blob data 444\n")

        expect:
        status == 'exit 0'
        text(readFile(alice, "$n/fs/made")) == 'made\n'
        text(readFile(alice, "$n/fs/data")) == 'shared data\n'
    }
}
