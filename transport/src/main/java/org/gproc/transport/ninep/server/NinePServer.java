package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.FrameChannel;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves one {@link FileTree} to any number of connections, each with its own fid table. The transport (the SSH
 * subsystem) authenticates the peer and hands over the principal with the channel; this class trusts that principal
 * and nothing the client says about itself, except that a principal named in {@link #trustRelays} may name, per
 * attach, the user it acts for.
 */
public final class NinePServer implements AutoCloseable {
    public static final int DEFAULT_MSIZE_CAP = 1 << 20;
    public static final int DEFAULT_MAX_FIDS = 4096;

    private final FileTree tree;
    private final int msizeCap;
    private final int maxFids;
    private final Set<ServerConnection> live = ConcurrentHashMap.newKeySet();
    private volatile Set<String> trustedRelays = Set.of();

    public NinePServer(FileTree tree) {
        this(tree, DEFAULT_MSIZE_CAP, DEFAULT_MAX_FIDS);
    }

    /**
     * @param msizeCap the largest msize this server agrees to (at least 256)
     * @param maxFids  the most fids one connection may hold at once (at least 1)
     */
    public NinePServer(FileTree tree, int msizeCap, int maxFids) {
        this.tree = Objects.requireNonNull(tree, "tree");
        if (msizeCap < 256) {
            throw new IllegalArgumentException("msize cap " + msizeCap + " is below the 256-byte minimum");
        }
        if (maxFids < 1) {
            throw new IllegalArgumentException("fid limit " + maxFids + " must be at least 1");
        }
        this.msizeCap = msizeCap;
        this.maxFids = maxFids;
    }

    /**
     * Starts serving {@code channel} for {@code principal} (the identity the transport authenticated) and returns
     * at once; frames are handled on the channel's delivering thread.
     */
    public ServerConnection serve(String principal, FrameChannel channel) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(channel, "channel");
        ServerConnection c = new ServerConnection(tree, principal, trustedRelays, channel, msizeCap, maxFids);
        live.add(c);
        c.whenClosed().whenComplete((v, e) -> live.remove(c));
        channel.start(c);
        return c;
    }

    /**
     * Principals trusted to act for others: on a connection authenticated as one of them, a Tattach's uname names
     * the principal that attach acts for (a relay passing on the user who authenticated at it). Any other
     * connection's uname is ignored. Applies to connections served from now on.
     */
    public NinePServer trustRelays(Set<String> principals) {
        this.trustedRelays = Set.copyOf(principals);
        return this;
    }

    public Set<String> trustedRelays() {
        return trustedRelays;
    }

    public FileTree tree() {
        return tree;
    }

    public int msizeCap() {
        return msizeCap;
    }

    public int maxFids() {
        return maxFids;
    }

    /** The connections not yet closed. */
    public List<ServerConnection> connections() {
        return List.copyOf(live);
    }

    /** Closes every connection (each clunks its fids). */
    @Override
    public void close() {
        live.forEach(ServerConnection::close);
    }
}
