package org.gproc.daemon.relay;

import org.gproc.daemon.session.VirtualNode;
import org.gproc.transport.ninep.server.FileTree;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The relays of one daemon ({@code --relay}): one per virtual node, sharing one SSH client. */
public final class Relays implements AutoCloseable {
    private final RelayConnector connector;
    private final RelayTargets allowed;
    private final Map<VirtualNode, Relay> byNode = new ConcurrentHashMap<>();

    private Relays(RelayConnector connector, RelayTargets allowed) {
        this.connector = connector;
        this.allowed = allowed;
    }

    /** Reads {@code --relay-for} (errors name the flag and file) and prepares the shared client. */
    public static Relays start(RelayOptions options, Path hostKey, Path stateDir, int msize) throws IOException {
        RelayTargets allowed = options.relayFor() == null ? null : RelayTargetsFile.read(options.relayFor());
        return new Relays(new RelayConnector(hostKey, options.certificate(), stateDir, msize), allowed);
    }

    /** {@code own} with {@code n/} beside it, relaying for {@code node}. */
    public FileTree treeFor(VirtualNode node, FileTree own) {
        Relay relay = new Relay(node, connector, allowed);
        byNode.put(node, relay);
        return new RelayTree(own, relay);
    }

    public Relay of(VirtualNode node) {
        return byNode.get(node);
    }

    @Override
    public void close() {
        byNode.values().forEach(Relay::close);
        connector.close();
    }
}
