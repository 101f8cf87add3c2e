package org.gproc.transport.ssh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.Service;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.server.session.ServerUserAuthService;
import org.apache.sshd.server.session.ServerUserAuthServiceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts user-authentication requests per connection, whatever the client sends between them, and reports every
 * request for a method gprocd does not offer. SSHD keeps its count in the {@code ssh-userauth} service object, and a
 * client that asks for that service again before each try gets a new object and a fresh count (40 refusals and a
 * success on one connection, at 1,500 tries a second); our count is an attribute of the connection itself, which no
 * service request resets. As OpenSSH's MaxAuthTries, a connection's first request is free when it is {@code none}
 * (clients send it to learn the methods); the request past the limit is refused and the connection closed.
 */
final class AuthAttempts extends ServerUserAuthServiceFactory {

    private static final Logger LOG = LoggerFactory.getLogger(SshNodeServer.class);

    /** Requests counted on this connection (survives every ssh-userauth service request). */
    static final AttributeKey<AtomicInteger> COUNT = new AttributeKey<>();
    /** Set once the client asked for a real method (anything but {@code none}): closing then is an auth failure. */
    static final AttributeKey<Boolean> TRIED = new AttributeKey<>();
    /** Set when the limit was passed: whatever the client sent meanwhile is ignored until the connection closes. */
    private static final AttributeKey<Boolean> CUT_OFF = new AttributeKey<>();

    private final int max;
    private final AuthListener listener;
    private final Clock clock;

    AuthAttempts(int max, AuthListener listener, Clock clock) {
        this.max = max;
        this.listener = listener;
        this.clock = clock;
    }

    @Override
    public Service create(Session session) throws IOException {
        return new Counting(session);
    }

    /** Whether the client asked for any method but {@code none} on this connection. */
    static boolean tried(Session session) {
        return Boolean.TRUE.equals(session.getAttribute(TRIED));
    }

    private final class Counting extends ServerUserAuthService {
        Counting(Session session) throws IOException {
            super(session);
        }

        @Override
        public synchronized void process(int cmd, Buffer buffer) throws Exception {
            ServerSession session = getServerSession();
            if (session.isClosing() || session.isClosed() || session.getAttribute(CUT_OFF) != null) {
                return; // requests that were in flight when we disconnected: no further verdicts, no further lines
            }
            if (cmd == SshConstants.SSH_MSG_USERAUTH_REQUEST && !session.isAuthenticated()) {
                int start = buffer.rpos();
                String user;
                String method;
                try {
                    user = buffer.getString();
                    buffer.getString(); // the service the client wants next; SSHD checks it
                    method = buffer.getString();
                } finally {
                    buffer.rpos(start);
                }
                AtomicInteger count = session.getAttribute(COUNT);
                boolean first = count == null;
                if (first) {
                    count = new AtomicInteger();
                    session.setAttribute(COUNT, count);
                }
                if (!"none".equals(method)) {
                    session.setAttribute(TRIED, Boolean.TRUE);
                }
                int n = first && "none".equals(method) ? 0 : count.incrementAndGet();
                if (n > max) {
                    session.setAttribute(CUT_OFF, Boolean.TRUE); // disconnect() closes only once its message is out
                    fire(session, user, method, AuthEvent.TOO_MANY_ATTEMPTS);
                    LOG.info("closing the connection from {}: request {} for user '{}' is past the limit of {}"
                            + " (maxAuthAttempts)", session.getIoSession().getRemoteAddress(), n,
                            Printable.of(user), max);
                    session.disconnect(SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
                            "Too many authentication attempts: " + n + " (at most " + max + " per connection)");
                    return;
                }
                if (!AuthEvent.PUBLICKEY.equals(method)) {
                    fire(session, user, method, AuthEvent.METHOD);
                }
            }
            super.process(cmd, buffer);
        }
    }

    private void fire(ServerSession session, String user, String method, String reason) {
        if (listener == null) {
            return;
        }
        InetSocketAddress remote = session.getIoSession().getRemoteAddress() instanceof InetSocketAddress isa
                ? isa : null;
        try {
            listener.onAuth(new AuthEvent(clock.instant(), false, null, null, null, null, null, user, remote, reason,
                    method));
        } catch (RuntimeException e) {
            LOG.error("auth listener failed on a {} request (the verdict stands): {}", Printable.of(method),
                    e.toString(), e);
        }
    }
}
