package org.gproc.cli

import groovy.json.JsonSlurper
import org.gproc.client.DaemonCluster
import org.gproc.client.GprocRunner
import org.gproc.daemon.GprocDaemon
import org.gproc.transport.ssh.Keys
import spock.lang.AutoCleanup
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/**
 * gproc copy and rcopy (pdcp, rpdcp, clush --copy/--rcopy) through the real command line against real daemons, and
 * the rule that a copy may do no more than that principal's exec may do on the node.
 */
@Timeout(300)
class CopyCliSpec extends Specification {
    @Shared @AutoCleanup DaemonCluster daemons = new DaemonCluster(3)
    @Shared GprocRunner cli
    @TempDir Path dir

    def setupSpec() {
        cli = GprocRunner.against(daemons)
    }


    GprocRunner.Result gproc(String... args) {
        cli.run(args)
    }

    static String mode(Path p) {
        PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
    }

    Path file(String name, String text, String perms) {
        Path f = dir.resolve(name)
        Files.createDirectories(f.parent)
        f.text = text
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms))
        f
    }

    def "copy puts files at DIR/NAME on every node with their modes"() {
        given:
        Path a = file('a.txt', 'hello\n', 'rw-r-----')
        Path b = file('run.sh', '#!/bin/sh\necho run\n', 'rwxr-x---')
        Path dest = dir.resolve('on-nodes')

        when:
        def r = gproc('copy', '-w', 'n[1-3]', '--dest', dest.toString(), a.toString(), b.toString())

        then:
        r.code == 0
        r.err == ''
        dest.resolve('a.txt').text == 'hello\n'
        mode(dest.resolve('a.txt')) == 'rw-r-----'
        mode(dest.resolve('run.sh')) == 'rwxr-x---'
    }

    def "copy -r copies a directory tree with the modes of its directories and files"() {
        given:
        file('tree/sub/deep.txt', 'deep\n', 'rw-------')
        file('tree/top.txt', 'top\n', 'rw-rw-r--')
        Files.setPosixFilePermissions(dir.resolve('tree/sub'), PosixFilePermissions.fromString('rwx--x---'))
        Path dest = dir.resolve('r-dest')

        when:
        def r = gproc('copy', '-r', '-w', 'n[1-2]', '--dest', dest.toString(), dir.resolve('tree').toString())

        then:
        r.code == 0
        dest.resolve('tree/sub/deep.txt').text == 'deep\n'
        mode(dest.resolve('tree/sub')) == 'rwx--x---'
        mode(dest.resolve('tree/sub/deep.txt')) == 'rw-------'
        mode(dest.resolve('tree/top.txt')) == 'rw-rw-r--'
    }

    def "a directory without -r, a relative --dest and a missing file are refused before anything is sent"() {
        given:
        Path adir = Files.createDirectories(dir.resolve('adir'))
        Path x = file('x', 'x', 'rw-r--r--')
        Path absent = dir.resolve('absent')

        expect:
        with(gproc('copy', '-w', 'n1', '--dest', '/tmp', adir.toString())) {
            code == 2
            err.contains("'${adir}' is a directory (use -r to copy it)")
        }
        with(gproc('copy', '-w', 'n1', '--dest', 'relative/dir', x.toString())) {
            code == 2
            err.contains("--dest 'relative/dir' must be an absolute path")
        }
        with(gproc('copy', '-w', 'n1', '--dest', '/tmp', absent.toString())) {
            code == 2
            err.contains('absent')
        }
        with(gproc('copy', '-w', 'n1', '--libs', '--dest', '/tmp', x.toString())) {
            code == 2
            err.contains('copy: --libs is for programs gproc starts') && err.contains('gproc exec --push --libs')
        }
    }

    def "a second copy of the same bytes sends nothing: the node's cached blob is not written again"() {
        given:
        Path data = file('same.bin', 'the same bytes\n', 'rw-r--r--')
        String hash = org.gproc.client.internal.exec.LocalBlob.sha256(data.bytes)
        Path blob = daemons.dir.resolve("state/n1/cache/${hash}")

        when:
        def first = gproc('copy', '-w', 'n1', '--dest', dir.resolve('d1').toString(), data.toString())
        def inode = Files.getAttribute(blob, 'unix:ino')
        def second = gproc('copy', '-w', 'n1', '--dest', dir.resolve('d2').toString(), data.toString())

        then:
        first.code == 0
        second.code == 0
        Files.getAttribute(blob, 'unix:ino') == inode
        dir.resolve('d2/same.bin').text == 'the same bytes\n'
    }

    def "rcopy gathers each node's file as DIR/NAME.NODE"() {
        given:
        Path remote = file('remote/report.txt', 'report\n', 'rw-r--r--')
        Path got = dir.resolve('got')

        when:
        def r = gproc('rcopy', '-w', 'n[1-3]', '--dest', got.toString(), remote.toString())

        then:
        r.code == 0
        Files.list(got).map { it.fileName.toString() }.toList().toSorted() == ['report.txt.n1', 'report.txt.n2', 'report.txt.n3']
        got.resolve('report.txt.n2').text == 'report\n'
    }

    def "rcopy -r gathers a directory as DIR/NAME.NODE/"() {
        given:
        file('rtree/in/f.txt', 'f\n', 'rw-r-----')
        Path got = dir.resolve('got-r')

        when:
        def r = gproc('rcopy', '-r', '-w', 'n[1-2]', '--dest', got.toString(), dir.resolve('rtree').toString())

        then:
        r.code == 0
        got.resolve('rtree.n1/in/f.txt').text == 'f\n'
        mode(got.resolve('rtree.n2/in/f.txt')) == 'rw-r-----'
    }

    def "rcopy gives every reading process its place in one job, also one node at a time; --dry-run gathers nothing"() {
        given:
        Path got = dir.resolve('got-env')
        Path dry = dir.resolve('got-dry')

        when: 'each node gathers the environment of its own reading process'
        def r = gproc('rcopy', '-f', '1', '-w', 'n[1-3]', '--dest', got.toString(), '/proc/self/environ')
        def env = (1..3).collect { n ->
            got.resolve("environ.n${n}").text.split('\u0000').findAll { it.startsWith('GPROC_') }
                    .collectEntries { it.split('=', 2) as List }
        }
        def dryRun = gproc('rcopy', '--dry-run', '-w', 'n[1-2]', '--dest', dry.toString(), '/etc/hostname')

        then:
        r.code == 0
        env*.GPROC_RANK == ['0', '1', '2']
        env.every { it.GPROC_SIZE == '3' }
        env*.GPROC_JOB.unique().size() == 1
        dryRun.code == 0
        dryRun.out.startsWith('dry run: nothing was started or sent\n')
        dryRun.out.contains('/etc/hostname')
        !Files.exists(dry)
    }

    def "rcopy of a missing file names the node, the path and the node's reason; a relative path is refused"() {
        when:
        def r = gproc('rcopy', '-w', 'n[1-2]', '--dest', dir.resolve('none').toString(), '/no/such/file')

        then:
        r.code == 1
        r.err.readLines().sort() == ['n1', 'n2'].collect {
            "gproc: ${it}: rcopy of /no/such/file failed: cat: /no/such/file: No such file or directory".toString()
        }

        when:
        def rel = gproc('rcopy', '-w', 'n1', '--dest', dir.resolve('none').toString(), 'relative/file')

        then:
        rel.code == 2
        rel.err.contains("'relative/file' must be an absolute path")
    }

    def "copy to a node not in the inventory is an error with status 1 naming it"() {
        when:
        def r = gproc('copy', '-w', 'n[3-5]', '--dest', '/tmp', file('y', 'y', 'rw-r--r--').toString())

        then:
        r.code == 1
        r.err.contains('n[4-5] are not in the inventory')
    }

    /** A daemon with extra rules, its inventory and a CLI for it. */
    private Map restricted(Closure configure) {
        Path d = Files.createTempDirectory(dir, 'restricted')
        Path identity = d.resolve('id_ed25519')
        def user = Keys.loadOrGenerate(identity, 'alice@lab')
        Path authorized = d.resolve('authorized_keys')
        Files.writeString(authorized, Keys.publicKeyLine(user.public) + ' alice@lab\n')
        def builder = GprocDaemon.builder().listen('127.0.0.1', 0).hostKey(d.resolve('host_key'))
                .authorizedKeys(authorized).stateDir(d.resolve('state')).auditLog(d.resolve('audit.jsonl'))
        configure(builder, d)
        GprocDaemon daemon = builder.start()
        [daemon: daemon, cli: new GprocRunner(d, ['-i', daemon.writeInventory(d.resolve('cluster.groovy')).toString(),
                                     '--identity', identity.toString()]),
         audit: d.resolve('audit.jsonl')]
    }

    def "under --local-exec a principal that may only run pushed binaries may not copy to a node path"() {
        given:
        def node = restricted { b, d -> b.localExec([] as Set) }
        Path dest = dir.resolve('never')

        when:
        def r = node.cli.run('copy', '-w', 'n1', '--dest', dest.toString(), file('z', 'z', 'rw-r--r--').toString())

        then:
        r.code != 0
        r.err.contains('gproc: n1: copy to ' + dest + ' failed')
        r.err.contains('--local-exec')
        !Files.exists(dest)

        cleanup:
        node?.daemon?.close()
    }

    @Requires({ System.getProperty('user.name') == 'root' })
    def "under --user-map a copy writes and reads as the mapped user, never as root, and every copy is audited"() {
        given:
        def node = restricted { b, d -> b.userMap(Files.writeString(d.resolve('user-map'), 'alice@lab nobody\n')) }
        Path open = Files.createDirectories(dir.resolve('nobody-owns'))
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString('rwxr-xr-x'))
        Files.setOwner(open, open.fileSystem.userPrincipalLookupService.lookupPrincipalByName('nobody'))
        Path rootsOnly = Files.createDirectories(dir.resolve('root-owns'))
        Path secret = file('secret.txt', 'secret\n', 'rw-------')
        Path plain = file('plain.txt', 'plain\n', 'rw-r--r--')

        when:
        def allowed = node.cli.run('copy', '-w', 'n1', '--dest', open.toString(), plain.toString())
        def refused = node.cli.run('copy', '-w', 'n1', '--dest', rootsOnly.toString(), plain.toString())
        def unreadable = node.cli.run('rcopy', '-w', 'n1', '--dest', dir.resolve('gathered').toString(),
                secret.toString())

        then:
        allowed.code == 0
        Files.getOwner(open.resolve('plain.txt')).name == 'nobody'
        refused.code == 1
        refused.err.contains("gproc: n1: copy to ${rootsOnly} failed")
        refused.err.contains('Permission denied')
        !Files.exists(rootsOnly.resolve('plain.txt'))
        unreadable.code == 1
        unreadable.err.contains('Permission denied')

        and: 'the audit log has each copy as an exec naming its destination, run as nobody'
        def execs = node.audit.readLines().collect { new JsonSlurper().parseText(it) }.findAll { it.event == 'exec' }
        execs.count { it.argv.contains(open.toString()) && it.user == 'nobody' && it.outcome == 'accepted' } == 1
        execs.count { it.argv.contains(rootsOnly.toString()) && it.user == 'nobody' } == 1

        cleanup:
        node?.daemon?.close()
    }
}
