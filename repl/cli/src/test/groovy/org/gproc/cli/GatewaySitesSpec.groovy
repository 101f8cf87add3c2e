package org.gproc.cli

import org.gproc.client.ChildJvm
import org.gproc.transport.ninep.Codec
import org.gproc.transport.ninep.Message
import org.gproc.transport.ssh.Keys
import org.gproc.transport.ssh.KnownHosts
import org.gproc.transport.testing.Netns
import org.gproc.transport.testing.NetnsGprocd
import spock.util.concurrent.PollingConditions
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.TempDir
import spock.lang.Timeout

import java.nio.ByteBuffer
import java.nio.file.Files
import java.nio.file.Path

/**
 * Three sites in network namespaces, each reachable only from the one before: site A holds the control node (the
 * gproc command line, run inside A), site B's nodes are reached only through gateway gwb, and site C only through
 * node b1 of site B, itself a gateway. Real gprocd processes, the real gproc client and the stock OpenSSH client.
 *
 * <pre>
 *   A 10.77.1.2 --- 10.77.1.1 gwb 10.77.2.1 --- 10.77.2.2 b1..b3 10.77.3.1 --- 10.77.3.2 c1
 *   (gproc)         (--gateway-for b1,b2)       (--gateway-for c1)
 * </pre>
 */
