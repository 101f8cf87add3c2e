package org.gproc.transport.ssh;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.channel.StreamingChannel;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.session.ConnectionService;
import org.gproc.transport.cert.Certificates;

/**
 * One connection attempt, from TCP connect (or a {@code direct-tcpip} channel through a gateway link) to an
 * authenticated session, with one deadline for all of it; what follows authentication is the subclass's (open the
 * subsystem for a node, nothing for a gateway). Every failure names the host and port, and the gateway when there
 * is one.
 */
abstract class ConnectAttempt<T> {
    final SshConnector connector;
    final String host;
    final int port;
    final GatewayLinks.Link through;
    final CompletableFuture<T> result;
    final AtomicReference<ClientSession> session = new AtomicReference<>();
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean holdsHandshake = new AtomicBoolean();
    private volatile Duration total;
    private volatile ScheduledFuture<?> deadline;
    private volatile TunnelChannel tunnel;
    volatile String phase;

    ConnectAttempt(SshConnector connector, String host, int port, GatewayLinks.Link through,
                   CompletableFuture<T> result) {
        this.connector = connector;
        this.host = host;
        this.port = port;
        this.through = through;
        this.result = result;
        this.phase = through == null ? "TCP connect" : "connecting to gateway " + through.gateway();
    }

    /** What this connects to, in messages ("the node", "the gateway"). */
    abstract String role();

    /** Called once the session is authenticated; completes or fails {@link #result}. */
    abstract void authenticatedSession(ClientSession s);

    /** Where messages start: the host and port, and the gateway in between. */
    String where() {
        return host + " port " + port + (through == null ? "" : " (through " + through + ")");
    }

