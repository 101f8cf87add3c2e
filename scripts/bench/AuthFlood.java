import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.buffer.Buffer;
import org.gproc.transport.ssh.Keys;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Attacker half of scripts/bench/auth-flood: for SECONDS, CONNECTIONS threads open SSH connections to 127.0.0.1:PORT
 * from the local addresses SOURCES (comma-separated, e.g. 127.0.0.2,127.0.0.3) and send refused publickey requests
 * with USER_BYTES-long user names, each after a fresh ssh-userauth service request, until the daemon closes the
 * connection; then again. Prints one JSON line: connections made, refused at accept, requests sent.
 * Usage: java -cp CP AuthFlood.java HOST_KEY PORT SECONDS CONNECTIONS SOURCES USER_BYTES
 */
public class AuthFlood {
    /**
     * A connection refused at accept fails at once: without a pause this client, which shares the machine with the
     * daemon and the measured client, would spend the cores on reconnecting rather than on the daemon.
     */
    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws Exception {
        PublicKey hostKey = Keys.loadPrivateKey(Path.of(args[0])).getPublic(); // the bench made the daemon's key
        int port = Integer.parseInt(args[1]);
        long deadline = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[2])).toNanos();
        int threads = Integer.parseInt(args[3]);
        String[] sources = args[4].split(",");
        String user = "u".repeat(Integer.parseInt(args[5]));
        KeyPair stranger = Keys.generate();

        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((s, a, k) -> KeyUtils.compareKeys(k, hostKey)); // exactly the daemon's key
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.start();
        AtomicLong connections = new AtomicLong();
        AtomicLong refusedAtAccept = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String from = sources[t % sources.length];
            Thread w = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    try {
                        ClientSession s = client.connect(user, new InetSocketAddress("127.0.0.1", port),
                                new InetSocketAddress(from, 0)).verify(Duration.ofSeconds(30)).getSession();
                        connections.incrementAndGet();
                        var events = s.waitFor(EnumSet.of(ClientSession.ClientSessionEvent.WAIT_AUTH,
                                ClientSession.ClientSessionEvent.CLOSED), Duration.ofSeconds(30));
                        if (events.contains(ClientSession.ClientSessionEvent.CLOSED)) {
                            refusedAtAccept.incrementAndGet();
                            pause();
                            continue;
                        }
                        while (!s.isClosing() && !s.isClosed() && System.nanoTime() < deadline) {
                            Buffer service = s.createBuffer(SshConstants.SSH_MSG_SERVICE_REQUEST, 32);
                            service.putString("ssh-userauth");
                            s.writePacket(service);
                            Buffer probe = s.createBuffer(SshConstants.SSH_MSG_USERAUTH_REQUEST, user.length() + 128);
                            probe.putString(user);
                            probe.putString("ssh-connection");
                            probe.putString("publickey");
                            probe.putBoolean(false);
                            probe.putString(KeyUtils.getKeyType(stranger.getPublic()));
                            probe.putBytes(Keys.blob(stranger.getPublic()));
                            s.writePacket(probe).verify(Duration.ofSeconds(30));
                            requests.incrementAndGet();
                        }
                        s.close(true);
                    } catch (Exception refused) {
                        refusedAtAccept.incrementAndGet();
                        pause();
                    }
                }
            }, "flood-" + t);
            w.setDaemon(true);
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join();
        }
        client.stop();
        System.out.println("{\"connections\":" + connections.get() + ",\"refused_at_accept\":" + refusedAtAccept.get()
                + ",\"requests\":" + requests.get() + "}");
    }
}