@Timeout(900)
@IgnoreIf({ !Netns.usable() })
class GatewaySitesSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared Netns net
    @Shared String a, gw, b, c
    @Shared NetnsGprocd gwb, siteB, siteC
    @Shared Path alice, mallory, eve, knownHosts, gwRevoked

    def setupSpec() {
        net = Netns.create()
        a = net.namespace('a')
        gw = net.namespace('gw')
        b = net.namespace('b')
        c = net.namespace('c')
        net.link(a, '10.77.1.2/24', gw, '10.77.1.1/24')
        net.link(gw, '10.77.2.1/24', b, '10.77.2.2/24')
        net.link(b, '10.77.3.1/24', c, '10.77.3.2/24')
        alice = key('alice', 'alice@lab')
        mallory = key('mallory', 'mallory@lab')
        eve = key('eve', 'eve@lab')
        Path everyone = dir.resolve('authorized_keys')
        Files.writeString(everyone, [alice, eve].collect { Files.readString(Path.of("${it}.pub")) }.join(''))
        gwRevoked = dir.resolve('gw_revoked')
        Files.writeString(gwRevoked, '# nothing revoked yet\n')
        Path siteBFile = inventoryFile('siteb.groovy', "nodes { 'b[1-2]' { host = '10.77.2.2'; port = 5640 } }")
        Path siteCFile = inventoryFile('sitec.groovy', "nodes { c1 { host = '10.77.3.2'; port = 5640 } }")
        def principals = ['alice@lab', 'eve@lab']
        siteC = NetnsGprocd.start(net, c, '10.77.3.2', 5640, dir.resolve('c'), authorizedKeys: everyone,
                principals: principals)
        siteB = NetnsGprocd.start(net, b, '10.77.2.2', 5640, dir.resolve('b'), authorizedKeys: everyone,
                instances: 3, principals: principals, extra: ['--gateway-for', siteCFile])
        gwb = NetnsGprocd.start(net, gw, '10.77.1.1', 5640, dir.resolve('gw'), authorizedKeys: everyone,
                principals: principals, extra: ['--gateway-for', siteBFile, '--revoked', gwRevoked])
        knownHosts = dir.resolve('known_hosts')
        Files.write(knownHosts, gwb.knownHostsLines() + siteB.knownHostsLines() + siteC.knownHostsLines())
    }

    def cleanupSpec() {
        net?.close()
    }

    Path key(String name, String comment) {
        Path file = dir.resolve(name)
        Keys.loadOrGenerate(file, comment)
        file
    }

    Path inventoryFile(String name, String text) {
        Path f = dir.resolve(name)
        Files.writeString(f, text.stripIndent())
        f
    }

    /** The client's inventory: gwb, b1..b3 behind it, c1 behind b1; {@code siteBVia} null leaves site B direct. */
    Path clientInventory(Map options = [:], String name) {
        String siteBVia = options.containsKey('siteBVia') ? options.siteBVia : "'gwb'"
        String c1Via = options.c1Via ?: "['gwb', 'b1']"
        inventoryFile(name, """\
            cluster { knownHosts = '${options.containsKey('knownHosts') ? options.knownHosts : knownHosts}'; identity = '${options.containsKey('identity') ? options.identity : alice}' }
            nodes {
                gwb { host = '10.77.1.1'; port = 5640 }
                'b[1-3]' { host = '10.77.2.2'; port = 5640 }
                c1 { host = '10.77.3.2'; port = 5640; via = ${c1Via} }
            }
            groups {
                siteb { nodes = 'b[1-3]'${siteBVia == null ? '' : "; via = ${siteBVia}"} }
            }
            """)
    }

    /** {@code gproc -i INVENTORY run SCRIPT} on the control node, inside site A. */
    Netns.Result gprocRun(Path inventory, String script) {
        Path file = dir.resolve("job-${System.nanoTime()}.groovy")
        Files.writeString(file, script)
        net.capture(a, [ChildJvm.java()] + ChildJvm.sharingOptions() + ['-cp', ChildJvm.classPath(),
                        'org.gproc.cli.GprocCli', '-i', inventory.toString(), 'run', file.toString()], 300)
    }

    static List<String> jumps(NetnsGprocd d) {
        d.audit().findAll { it.contains('"event":"jump"') }
    }

    def "site B cannot be reached from site A except through its gateway"() {
        expect:
        net.probe(a, '10.77.1.1', 5640) == 'open'
        net.probe(a, '10.77.2.2', 5640, 2) == 'unreachable'
        net.probe(gw, '10.77.2.2', 5640) == 'open'
        net.probe(gw, '10.77.3.2', 5640, 2) == 'unreachable'
    }

    static final String CANONICAL = "nodes.each { it.push('/bin/date').run() }\n"

    static boolean ran(Netns.Result r, String node) {
        r.out.readLines().any { it.startsWith("${node}: ") && it =~ /\d\d:\d\d/ }
    }

    def "the canonical line runs on site B's nodes through the gateway and on site C through two, each jump audited"() {
        given:
        Path inventory = clientInventory('canonical.groovy')

        when:
        def r = gprocRun(inventory, CANONICAL)

        then:
        ['gwb', 'b1', 'b2', 'c1'].every { ran(r, it) }
        jumps(gwb).any { it.contains('"principal":"alice@lab"') && it.contains('"target":"b1"') &&
                it.contains('"address":"10.77.2.2:5640"') && it.contains('"outcome":"accepted"') }
        jumps(gwb).any { it.contains('"target":"b2"') && it.contains('"address":"10.77.2.2:5641"') }
        jumps(siteB).any { it.contains('"principal":"alice@lab"') && it.contains('"target":"c1"') &&
                it.contains('"address":"10.77.3.2:5640"') && it.contains('"outcome":"accepted"') }
    }

    def "without via, site B's nodes are down with the reason, and the rest of the job runs"() {
        given:
        Path inventory = clientInventory('direct.groovy', siteBVia: null)

        when:
        def r = gprocRun(inventory, CANONICAL)

        then:
        ran(r, 'gwb') && ran(r, 'c1')
        r.err.contains('gproc: b1 is down: b1 (10.77.2.2:5640): 10.77.2.2 port 5640: cannot connect: Network is unreachable')
        !ran(r, 'b1')
    }

    def "a target outside the gateway's file is refused and audited: b3 itself, c1 through gwb alone"() {
        given:
        Path inventory = clientInventory('outside.groovy', c1Via: "'gwb'")
        int before = jumps(gwb).size()

        when:
        def r = gprocRun(inventory, CANONICAL)

        then: 'b1 runs; b3 and c1 are down, named, with the gateway refusing'
        ran(r, 'b1')
        !ran(r, 'b3') && !ran(r, 'c1')
        r.err.contains('gproc: b3 is down: b3 (10.77.2.2:5642 via gwb): ')
        r.err.contains('gproc: c1 is down: c1 (10.77.3.2:5640 via gwb): ')
        r.err.readLines().findAll { it =~ /is down: .*would not forward to it: administratively prohibited/ }.size() == 2
        def refused = jumps(gwb).drop(before).findAll { it.contains('"outcome":"refused"') }
        refused.any { it.contains('"requested":"10.77.2.2:5642"') && it.contains('is not a node this gateway forwards to') }
        refused.any { it.contains('"requested":"10.77.3.2:5640"') && it.contains('"principal":"alice@lab"') }
    }

    def "a key the gateway does not know gets no channel at all"() {
        given:
        Path inventory = clientInventory('mallory.groovy', identity: mallory)
        int before = jumps(gwb).size()

        when:
        def r = gprocRun(inventory, CANONICAL)

        then:
        ['gwb', 'b1', 'b2', 'b3', 'c1'].every { !ran(r, it) }
        r.err.contains('gproc: b1 is down: ')
        r.err.contains('through gateway 10.77.1.1 port 5640: the gateway refused our key')
        gwb.audit().any { it.contains('"event":"auth"') && it.contains('"outcome":"refused"') }
        jumps(gwb).size() == before
    }

    def "a key revoked at the gateway is refused there; before the revocation it jumped"() {
        given:
        Path inventory = clientInventory('eve.groovy', identity: eve)

        when:
        def ok = gprocRun(inventory, CANONICAL)

        then:
        ran(ok, 'b1')
        jumps(gwb).any { it.contains('"principal":"eve@lab"') && it.contains('"outcome":"accepted"') }

        when:
        Files.writeString(gwRevoked, Files.readString(Path.of("${eve}.pub")))
        def refused = gprocRun(inventory, CANONICAL)

        then:
        !ran(refused, 'b1')
        refused.err.contains('gproc: b1 is down: ')
        refused.err.contains('through gateway 10.77.1.1 port 5640: the gateway refused our key')
        // the audit line is written just after the refusal goes out, so the client can be told first; when the
        // earlier features' refusals used up this source's lines for the 10 s window, the window's summary counts it
        new PollingConditions(timeout: 25).eventually {
            assert gwb.audit().any {
                (it.contains('"event":"auth"') && it.contains('"principal":null') && it.contains('"reason":"REVOKED"')) ||
                        (it.contains('"event":"auth-summary"') && it.contains('"REVOKED":'))
            }
        }

        cleanup:
        Files.writeString(gwRevoked, '# nothing revoked\n')
    }

    def "a node behind the gateway with the wrong host key is down naming the mismatch; its neighbour runs"() {
        given: 'known_hosts pins c1 key for b2'
        Path wrong = dir.resolve('known_hosts_wrong')
        Files.write(wrong, gwb.knownHostsLines() + siteB.knownHostsLines().take(1)
                + [KnownHosts.line('10.77.2.2', 5641, siteC.hostKey)])
        Path inventory = clientInventory('wrongkey.groovy', knownHosts: wrong)

        when:
        def r = gprocRun(inventory, CANONICAL)

        then:
        ran(r, 'b1')
        !ran(r, 'b2')
        r.err.contains('gproc: b2 is down: b2 (10.77.2.2:5641 via gwb): 10.77.2.2 port 5641 (through 10.77.1.1 port 5640): HOST KEY MISMATCH')
    }

    /** ssh config for the stock client: gwb and the nodes by name, our key and known_hosts, nothing else. */
    Path sshConfig() {
        Path cfg = dir.resolve('ssh_config')
        Files.writeString(cfg, """\
            Host *
                IdentityFile ${alice}
                IdentitiesOnly yes
                IdentityAgent none
                UserKnownHostsFile ${knownHosts}
                GlobalKnownHostsFile /dev/null
                StrictHostKeyChecking yes
                BatchMode yes
                ConnectTimeout 30
            Host gw
                HostName 10.77.1.1
                Port 5640
            Host b1
                HostName 10.77.2.2
                Port 5640
            Host b3
                HostName 10.77.2.2
                Port 5642
            """.stripIndent())
        cfg
    }

    static byte[] tversion() {
        ByteBuffer frame = Codec.encode(new Message.Tversion(0xFFFF, 8192, '9P2000'))
        byte[] bytes = new byte[frame.remaining()]
        frame.get(bytes)
        bytes
    }

    def "stock OpenSSH reaches a node through the gateway: ssh -J gw -s b1 xcpu@gproc"() {
        when:
        def r = net.capture(a, ['ssh', '-F', sshConfig().toString(), '-J', 'gw', '-s', 'b1', 'xcpu@gproc'], 120,
                tversion())

        then:
        r.exit == 0
        Codec.decode(ByteBuffer.wrap(r.bytes), 8192) == new Message.Rversion(0xFFFF, 8192, '9P2000')
        jumps(gwb).any { it.contains('"requested":"10.77.2.2:5640"') && it.contains('"target":"b1"') }
    }

    def "stock OpenSSH is refused a node outside the gateway's file: ssh -J gw -s b3 xcpu@gproc"() {
        when:
        def r = net.capture(a, ['ssh', '-F', sshConfig().toString(), '-J', 'gw', '-s', 'b3', 'xcpu@gproc'], 120,
                tversion())

        then:
        r.exit != 0
        r.err.contains('administratively prohibited')
        r.bytes.length == 0
    }
}