    void begin(Duration total) {
        this.total = total;
        armDeadline();
        result.whenComplete((ch, e) -> {
            deadline.cancel(false);
            releaseHandshake();
            if (e != null) {
                releaseLink();
            }
        });
        if (through == null) {
            connect(null);
            return;
        }
        through.session.whenComplete((gateway, e) -> {
            if (e != null) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                fail(new IOException(host + " port " + port + ": through gateway " + cause.getMessage(), cause));
                return;
            }
            openTunnel(gateway);
        });
    }

    private void openTunnel(ClientSession gateway) {
        phase = "opening a channel through gateway " + through.gateway();
        try {
            TunnelChannel ch = new TunnelChannel(host, port);
            tunnel = ch;
            gateway.getService(ConnectionService.class).registerChannel(ch);
            OpenFuture of = ch.open();
            of.addListener(f -> {
                if (!f.isOpened()) {
                    Throwable e = f.getException();
                    fail(new IOException(where() + ": gateway " + through.gateway() + " would not forward to it: "
                            + openFailure(e), e));
                    return;
                }
                connect(ch);
            });
        } catch (IOException | RuntimeException e) {
            fail(new IOException(where() + ": cannot open a channel through gateway " + through.gateway() + ": "
                    + e.getMessage(), e));
        }
    }

    /** What a refused {@code direct-tcpip} open means (SSH servers send a reason code, and SSHD no text of ours). */
    private static String openFailure(Throwable e) {
        if (e instanceof SshChannelOpenException refused) {
            return switch (refused.getReasonCode()) {
                case SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED -> "administratively prohibited (the target"
                        + " is not a node the gateway forwards to, or our key may no longer use it; its audit log"
                        + " says which)";
                case SshConstants.SSH_OPEN_CONNECT_FAILED -> "the gateway could not connect to it ("
                        + refused.getMessage() + ")";
                default -> refused.getMessage();
            };
        }
        return e == null ? "cancelled" : e.getMessage();
    }

    /**
     * The attempt's deadline, from now: armed at the start (for the way to a gateway) and again when the
     * handshake's turn comes, so the time spent waiting for a slot is not charged to it.
     */
    private void armDeadline() {
        ScheduledFuture<?> earlier = deadline;
        deadline = connector.timer().schedule(() -> fail(new IOException(where() + ": timed out after "
                + seconds(total) + " during " + phase)), total.toMillis(), TimeUnit.MILLISECONDS);
        if (earlier != null) {
            earlier.cancel(false);
        }
    }

    private void connect(TunnelChannel ch) {
        phase = "the wait for a free handshake slot";
        deadline.cancel(false); // the wait is bounded by the handshakes ahead, each of which has its own time
        connector.handshakes().enter(() -> {
            holdsHandshake.set(true);
            if (result.isDone()) {
                releaseHandshake();
            } else {
                armDeadline();
            }
            handshake(ch);
        });
    }

    private void releaseHandshake() {
        if (holdsHandshake.compareAndSet(true, false)) {
            connector.handshakes().release();
        }
    }

    private void handshake(TunnelChannel ch) {
        if (result.isDone()) {
            if (ch != null) {
                ch.close(true);
            }
            return;
        }
        phase = ch == null ? "TCP connect" : "connecting through gateway " + through.gateway();
        Map<AttributeRepository.AttributeKey<?>, Object> context = new HashMap<>();
        context.put(KnownHostsVerifier.TARGET, new KnownHostsVerifier.Target(host, port));
        if (ch != null) {
            context.put(TunnellingClient.TUNNEL, ch);
        }
        try {
            ConnectFuture cf = connector.sshClient().connect(connector.username(), host, port,
                    AttributeRepository.ofAttributesMap(context), null);
            cf.addListener(this::connected);
        } catch (IOException | RuntimeException e) {
            fail(new IOException(where() + ": cannot connect: " + e.getMessage(), e));
        }
    }

    private void connected(ConnectFuture cf) {
        if (!cf.isConnected()) {
            Throwable e = cf.getException();
            String why = e == null ? "cancelled" : reason(e);
            fail(new IOException(where() + ": cannot connect: " + why, e));
            return;
        }
        ClientSession s = cf.getSession();
        session.set(s);
        s.addCloseFutureListener(f -> releaseLink());
        if (result.isDone()) {
            s.close(true);
            return;
        }
        phase = "key exchange and authentication";
        try {
            s.auth().addListener(this::authenticated);
        } catch (IOException | RuntimeException e) {
            fail(authFailure(s, e));
        }
    }

    private void authenticated(AuthFuture af) {
        releaseHandshake();
        ClientSession s = session.get();
        if (!af.isSuccess()) {
            fail(authFailure(s, af.getException()));
            return;
        }
        authenticatedSession(s);
    }

    private IOException authFailure(ClientSession s, Throwable e) {
        HostKeyException hostKey = s == null ? null : s.getAttribute(KnownHostsVerifier.REFUSAL);
        if (hostKey != null) {
            return through == null ? hostKey : new HostKeyException(hostKey, " (through " + through + ")");
        }
        if (s != null && s.getServerKey() != null && !s.isAuthenticated() && refusedEveryKey(e)) {
            return new AuthRefusedException(where() + ": " + role() + " refused our key " + connector.identityFingerprint()
                    + connector.certificate().map(c -> " and our user " + Certificates.describe(c))
                    .orElse("") + " (not in its authorized_keys"
                    + (connector.certificate().isEmpty() ? "" : ", not signed by a CA it trusts (--trusted-user-ca),"
                    + " expired or revoked") + ", or an option there forbids this login)", e);
        }
        String why = e == null ? "connection closed" : e.getMessage();
        if (s != null && s.getServerKey() != null && !s.isAuthenticated()) {
            // a busy node that hit its auth timeout, or one that hung up: not a verdict on our key
            return new IOException(where() + ": authentication did not complete: " + why, e);
        }
        return new IOException(where() + ": SSH handshake failed: " + why, e);
    }

    /** SSHD ends authentication this way only when the peer answered "failure" to every method and key offered. */
    private static boolean refusedEveryKey(Throwable e) {
        return e instanceof SshException ssh
                && ssh.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE;
    }

    void fail(IOException e) {
        if (result.completeExceptionally(e)) {
            ClientSession s = session.get();
            if (s != null) {
                s.close(true);
            }
            TunnelChannel ch = tunnel;
            if (ch != null) {
                ch.close(true);
            }
        }
    }

    /**
     * Whether this attempt holds one use of {@link #through} that it must give back. A node's attempt does; a
     * gateway's does not: {@link GatewayLinks} holds the previous hop for it and lets go when the link goes.
     */
    abstract boolean holdsLink();

    private void releaseLink() {
        if (through != null && holdsLink() && released.compareAndSet(false, true)) {
            connector.links().release(through);
        }
    }

    /** The innermost message of a failure, without the wrappers' type names ("Network is unreachable"). */
    private static String reason(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException
                || t.getMessage() == null) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** To a gateway: done once authenticated (the link's users open their channels on it). */
    static final class ToGateway extends ConnectAttempt<ClientSession> {
        ToGateway(SshConnector connector, JumpHost gateway, GatewayLinks.Link through,
                  CompletableFuture<ClientSession> result) {
            super(connector, gateway.host(), gateway.port(), through, result);
        }

        @Override
        String role() {
            return "the gateway";
        }

        @Override
        boolean holdsLink() {
            return false;
        }

        @Override
        void authenticatedSession(ClientSession s) {
            if (!result.complete(s)) {
                s.close(true);
            }
        }
    }

    /** To a node: once authenticated, the {@code xcpu@gproc} subsystem, then the frame channel on it. */
    static final class ToNode extends ConnectAttempt<SshFrameChannel> {
        ToNode(SshConnector connector, String host, int port, GatewayLinks.Link through,
               CompletableFuture<SshFrameChannel> result) {
            super(connector, host, port, through, result);
        }

        @Override
        String role() {
            return "the node";
        }

        @Override
        boolean holdsLink() {
            return true;
        }

        @Override
        void authenticatedSession(ClientSession s) {
            phase = "opening subsystem " + SshNodeServer.SUBSYSTEM;
            try {
                SshFrameChannel.XcpuClientChannel ch = new SshFrameChannel.XcpuClientChannel();
                ch.setStreaming(StreamingChannel.Streaming.Async);
                s.getService(ConnectionService.class).registerChannel(ch);
                OpenFuture of = ch.open();
                of.addListener(f -> opened(ch, f));
            } catch (IOException | RuntimeException e) {
                fail(new IOException(where() + ": cannot open a channel: " + e.getMessage(), e));
            }
        }

        private void opened(SshFrameChannel.XcpuClientChannel ch, OpenFuture of) {
            if (!of.isOpened()) {
                Throwable e = of.getException();
                fail(new IOException(where() + ": the node refused a session channel: "
                        + (e == null ? "cancelled" : e.getMessage()), e));
                return;
            }
            ch.accepted.whenComplete((ok, e) -> {
                if (!Boolean.TRUE.equals(ok)) {
                    fail(new IOException(where() + ": the node refused subsystem " + SshNodeServer.SUBSYSTEM
                            + " (is it a gprocd?)"));
                    return;
                }
                try {
                    SshFrameChannel channel = connector.frameChannel(host, port, session.get(), ch);
                    if (!result.complete(channel)) {
                        channel.close();
                    }
                } catch (RuntimeException re) {
                    fail(new IOException(where() + ": " + re, re));
                }
            });
        }
    }
}
