package org.gproc.daemon.relay;

import org.gproc.daemon.session.VirtualNode;
import org.gproc.transport.ninep.server.FileTree;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The relays of one daemon ({@code --relay}): one per virtual node, sharing one SSH client and one pacing thread. */
public final class Relays implements AutoCloseable {
    private final RelayConnector connector;
    private final RelayTargets allowed;
    private final Map<VirtualNode, Relay> byNode = new ConcurrentHashMap<>();
    /** Paces every relay's child handshakes and their retries; one daemon thread for the whole daemon. */
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gprocd-relay-dialer");
        t.setDaemon(true);
        return t;
    });

    private Relays(RelayConnector connector, RelayTargets allowed) {
        this.connector = connector;
        this.allowed = allowed;
    }

    /** Reads {@code --relay-for} (errors name the flag and file) and prepares the shared client. */
    public static Relays start(RelayOptions options, Path hostKey, int msize) throws IOException {
        RelayTargets allowed = options.relayFor() == null ? null : RelayTargetsFile.read(options.relayFor());
        return new Relays(new RelayConnector(hostKey, options.certificate(), msize), allowed);
    }

    /** {@code own} with {@code n/} beside it, relaying for {@code node}. */
    public FileTree treeFor(VirtualNode node, FileTree own) {
        Relay relay = new Relay(node, new ChildDialer(connector::connect, pacer, ChildDialer.CONCURRENT,
                ChildDialer.ATTEMPTS), allowed);
        byNode.put(node, relay);
        return new RelayTree(own, relay);
    }

    public Relay of(VirtualNode node) {
        return byNode.get(node);
    }

    @Override
    public void close() {
        byNode.values().forEach(Relay::close);
        pacer.shutdownNow();
        connector.close();
    }
}
