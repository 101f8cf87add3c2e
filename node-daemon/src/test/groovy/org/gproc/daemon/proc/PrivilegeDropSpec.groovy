package org.gproc.daemon.proc

import org.gproc.daemon.RootOnly
import org.gproc.daemon.policy.UnixUser
import org.gproc.transport.ninep.NinePException
import spock.lang.AutoCleanup
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

import static org.gproc.daemon.proc.ProcFixture.*

/** The spawn helper's checks: run as another user (setgid, setgroups, setuid), and run only the file checked. */
@Timeout(120)
class PrivilegeDropSpec extends Specification {
    @Shared @AutoCleanup ProcessLauncher launcher = new ProcessLauncher(HELPER_DIR)
    @Shared @AutoCleanup ProcessLauncher fallback = new ProcessLauncher(HELPER_DIR, null, false)
    @TempDir Path root

    static LaunchSpec.FileId id(Path file) {
        def a = Files.readAttributes(file, 'unix:dev,ino')
        new LaunchSpec.FileId(a.dev as long, a.ino as long)
    }

    static LaunchSpec as(Path session, List<String> argv, LaunchSpec.RunAs user, Path privateRoot = null,
                         LaunchSpec.FileId program = null, Path dir = session) {
        new LaunchSpec(argv, ENV, dir, session.resolve('stdout'), session.resolve('stderr'), program, user,
                privateRoot)
    }

    static LaunchSpec.RunAs nobody() {
        def u = UnixUser.lookup('nobody').get()
        new LaunchSpec.RunAs(u.name(), u.uid(), u.gid())
    }

    @Requires(value = { RootOnly.available() }, reason = RootOnly.REASON)
    def "as root, a process asked to run as nobody has nobody's uid, gid and groups, and cannot become root again"() {
        given:
        def session = sessionDir(root)
        def user = nobody()

        when:
        def status = await(launcher.start(as(session, ['/bin/sh', '-c',
                'id -u; id -g; id -G; su -c true root </dev/null 2>/dev/null && echo regained || echo stuck'], user,
                session)))

        then:
        status.toString() == 'exit 0'
        stdout(session).readLines() == ["$user.uid", "$user.gid", "$user.gid", 'stuck']*.toString()
    }

    @Requires(value = { RootOnly.available() }, reason = RootOnly.REASON)
    def "a working directory and program inside the private root are reached as root, even where nobody cannot go"() {
        given:
        Path secret = Files.createDirectories(root.resolve('secret'))
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString('rwx------'))
        Path fs = Files.createDirectories(secret.resolve('fs'))
        Path tool = fs.resolve('tool')
        Files.copy(Path.of('/usr/bin/id'), tool)
        def user = nobody()
        Files.setAttribute(fs, 'unix:uid', user.uid())
        def session = sessionDir(root)

        when:
        def status = await(launcher.start(as(session, [tool.toString(), '-u'], user, fs, id(tool), fs)))

        then:
        status.toString() == 'exit 0'
        stdout(session).trim() == "$user.uid"
    }

    @Requires(value = { RootOnly.available() }, reason = RootOnly.REASON)
    def "a working directory outside the private root is reached as the user: one nobody cannot enter fails the exec"() {
        given:
        Path secret = Files.createDirectories(root.resolve('secret'))
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString('rwx------'))
        def session = sessionDir(root)

        when:
        launcher.start(as(session, ['/usr/bin/id'], nobody(), null, null, secret))

        then:
        def e = thrown(NinePException)
        e.message.contains("dir $secret")
        e.message.contains('Permission denied')
    }

    def "the checked file runs; another file at its path is refused"() {
        given:
        def session = sessionDir(root)
        Path program = root.resolve('prog')
        Files.copy(Path.of('/bin/echo'), program)
        def checked = id(program)

        when:
        def ok = await(launcher.start(as(session, [program.toString(), 'same'], null, null, checked)))

        then:
        ok.toString() == 'exit 0'
        stdout(session).trim() == 'same'

        when: 'the path now names another file (renamed over it, as a swap would)'
        Files.copy(Path.of('/bin/echo'), root.resolve('other'))
        Files.move(root.resolve('other'), program, java.nio.file.StandardCopyOption.REPLACE_EXISTING)
        launcher.start(as(sessionDir(root, 't'), [program.toString(), 'swapped'], null, null, checked))

        then:
        def e = thrown(NinePException)
        e.message.contains('changed between the daemon\'s check and exec')
    }

    def "a #! script runs through its descriptor too"() {
        given:
        def session = sessionDir(root)
        Path script = root.resolve('script')
        Files.writeString(script, '#!/bin/sh\necho "script $1"\n')
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString('rwxr-xr-x'))

        expect:
        await(launcher.start(as(session, [script.toString(), 'ran'], null, null, id(script)))).toString() == 'exit 0'
        stdout(session).trim() == 'script ran'
    }

    def "the JDK fallback refuses to run as another user: it cannot drop privileges"() {
        when:
        fallback.start(as(sessionDir(root), ['/usr/bin/id'], new LaunchSpec.RunAs('nobody', 65534, 65534)))

        then:
        def e = thrown(NinePException)
        e.message.contains("as unix user 'nobody'")
        e.message.contains('cannot drop privileges')
    }
}
