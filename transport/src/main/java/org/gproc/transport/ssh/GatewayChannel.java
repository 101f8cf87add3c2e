package org.gproc.transport.ssh;

import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.time.Clock;

import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.ForwardingFilter;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.server.forward.TcpipServerChannel;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway's {@code direct-tcpip} channel: before SSHD's forwarding code sees the request, it is judged here - the
 * connection must be authenticated, its key must still pass authorization now (a key revoked or removed from
 * authorized_keys since login is refused), the target must be a node of {@link GatewayTargets}, and the listener must
 * be able to record it ({@link JumpListener#refusal()}: fail closed) - then audited, and, when allowed, rewritten to the node's resolved address so SSHD connects exactly where the verdict points.
 * The forwarding filter ({@link #FILTER}) checks the rewritten address once more and refuses everything else.
 */
final class GatewayChannel extends TcpipServerChannel {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayChannel.class);

    /** Everything a gateway channel needs to judge a request. */
    record Policy(GatewayTargets targets, JumpListener listener, UserKeyAuthorizer authorizer, Clock clock) {
    }

    static ChannelFactory factory(Policy policy) {
        return new ChannelFactory() {
            @Override
            public String getName() {
                return TcpForwardingFilter.Type.Direct.getName();
            }

            @Override
            public Channel createChannel(Session session) {
                return new GatewayChannel(policy);
            }
        };
    }

    /**
     * Direct connections only, to an address the targets accept, on an authenticated connection; no listening
     * ports, agent or X11, ever.
     */
    static ForwardingFilter filter(GatewayTargets targets) {
        return new ForwardingFilter() {
            @Override
            public boolean canForwardAgent(Session session, String requestType) {
                return false;
            }

            @Override
            public boolean canForwardX11(Session session, String requestType) {
                return false;
            }

            @Override
            public boolean canListen(SshdSocketAddress address, Session session) {
                return false;
            }

            @Override
            public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
                return type == Type.Direct && session.isAuthenticated()
                        && session.getAttribute(PublicKeyAuthFactory.IDENTITY) != null
                        && targets.decide(address.getHostName(), address.getPort()).allowed();
            }
        };
    }

    private final Policy policy;

    private GatewayChannel(Policy policy) {
        super(TcpForwardingFilter.Type.Direct, null);
        this.policy = policy;
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
        int start = buffer.rpos();
        String host = buffer.getString();
        int port = buffer.getInt();
        String originatorHost = buffer.getString();
        int originatorPort = buffer.getInt();
        buffer.rpos(start);

        ServerSession session = (ServerSession) getSession();
        UserKeyAuthorizer.Verdict identity = session.getAttribute(PublicKeyAuthFactory.IDENTITY);
        InetSocketAddress remote = session.getIoSession().getRemoteAddress() instanceof InetSocketAddress a ? a : null;
        String requested = Printable.of(host) + ":" + port;
        String refusal = null;
        GatewayTargets.Decision decision = null;
        if (!session.isAuthenticated() || identity == null || !identity.accepted()) {
            refusal = "the connection is not authenticated";
        } else {
            UserKeyAuthorizer.Verdict now = reauthorize(session, remote);
            if (!now.accepted()) {
                refusal = "principal " + identity.principal() + " is no longer authorized: " + now.detail();
            } else {
                decision = policy.targets().decide(host, port);
                refusal = decision.refusal();
                if (refusal == null && policy.listener() != null) {
                    refusal = policy.listener().refusal();
                }
            }
        }
        String principal = identity == null ? null : identity.principal();
        String node = decision == null || decision.node() == null ? null : decision.node().name();
        String address = refusal == null ? decision.address().getAddress().getHostAddress() + ":" + port : null;
        fire(new JumpEvent(policy.clock().instant(), principal, identity == null ? null : identity.fingerprint(),
                remote, requested, node, address, refusal));
        if (refusal != null) {
            LOG.info("refused direct-tcpip to {} for {} from {}: {}", requested, principal, remote, refusal);
            OpenFuture f = new DefaultOpenFuture(this, this);
            try {
                f.setException(new SshChannelOpenException(getChannelId(),
                        SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, "gateway: " + refusal));
            } finally {
                close(true);
            }
            return f;
        }
        LOG.info("jump: {} from {} to {} ({})", principal, remote, node, address);
        ByteArrayBuffer rewritten = new ByteArrayBuffer();
        rewritten.putString(decision.address().getAddress().getHostAddress());
        rewritten.putInt(port);
        rewritten.putString(originatorHost);
        rewritten.putInt(originatorPort);
        return super.doInit(rewritten);
    }

    /** The connection's key judged again now, against today's authorized_keys, CA and revocation list. */
    private UserKeyAuthorizer.Verdict reauthorize(ServerSession session, InetSocketAddress remote) {
        PublicKey key = session.getAttribute(PublicKeyAuthFactory.AUTHENTICATED_KEY);
        if (key == null || remote == null) {
            return new UserKeyAuthorizer.Verdict(null, "(none)", "(none)", null, AuthEvent.NOT_AUTHORIZED,
                    "the connection's key is unknown");
        }
        return policy.authorizer().decide(session.getUsername(), key, remote.getAddress());
    }

    private void fire(JumpEvent event) {
        JumpListener listener = policy.listener();
        if (listener == null) {
            return;
        }
        try {
            listener.onJump(event);
        } catch (RuntimeException e) {
            LOG.warn("jump listener failed on {}: {}", event, e.toString());
        }
    }
}
