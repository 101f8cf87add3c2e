package org.gproc.bench;

import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ninep.server.FileTree;
import org.gproc.transport.ninep.server.NinePServer;
import org.gproc.transport.ssh.Keys;
import org.gproc.transport.ssh.KnownHosts;
import org.gproc.transport.ssh.SshConnector;
import org.gproc.transport.ssh.SshNodeServer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A node server and a client in this JVM, talking SSH over 127.0.0.1 exactly as in production: an Ed25519 host key
 * generated into a fresh temporary directory, a client key listed in an authorized_keys file there, and a
 * known_hosts file that vouches for the host key. {@link #close} stops both and deletes the directory.
 */
final class LoopbackNode implements AutoCloseable {
    static final int MSIZE = 1 << 20;
    static final String PRINCIPAL = "bench@gproc";

    private final Path dir;
    private final NinePServer nine;
    private final SshNodeServer server;
    private final SshConnector connector;

    private LoopbackNode(Path dir, NinePServer nine, SshNodeServer server, SshConnector connector) {
        this.dir = dir;
        this.nine = nine;
        this.server = server;
        this.connector = connector;
    }

    static LoopbackNode start(FileTree tree) throws IOException {
        Path dir = Files.createTempDirectory("gproc-bench-");
        NinePServer nine = new NinePServer(tree, MSIZE, NinePServer.DEFAULT_MAX_FIDS);
        SshNodeServer server = null;
        try {
            KeyPair client = Keys.generate();
            Keys.write(client, dir.resolve("id_ed25519"), PRINCIPAL);
            Path authorized = Files.copy(dir.resolve("id_ed25519.pub"), dir.resolve("authorized_keys"));
            server = SshNodeServer.builder().listen("127.0.0.1", 0).hostKey(dir.resolve("host_key"))
                    .authorizedKeys(authorized).handler((info, ch) -> nine.serve(info.principal(), ch))
                    .build().start();
            Path knownHosts = dir.resolve("known_hosts");
            KnownHosts.append(knownHosts, "127.0.0.1", server.port(), server.hostKey());
            SshConnector connector = SshConnector.builder().identity(client).knownHosts(knownHosts).build();
            return new LoopbackNode(dir, nine, server, connector);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            delete(dir);
            throw e;
        }
    }

    /** A new SSH connection with the subsystem open and 9P attached. */
    NinePClient connect(Duration timeout) throws IOException {
        try {
            return connector.connect("127.0.0.1", server.port())
                    .thenCompose(ch -> NinePClient.connect(ch, MSIZE, PRINCIPAL, ""))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("loopback node port " + server.port() + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IOException("loopback node port " + server.port() + ": no 9P session within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting");
        }
    }

    @Override
    public void close() {
        try {
            connector.close();
        } finally {
            nine.close();
            server.close();
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
