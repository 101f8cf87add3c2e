package org.gproc.transport.ssh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.future.SshFutureListener;
import org.apache.sshd.common.io.DefaultIoConnectFuture;
import org.apache.sshd.common.io.IoConnectFuture;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;

/**
 * SSHD's client, able to run a connection inside a {@link TunnelChannel} as well as over TCP. A connect whose
 * context carries {@link #TUNNEL} is given a {@link TunnelIoSession} on that channel instead of a socket; everything
 * after that - key exchange, our {@link KnownHostsVerifier} and {@link CertificateKex} checks, authentication - is the
 * same code as for a direct connection. (SSHD's own ProxyJump support forwards a local listening port instead, which
 * any local user could connect to while it is open, and checks every hop against one connection context.)
 */
final class TunnellingClient extends SshClient {

    /** The open channel a connection should run in, instead of a TCP connection to the target. */
    static final AttributeKey<TunnelChannel> TUNNEL = new AttributeKey<>();

    @Override
    public ConnectFuture connect(HostConfigEntry hostConfig, AttributeRepository context, SocketAddress localAddress)
            throws IOException {
        if (context == null || context.getAttribute(TUNNEL) == null) {
            return super.connect(hostConfig, context, localAddress);
        }
        // unresolved: the target's name means something at the gateway, perhaps nothing here
        return doConnect(hostConfig.getUsername(),
                InetSocketAddress.createUnresolved(hostConfig.getHostName(), hostConfig.getPort()), context, null,
                KeyIdentityProvider.EMPTY_KEYS_PROVIDER, hostConfig);
    }

    @Override
    protected IoConnector createConnector() {
        return new Connector(super.createConnector());
    }

    /** TCP through SSHD's connector, or a tunnel session when the context names a channel. */
    private final class Connector implements IoConnector {
        private final IoConnector tcp;

        Connector(IoConnector tcp) {
            this.tcp = tcp;
        }

        @Override
        public IoConnectFuture connect(SocketAddress target, AttributeRepository context, SocketAddress local) {
            TunnelChannel channel = context == null ? null : context.getAttribute(TUNNEL);
            if (channel == null) {
                return tcp.connect(target, context, local);
            }
            InetSocketAddress address = (InetSocketAddress) target;
            DefaultIoConnectFuture future = new DefaultIoConnectFuture(target, null);
            TunnelIoSession session = new TunnelIoSession(channel, getSessionFactory(), this,
                    address.getHostString(), address.getPort());
            session.setAttribute(AttributeRepository.class, context);
            try {
                getSessionFactory().sessionCreated(session);
                future.setSession(session);
                channel.attach(session);
            } catch (Exception e) {
                session.close(true);
                future.setException(e);
            }
            return future;
        }

        @Override
        public Map<Long, IoSession> getManagedSessions() {
            return tcp.getManagedSessions();
        }

        @Override
        public IoServiceEventListener getIoServiceEventListener() {
            return tcp.getIoServiceEventListener();
        }

        @Override
        public void setIoServiceEventListener(IoServiceEventListener listener) {
            tcp.setIoServiceEventListener(listener);
        }

        @Override
        public CloseFuture close(boolean immediately) {
            return tcp.close(immediately);
        }

        @Override
        public void addCloseFutureListener(SshFutureListener<CloseFuture> listener) {
            tcp.addCloseFutureListener(listener);
        }

        @Override
        public void removeCloseFutureListener(SshFutureListener<CloseFuture> listener) {
            tcp.removeCloseFutureListener(listener);
        }

        @Override
        public boolean isClosed() {
            return tcp.isClosed();
        }

        @Override
        public boolean isClosing() {
            return tcp.isClosing();
        }
    }
}
