package org.gproc.daemon.relay;

import org.gproc.daemon.audit.AuditLog;
import org.gproc.daemon.proc.BlobCache;
import org.gproc.daemon.session.CtlCommand;
import org.gproc.daemon.session.VirtualNode;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ssh.Keys;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's relay: the children written to its {@code /n/ctl}, each reached over one SSH connection made by
 * {@link RelayConnector}, a few handshakes at a time ({@link ChildDialer}). A {@code child} line naming a known child with the same target and key is a no-op (it
 * waits for that child's connection); a different target or key for a child whose connection is up or still being
 * made is refused; a child whose connection failed or was lost is replaced. Every line is audited with the principal
 * that wrote it, accepted or refused, and so is a connection that fails; while the audit log cannot be written,
 * every write is refused with the log's reason.
 */
public final class Relay implements AutoCloseable {
    private final VirtualNode node;
    private final ChildDialer dialer;
    private final RelayTargets allowed;
    private final Map<String, ChildLink> children = new LinkedHashMap<>(); // guarded by this
    private final AtomicLong pushes = new AtomicLong();
    private final AtomicLong pushedBytes = new AtomicLong();
    private final BlobFeeder.Source blobs;
    private final ChildEvents events = new ChildEvents();

    Relay(VirtualNode node, ChildDialer dialer, RelayTargets allowed) {
        this.node = node;
        this.dialer = dialer;
        this.allowed = allowed;
        this.blobs = new BlobFeeder.Source() {
            @Override
            public BlobCache cache() throws NinePException {
                return node.cache();
            }

            @Override
            public void pushed(long bytes) {
                pushes.incrementAndGet();
                pushedBytes.addAndGet(bytes);
            }
        };
    }

    /**
     * Carries out one write to {@code /n/ctl} by {@code principal} (acting through {@code via}, or null):
     * completes when every child it names is connected, or fails naming each that is not and why.
     */
    CompletableFuture<Void> apply(String principal, String via, String text) {
        String unrecordable = node.services().audit().refusalOf("/n/ctl");
        if (unrecordable != null) { // fail closed, as for the node's own ctl: nothing done that the log cannot record
            audit(principal, via, null, null).refused(unrecordable).ifWritable().log();
            return CompletableFuture.failedFuture(new NinePException(unrecordable));
        }
        List<CtlCommand<RelayVerb>> commands;
        try {
            commands = CtlCommand.parseAll("/n/ctl", RelayVerb.values(), text);
        } catch (NinePException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (CtlCommand<RelayVerb> c : commands) {
            if (c.verb() == RelayVerb.FEED) {
                waits.add(feed(c.arg(0), c.arg(1)).handle((v, e) -> {
                    if (e != null) {
                        synchronized (failures) {
                            failures.add(ChildLink.cause(e).getMessage());
                        }
                    }
                    return null;
                }));
                continue;
            }
            ChildTarget t;
            try {
                t = ChildTarget.parse(c.args());
                if (allowed != null) {
                    allowed.check(t);
                }
            } catch (NinePException e) {
                audit(principal, via, c.args().isEmpty() ? null : c.args().get(0), null).refused(e.getMessage())
                        .log();
                return CompletableFuture.failedFuture(e);
            }
            CompletableFuture<NinePClient> connected;
            try {
                connected = place(t, principal, via);
            } catch (NinePException e) {
                return CompletableFuture.failedFuture(e);
            }
            waits.add(connected.handle((client, e) -> {
                if (e != null) {
                    String why = ChildLink.cause(e).getMessage();
                    synchronized (failures) {
                        failures.add(why);
                    }
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).thenApply(v -> {
            if (!failures.isEmpty()) {
                throw new CompletionException(new NinePException(String.join("; ", failures)));
            }
            return null;
        });
    }

    /**
     * {@code feed NAME HASH}: child NAME gets blob HASH from this relay's cache, the way a {@code link} line through
     * the relay would give it, without a session; the answer comes once the child holds it. A preload to the nodes
     * under a relay thus crosses the link to the relay once (an upper relay gives this one HASH first: it sees the
     * line on its way down, as it sees {@code link} lines).
     */
    private CompletableFuture<Void> feed(String name, String hash) {
        try {
            BlobCache.checkName(hash);
        } catch (NinePException e) {
            return CompletableFuture.failedFuture(new NinePException("/n/ctl: feed " + name + ": " + e.getMessage()));
        }
        ChildLink link = child(name);
        if (link == null) {
            return CompletableFuture.failedFuture(new NinePException("/n/ctl: feed: no child '" + name
                    + "' (write a child line for it first)"));
        }
        try {
            BlobCache cache = blobs.cache();
            if (cache.arriving(hash) == null && cache.file(hash) == null) {
                return CompletableFuture.failedFuture(new NinePException("/n/ctl: feed " + name + ": this relay"
                        + " has no blob " + hash + " in its cache nor an upload of it under way (push it here first)"));
            }
        } catch (NinePException e) {
            return CompletableFuture.failedFuture(e);
        }
        return link.feeder().give(hash);
    }

    /**
     * Puts child {@code t} in place and returns its connection as it comes: a failed one is audited before the
     * returned stage completes, so the ctl write that waits on it never answers ahead of its audit line.
     */
    private CompletableFuture<NinePClient> place(ChildTarget t, String principal, String via) throws NinePException {
        ChildLink link;
        synchronized (this) {
            ChildLink known = children.get(t.name());
            if (known != null && known.inUse()) {
                if (known.target.sameAs(t)) {
                    audit(principal, via, t.name(), t).field("change", "none").accepted().log();
                    return known.connected();
                }
                String reason = "/n/ctl: child " + t.name() + " is connected to " + known.target.address()
                        + " with key " + fingerprint(known.target) + "; another target or key is refused while it is"
                        + " in use";
                audit(principal, via, t.name(), t).refused(reason).log();
                throw new NinePException(reason);
            }
            link = new ChildLink(t, dialer.dial(t), blobs);
            children.put(t.name(), link);
            ChildLink placed = link;
            link.closedAfterUp().thenRun(() -> {
                if (child(t.name()) == placed) {
                    events.lost(t);
                }
            });
            if (known != null) {
                known.close();
            }
        }
        audit(principal, via, t.name(), t).accepted().log();
        return link.connected().whenComplete((c, e) -> {
            if (e != null) {
                audit(principal, via, t.name(), t).field("outcome", "failed")
                        .field("reason", ChildLink.cause(e).getMessage()).log();
            }
        });
    }

    private AuditLog.Event audit(String principal, String via, String child, ChildTarget t) {
        AuditLog.Event e = node.audit("relay-child").field("principal", principal);
        if (via != null) {
            e.field("via", via);
        }
        e.field("child", child);
        if (t != null) {
            e.field("target", t.address()).field("key", (t.certAuthority() ? "@cert-authority " : "")
                    + fingerprint(t));
        }
        return e;
    }

    private static String fingerprint(ChildTarget t) {
        try {
            return Keys.fingerprint(Base64.getDecoder().decode(t.keyBase64()));
        } catch (IllegalArgumentException e) {
            return "?";
        }
    }

    /** The child called {@code name}, or null. */
    synchronized ChildLink child(String name) {
        return children.get(name);
    }

    synchronized List<ChildLink> children() {
        return List.copyOf(children.values());
    }

    /** What {@code /n/ctl} reads: one line per child, {@code NAME HOST:PORT state}. */
    String status() {
        StringBuilder text = new StringBuilder();
        for (ChildLink c : children()) {
            CompletableFuture<?> up = c.connected();
            String state = !up.isDone() ? "connecting" : !up.isCompletedExceptionally() ? "up"
                    : "down: " + up.handle((v, e) -> ChildLink.cause(e).getMessage()).join();
            text.append(c.name()).append(' ').append(c.target.address()).append(' ').append(state).append('\n');
        }
        return text.toString();
    }

    /** Blobs pushed to children, and their bytes (each blob crosses each link once). */
    public long pushes() {
        return pushes.get();
    }

    public long pushedBytes() {
        return pushedBytes.get();
    }

    VirtualNode node() {
        return node;
    }

    /** {@code n/events}: the children whose connection closed, as they close. */
    ChildEvents events() {
        return events;
    }

    @Override
    public void close() {
        events.close();
        children().forEach(ChildLink::close);
    }
}
