package org.gproc.transport.ssh;

import java.io.IOException;
import java.util.List;

import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.RequestHandler;
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

    static final ChannelFactory FACTORY = new ChannelFactory() {
        @Override
        public String getName() {
            return "session";
        }

        @Override
        public Channel createChannel(Session session) {
            return new SubsystemOnlyChannel();
        }
    };

    private SubsystemOnlyChannel() {
        // No per-channel request handlers (SSHD's default list carries a PuTTY compatibility handler).
        super(List.<RequestHandler<Channel>>of());
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
