package org.gproc.transport.ssh

import org.gproc.transport.cert.CertificateAuthority
import org.gproc.transport.cert.Certificates
import org.gproc.transport.ninep.FrameChannel
import org.gproc.transport.ninep.Message
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

import java.nio.ByteBuffer
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.time.Instant
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/** A connection authenticated by a user certificate is closed once the certificate expires (plus the grace). */
@Timeout(300)
class CertificateExpirySpec extends Specification {

    @Shared @TempDir Path dir
    @Shared CertificateAuthority ca
    @Shared EchoNineP echo = new EchoNineP()
    @Shared int serial = 1

    PollingConditions eventually = new PollingConditions(timeout: 90, delay: 0.1)

    def setupSpec() {
        ca = CertificateAuthority.init(dir.resolve('ca'))
    }

    SshNodeServer serve(Duration grace) {
        SshNodeServer.builder().listen('127.0.0.1', 0).hostKey(Keys.generate())
                .trustedUserCa(dir.resolve('ca/ca.pub')).certExpiryGrace(grace).handler(echo).build().start()
    }

    /** A key with a certificate (KEY-cert.pub) valid from a few minutes ago until {@code validity} from now. */
    Path certifiedKey(Duration validity) {
        Path d = Files.createDirectories(dir.resolve("user${serial}"))
        Path key = d.resolve('id_ed25519')
        Keys.write(Keys.generate(), key, 'alice@lab')
        ca.signUserKeyFile(Path.of("${key}.pub"), ['alice'], validity, serial++, "alice-${serial}")
        key
    }

    /** Opens the subsystem with the key's certificate; returns the channel and a queue that gets its close. */
    Map connect(SshNodeServer server, Path key) {
        Path kh = OpenSsh.knownHostsFor(dir, server.port(), server.hostKey())
        SshConnector connector = SshConnector.builder().identity(key).knownHosts(kh).build()
        FrameChannel channel = connector.open('127.0.0.1', server.port())
        def frames = new LinkedBlockingQueue<Message>()
        def closed = new LinkedBlockingQueue<Instant>()
        channel.start(new FrameChannel.Listener() {
            void onFrame(ByteBuffer frame) { frames << org.gproc.transport.ninep.Codec.decode(frame, 1 << 20) }
            void onClose(Throwable cause) { closed << Instant.now() }
        })
        [connector: connector, channel: channel, frames: frames, closed: closed]
    }

    boolean roundTrip(Map c) {
        c.channel.send(org.gproc.transport.ninep.Codec.encode(new Message.Tversion(0xFFFF, 8192, '9P2000')))
        c.frames.poll(60, TimeUnit.SECONDS) instanceof Message.Rversion
    }

    def "a connection whose certificate expires is closed after expiry, while one with a valid certificate stays"() {
        given:
        SshNodeServer server = serve(Duration.ZERO)
        Path shortLived = certifiedKey(Duration.ofSeconds(4))
        Instant end = Certificates.validBefore(Certificates.read(Path.of("${shortLived}-cert.pub"))).get()
        Path longLived = certifiedKey(Duration.ofHours(1))
        def expiring = connect(server, shortLived)
        def lasting = connect(server, longLived)

        expect: 'both work at first'
        roundTrip(expiring)
        roundTrip(lasting)
        server.expiryTimers() == 2

        when:
        Instant closedAt = expiring.closed.poll(90, TimeUnit.SECONDS)

        then: 'closed, and not before its certificate ended'
        closedAt != null
        !closedAt.isBefore(end)

        and: 'the other connection is unaffected'
        roundTrip(lasting)
        lasting.closed.isEmpty()
        eventually.eventually { assert server.expiryTimers() == 1 }

        when: 'the last one closes early: its timer goes with it'
        lasting.channel.close()

        then:
        eventually.eventually { assert server.expiryTimers() == 0 }

        cleanup:
        expiring?.connector?.close()
        lasting?.connector?.close()
        server?.close()
    }

    def "with a grace period the connection outlives its certificate by that much"() {
        given:
        Duration grace = Duration.ofSeconds(3)
        SshNodeServer server = serve(grace)
        Path key = certifiedKey(Duration.ofSeconds(3))
        Instant end = Certificates.validBefore(Certificates.read(Path.of("${key}-cert.pub"))).get()
        def c = connect(server, key)

        expect:
        roundTrip(c)

        when:
        Instant closedAt = c.closed.poll(90, TimeUnit.SECONDS)

        then:
        closedAt != null
        !closedAt.isBefore(end.plus(grace))

        cleanup:
        c?.connector?.close()
        server?.close()
    }

    def "certExpiryGrace must not be negative"() {
        when:
        SshNodeServer.builder().certExpiryGrace(Duration.ofSeconds(-1))

        then:
        IllegalArgumentException e = thrown()
        e.message.contains('certExpiryGrace')
    }
}
