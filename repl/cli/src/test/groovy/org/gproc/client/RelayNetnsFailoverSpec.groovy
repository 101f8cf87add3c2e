package org.gproc.client

import org.gproc.transport.ssh.Keys
import org.gproc.transport.testing.Netns
import org.gproc.transport.testing.NetnsGprocd
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.TimeUnit

/**
 * A relay killed with kill -9 mid-job, in network namespaces where reachability, not configuration, decides where its
 * children can go. The control node (the gproc command line, inside ctl) reaches relays r1 and r2 and leaf n1; r1
 * relays n1, n2 and n3; r2 (relaying n4) also reaches n2; n3 is reachable from r1 only. Real gprocd processes; the
 * leaves accept alice and trust both relays' host keys as relay@lab.
 *
 * <pre>
 *   ctl ─┬─ r1 ─┬─ a (n1) ─┐
 *        │      ├─ b (n2) ─┤ (n4 on b's second port)
 *        │      └─ c (n3)  │
 *        ├─ r2 ────────────┘ (to b)
 *        └─ a (n1, directly)
 * </pre>
 */
@Timeout(600)
@Stepwise
@IgnoreIf({ !Netns.usable() })
class RelayNetnsFailoverSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared Netns net
    @Shared String ctl
    @Shared NetnsGprocd r1, r2
    @Shared Path flagDir
    @Shared Map<String, Map> results = [:]
    @Shared Map<String, String> down = [:]
    @Shared String log

    def setupSpec() {
        net = Netns.create()
        ctl = net.namespace('ctl')
        def (nr1, nr2, a, b, c) = ['r1', 'r2', 'a', 'b', 'c'].collect { net.namespace(it) }
        net.link(ctl, '10.77.1.2/24', nr1, '10.77.1.1/24')
        net.link(ctl, '10.77.2.2/24', nr2, '10.77.2.1/24')
        net.link(ctl, '10.77.3.1/24', a, '10.77.3.2/24')
        net.link(nr1, '10.77.4.1/24', a, '10.77.4.2/24')
        net.route(nr1, '10.77.3.0/24', '10.77.4.2')   // r1 dials n1 at the address the control node uses
        net.link(nr1, '10.77.5.1/24', b, '10.77.5.2/24')
        net.link(nr2, '10.77.6.1/24', b, '10.77.6.2/24')
        net.route(nr2, '10.77.5.0/24', '10.77.6.2')   // r2 dials n2 at the address r1 uses
        net.link(nr1, '10.77.7.1/24', c, '10.77.7.2/24')
        Path alice = dir.resolve('alice')
        def user = Keys.loadOrGenerate(alice, 'alice@lab')
        Path relaysOnly = dir.resolve('authorized_keys.relays')
        Files.writeString(relaysOnly, Keys.publicKeyLine(user.public) + ' alice@lab\n')
        Path leaves = dir.resolve('authorized_keys.leaves')
        Files.writeString(leaves, Keys.publicKeyLine(user.public) + ' alice@lab\n' + ['r1', 'r2'].collect {
            Files.createDirectories(dir.resolve(it))
            Keys.publicKeyLine(Keys.loadOrGenerate(dir.resolve(it).resolve('host_key'), it).public) + ' relay@lab\n'
        }.join(''))
        def principals = ['alice@lab']
        def starts = [
                { NetnsGprocd.start(net, nr1, '10.77.1.1', 5640, dir.resolve('r1'), authorizedKeys: relaysOnly,
                        principals: principals, extra: ['--relay']) },
                { NetnsGprocd.start(net, nr2, '10.77.2.1', 5640, dir.resolve('r2'), authorizedKeys: relaysOnly,
                        principals: principals, extra: ['--relay']) },
                { leaf(a, 1, leaves) }, { leaf(b, 2, leaves) }, { leaf(c, 1, leaves) }]
        List<Thread> threads = []
        List daemons = Collections.synchronizedList([null] * starts.size())
        List errors = Collections.synchronizedList([])
        starts.eachWithIndex { start, i ->
            threads << Thread.start {
                try {
                    daemons[i] = start()
                } catch (Throwable e) {
                    errors << e
                }
            }
        }
        threads*.join()
        if (errors) {
            throw errors[0]
        }
        r1 = daemons[0]
        r2 = daemons[1]
        NetnsGprocd na = daemons[2], nb = daemons[3], nc = daemons[4]
        Path knownHosts = dir.resolve('known_hosts')
        Files.write(knownHosts, r1.knownHostsLines() + r2.knownHostsLines() + na.knownHostsLines('10.77.3.2')
                + nb.knownHostsLines('10.77.5.2') + nb.knownHostsLines('10.77.6.2') + nc.knownHostsLines('10.77.7.2'))
        Files.writeString(dir.resolve('cluster.groovy'), """\
            cluster { knownHosts = '$knownHosts'; identity = '$alice' }
            nodes {
                r1 { host = '10.77.1.1'; port = 5640 }
                r2 { host = '10.77.2.1'; port = 5640 }
                n1 { host = '10.77.3.2'; port = 5640; relay = 'r1' }
                n2 { host = '10.77.5.2'; port = 5640; relay = 'r1' }
                n3 { host = '10.77.7.2'; port = 5640; relay = 'r1' }
                n4 { host = '10.77.6.2'; port = 5641; relay = 'r2' }
            }
            """.stripIndent())
        // the leaves' processes run as nobody, who must see the flag the job waits for
        flagDir = Files.createTempDirectory('gproc-netns-flag', PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString('rwxr-xr-x')))
    }

    /** A leaf daemon listening on every address of its namespace, trusting both relays. */
    NetnsGprocd leaf(String ns, int instances, Path authorized) {
        NetnsGprocd.start(net, ns, '0.0.0.0', 5640, dir.resolve(ns.substring(ns.lastIndexOf('-') + 1)),
                authorizedKeys: authorized, instances: instances, principals: ['alice@lab'],
                extra: ['--trusted-relay', 'relay@lab'])
    }

    def cleanupSpec() {
        net?.close()
        if (flagDir != null) {
            flagDir.toFile().deleteDir()
        }
    }

    /**
     * The job, run by {@code gproc run} inside ctl: /bin/sh pushed through r1 to n1..n3 prints, wait for the flag, print again and exit 4. Once
     * every node has printed its first line the script says READY and waits until the spec has killed r1; when the
     * client has settled every node it makes the flag, waits for the job and prints each result (every wait ends after
     * two minutes, so a failure is read from what did happen).
     */
    static final String SCRIPT = '''\
        def (flag, killed) = [args[0], args[1]]
        def until = { Closure<Boolean> ok -> // false after two minutes: the spec then reads what did happen
            long end = System.nanoTime() + 120_000_000_000L
            while (!ok() && System.nanoTime() < end) {
                Thread.sleep(50)
            }
            ok()
        }
        def job = nodes['n[1-3]'].push('/bin/sh').args('-c', // pushed: the leaves run no node files
                "echo before; while [ ! -e '$flag' ]; do sleep 0.1; done; echo after; exit 4").run()
        until { job.processes.every { new String(it.stdoutBytes()) == 'before\\n' } }
        println 'READY'
        System.out.flush()
        until { new File(killed).exists() }
        def via = { String n ->
            def node = cluster.node(n)
            !node.up ? 'down' : !node.channel().relayed ? 'direct'
                    : node.channel().client().is(cluster.node('r2').channel().client()) ? 'r2' : 'r1'
        }
        until { via('n1') == 'direct' && via('n2') == 'r2' && via('n3') == 'down' }
        ['n1', 'n2', 'n3'].each { println "ROUTE $it ${via(it)}" }
        new File(flag).text = ''
        job.waitFor(java.time.Duration.ofSeconds(120))
        job.processes.each { p ->
            println "RESULT ${p.node()} ${p.exitValue()} ${p.stdoutBytes().encodeBase64()} ${p.failure().orElse('-')}"
        }
        cluster.downReasons.each { n, why -> println "DOWN $n $why" }
        '''.stripIndent()

    def "r1 killed mid-job: n1 goes direct, n2 through sibling r2, and every byte and exit code arrives"() {
        given:
        Path script = dir.resolve('job.groovy')
        Files.writeString(script, SCRIPT)
        Path flag = flagDir.resolve('go'), killed = dir.resolve('killed'), out = dir.resolve('gproc.log')
        Process gproc = net.spawn(ctl, [ChildJvm.java()] + ChildJvm.sharingOptions() + ['-cp', ChildJvm.classPath(),
                                        'org.gproc.cli.GprocCli', '-i', dir.resolve('cluster.groovy').toString(),
                                        'run', script.toString(), flag.toString(), killed.toString()], out)
        new PollingConditions(timeout: 180, delay: 0.2).eventually {
            assert !gproc.alive || out.text.contains('READY')
        }

        when: 'kill -9 of r1 in its namespace'
        r1.kill()
        Files.createFile(killed)
        boolean ended = gproc.waitFor(300, TimeUnit.SECONDS)
        log = out.text
        log.readLines().each { line ->
            def f = line.split(' ', 5)
            if (f[0] == 'RESULT') {
                results[f[1]] = [exit: f[2] as int, out: new String(f[3].decodeBase64()), failure: f[4]]
            } else if (f[0] == 'DOWN') {
                down[f[1]] = line.substring("DOWN ${f[1]} ".length())
            }
        }

        then:
        ended
        log.contains('ROUTE n1 direct\n')
        log.contains('ROUTE n2 r2\n')
        results.n1 == [exit: 4, out: 'before\nafter\n', failure: '-']
        results.n2 == [exit: 4, out: 'before\nafter\n', failure: '-']
    }

    def "a child reachable only through the dead relay is down with the reason, and its process fails with it"() {
        expect:
        down.n3 == 'relay r1: connection lost'
        results.n3.out == 'before\n'
        results.n3.exit == 255
        results.n3.failure.contains('relay r1: connection lost')
        down.keySet() == ['r1', 'n3'] as Set
    }
}
