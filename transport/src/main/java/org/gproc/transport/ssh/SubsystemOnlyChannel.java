package org.gproc.transport.ssh;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.ChannelSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A "session" channel that accepts exactly one request: {@code subsystem} (which SSHD then resolves against the
 * server's subsystem factories, of which there is only {@code xcpu@gproc}). Every other channel request - shell,
 * exec, pty-req, env, x11-req, auth-agent-req, signal, break, window-change, anything vendor-specific - is answered
 * with a failure before SSHD's default handling (which would, for example, accept a pty) ever sees it.
 */
final class SubsystemOnlyChannel extends ChannelSession {

    // The server's logger, not this class's: SSHD's own channel code logs under this class's name (its close-time
    // warnings when a client leaves mid-reply), which Verbosity keeps at the libraries' level.
    private static final Logger LOG = LoggerFactory.getLogger(SshNodeServer.class);

    private static final AttributeRepository.AttributeKey<AtomicInteger> OPEN = new AttributeRepository.AttributeKey<>();

    /**
     * Session channels, at most {@code maxChannels} open at once per connection: one more is refused on its own
     * (SSH_OPEN_RESOURCE_SHORTAGE), and the connection with its other channels carries on.
     */
    static ChannelFactory factory(int maxChannels) {
        return new ChannelFactory() {
            @Override
            public String getName() {
                return "session";
            }

            @Override
            public Channel createChannel(Session session) {
                return new SubsystemOnlyChannel(maxChannels);
            }
        };
    }

    private final int maxChannels;

    private SubsystemOnlyChannel(int maxChannels) {
        // No per-channel request handlers (SSHD's default list carries a PuTTY compatibility handler).
        super(List.<RequestHandler<Channel>>of());
        this.maxChannels = maxChannels;
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
        AtomicInteger open = getSession().computeAttributeIfAbsent(OPEN, key -> new AtomicInteger());
        if (open.incrementAndGet() > maxChannels) {
            open.decrementAndGet();
            LOG.info("refused a channel on {}: {} channels are open, the limit per connection", getSession(),
                    maxChannels);
            DefaultOpenFuture refused = new DefaultOpenFuture(this, futureLock);
            refused.setException(new SshChannelOpenException(getChannelId(),
                    SshConstants.SSH_OPEN_RESOURCE_SHORTAGE, "too many channels (" + maxChannels
                    + " per connection)"));
            return refused;
        }
        addCloseFutureListener(closed -> open.decrementAndGet());
        return super.doInit(buffer);
    }

    @Override
    protected RequestHandler.Result handleInternalRequest(String type, boolean wantReply, Buffer buffer)
            throws IOException {
        if ("subsystem".equals(type)) {
            return super.handleInternalRequest(type, wantReply, buffer);
        }
        if (!"env".equals(type)) { // OpenSSH sends LANG/LC_* env requests by default; not worth a log line
            LOG.info("refused channel request '{}' on {} (only the xcpu@gproc subsystem is served)", Printable.of(type),
                    getSession());
        }
        return RequestHandler.Result.ReplyFailure;
    }

    @Override
    protected RequestHandler.Result handleSubsystemParsed(String request, String subsystem) throws IOException {
        if (!SshNodeServer.SUBSYSTEM.equals(subsystem)) {
            LOG.info("refused subsystem '{}' on {} (only {} is served)", Printable.of(subsystem), getSession(),
                    SshNodeServer.SUBSYSTEM);
            return RequestHandler.Result.ReplyFailure;
        }
        return super.handleSubsystemParsed(request, subsystem);
    }
}
