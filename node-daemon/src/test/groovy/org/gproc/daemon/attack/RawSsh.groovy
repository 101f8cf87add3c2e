package org.gproc.daemon.attack

import org.apache.sshd.client.SshClient
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver
import org.apache.sshd.client.keyverifier.ServerKeyVerifier
import org.apache.sshd.client.session.ClientSession
import org.apache.sshd.common.SshConstants
import org.apache.sshd.common.config.keys.KeyUtils
import org.apache.sshd.common.keyprovider.KeyIdentityProvider
import org.apache.sshd.common.util.buffer.Buffer
import org.gproc.transport.ssh.Keys

import java.security.PublicKey
import java.time.Duration

/**
 * A hostile SSH client built on SSHD's client API, for what OpenSSH will not do on purpose: authentication requests
 * written by hand (any method, any user name, a service request before each), connections from a chosen local
 * address, sessions that stop after the key exchange. The server's host key is checked against the daemon's own.
 */
class RawSsh implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60)

    final SshClient client

    RawSsh(PublicKey hostKey) {
        client = SshClient.setUpDefaultClient()
        // Test-only verifier: accepts exactly the key of the daemon under test.
        client.serverKeyVerifier = { s, a, k -> KeyUtils.compareKeys(k, hostKey) } as ServerKeyVerifier
        client.keyIdentityProvider = KeyIdentityProvider.EMPTY_KEYS_PROVIDER
        client.hostConfigEntryResolver = HostConfigEntryResolver.EMPTY
        client.start()
    }

    /** Key exchange done, no authentication asked (SSHD's client asks nothing until {@code auth()}). */
    ClientSession connect(String user, int port, String from = null) {
        def target = new InetSocketAddress('127.0.0.1', port)
        def local = from == null ? null : new InetSocketAddress(from, 0)
        ClientSession s = client.connect(user, target, local).verify(WAIT).session
        s.waitFor([ClientSession.ClientSessionEvent.WAIT_AUTH, ClientSession.ClientSessionEvent.CLOSED], WAIT)
        s
    }

    static void serviceRequest(ClientSession s, String service = 'ssh-userauth') {
        Buffer b = s.createBuffer(SshConstants.SSH_MSG_SERVICE_REQUEST, 32)
        b.putString(service)
        s.writePacket(b).verify(WAIT)
    }

    /** A publickey request without signature ("would this key do?"). */
    static void probe(ClientSession s, String user, PublicKey key) {
        request(s, user, 'publickey') { Buffer b ->
            b.putBoolean(false)
            b.putString(KeyUtils.getKeyType(key))
            b.putBytes(Keys.blob(key))
        }
    }

    /**
     * {@code n} probes, the last of which may be past the daemon's limit: the daemon may then close the connection
     * before our write of a large request completes, which is the outcome wanted, not an error.
     */
    static void probes(ClientSession s, int n, String user, PublicKey key) {
        try {
            n.times { probe(s, user, key) }
        } catch (IOException closedByTheDaemon) {
        }
    }

    /** SSH_MSG_USERAUTH_REQUEST for {@code method}; {@code body} writes the method's fields. */
    static void request(ClientSession s, String user, String method, Closure<?> body = {}) {
        Buffer b = s.createBuffer(SshConstants.SSH_MSG_USERAUTH_REQUEST, user.length() + 128)
        b.putString(user)
        b.putString('ssh-connection')
        b.putString(method)
        body(b)
        s.writePacket(b).verify(WAIT)
    }

    static boolean closedWithin(ClientSession s, Duration wait = WAIT) {
        s.waitFor([ClientSession.ClientSessionEvent.CLOSED], wait).contains(ClientSession.ClientSessionEvent.CLOSED)
    }

    @Override
    void close() {
        client.stop()
    }
}
