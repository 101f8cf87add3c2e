package org.gproc.transport.ssh;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SignatureException;
import java.time.Clock;
import java.util.List;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKey;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSHD's public-key user authentication with gproc's decision in front of it. Each request's key is decided by
 * {@link UserKeyAuthorizer} first; a refusal is answered (and reported) without SSHD's own checks, so the reason
 * recorded is ours. An accepted key is then handed to SSHD, whose {@link PublickeyAuthenticator} only confirms that
 * same decision ({@link #CONFIRM}) and which checks the client's signature over the session. Every verdict reaches
 * the {@link AuthListener} as described in {@link AuthEvent}.
 */
final class PublicKeyAuthFactory extends UserAuthPublicKeyFactory {

    private static final Logger LOG = LoggerFactory.getLogger(SshNodeServer.class);

    /** The identity of an authenticated connection (set once, on the accepted signed request). */
    static final AttributeKey<UserKeyAuthorizer.Verdict> IDENTITY = new AttributeKey<>();
    /** The key (or certificate) that authenticated the connection, so a gateway can judge it again later. */
    static final AttributeKey<PublicKey> AUTHENTICATED_KEY = new AttributeKey<>();

    /** The verdict for the request being handled, so {@link #CONFIRM} answers exactly what we decided. */
    private static final AttributeKey<PendingKey> PENDING = new AttributeKey<>();

    private record PendingKey(byte[] blob) {
    }

    /** The server's authenticator: accepts only the key whose request {@link Auth} is handling and accepted. */
    static final PublickeyAuthenticator CONFIRM = (username, key, session) -> {
        PendingKey pending = session.getAttribute(PENDING);
        return pending != null && MessageDigest.isEqual(pending.blob(), Keys.blob(key));
    };

    /** Told when a connection authenticates (after the SSH signature verified). */
    interface AcceptedHook {
        void accepted(ServerSession session, UserKeyAuthorizer.Verdict verdict);
    }

    private final UserKeyAuthorizer authorizer;
    private final AuthListener listener;
    private final AcceptedHook accepted;
    private final Clock clock;

    PublicKeyAuthFactory(List<NamedFactory<Signature>> signatures, UserKeyAuthorizer authorizer,
                         AuthListener listener, AcceptedHook accepted, Clock clock) {
        super(signatures);
        this.authorizer = authorizer;
        this.listener = listener;
        this.accepted = accepted;
        this.clock = clock;
    }

    @Override
    public UserAuthPublicKey createUserAuth(ServerSession session) {
        return new Auth(getSignatureFactories());
    }

    private final class Auth extends UserAuthPublicKey {

        Auth(List<NamedFactory<Signature>> signatures) {
            super(signatures);
        }

        @Override
        public Boolean doAuth(Buffer buffer, boolean init) throws Exception {
            ServerSession session = getServerSession();
            String username = getUsername();
            InetSocketAddress remote = remote(session);
            int start = buffer.rpos();
            String algorithm = null;
            byte[] blob = null;
            PublicKey key;
            try {
                buffer.getBoolean();
                algorithm = buffer.getString();
                blob = buffer.getBytes();
                key = new ByteArrayBuffer(blob).getRawPublicKey();
            } catch (Exception malformed) {
                refuse(session, username, remote, blob == null ? "(none)" : Keys.fingerprint(blob),
                        String.valueOf(algorithm), null, AuthEvent.MALFORMED,
                        "unreadable public key request (" + malformed.getMessage() + ")");
                return Boolean.FALSE;
            } finally {
                buffer.rpos(start);
            }
            if (remote == null) {
                refuse(session, username, null, Keys.fingerprint(blob), String.valueOf(algorithm), null,
                        AuthEvent.NOT_AUTHORIZED, "the peer is not a TCP client (from= could not be checked)");
                return Boolean.FALSE;
            }
            UserKeyAuthorizer.Verdict verdict = authorizer.decide(username, key, remote.getAddress());
            if (!verdict.accepted()) {
                refuse(session, username, remote, verdict, verdict.rule(), verdict.detail());
                return Boolean.FALSE;
            }
            String unavailable = listener == null ? null : listener.refusal();
            if (unavailable != null) {
                refuse(session, username, remote, verdict, AuthEvent.AUDIT_UNAVAILABLE,
                        "login refused: " + unavailable);
                return Boolean.FALSE;
            }
            Boolean result;
            session.setAttribute(PENDING, new PendingKey(Keys.blob(key)));
            try {
                result = super.doAuth(buffer, init);
            } catch (SignatureException e) {
                refuse(session, username, remote, verdict, AuthEvent.KEY_SIGNATURE,
                        "the signature does not prove possession of the key");
                throw e;
            } catch (Exception e) {
                refuse(session, username, remote, verdict, AuthEvent.MALFORMED, e.toString());
                throw e;
            } finally {
                session.removeAttribute(PENDING);
            }
            if (result == null) {
                return null; // "would this key do?" answered yes; the signed request that follows is the verdict
            }
            if (!result) {
                // SSHD's own certificate checks are weaker than ours; this only happens at a validity boundary
                refuse(session, username, remote, verdict, AuthEvent.NOT_AUTHORIZED, "refused by SSHD's checks");
                return Boolean.FALSE;
            }
            session.setAttribute(IDENTITY, verdict);
            session.setAttribute(AUTHENTICATED_KEY, key);
            LOG.debug("accepted {} {} as {} for user '{}' from {}", verdict.keyType(), verdict.fingerprint(),
                    verdict.principal(), Printable.of(username), remote);
            fire(new AuthEvent(clock.instant(), true, verdict.principal(), verdict.fingerprint(), verdict.keyType(),
                    serial(verdict), keyId(verdict), username, remote, null));
            accepted.accepted(session, verdict);
            return Boolean.TRUE;
        }

        private void refuse(ServerSession session, String username, InetSocketAddress remote,
                            UserKeyAuthorizer.Verdict verdict, String rule, String detail) {
            refuse(session, username, remote, verdict.fingerprint(), verdict.keyType(), verdict, rule, detail);
        }

        private void refuse(ServerSession session, String username, InetSocketAddress remote, String fingerprint,
                            String keyType, UserKeyAuthorizer.Verdict verdict, String rule, String detail) {
            LOG.info("refused {} {} for user '{}' from {}: {}: {}", Printable.of(keyType), fingerprint,
                    Printable.of(username), remote == null ? session.getIoSession().getRemoteAddress() : remote,
                    rule, detail);
            fire(new AuthEvent(clock.instant(), false, null, fingerprint, keyType,
                    verdict == null ? null : serial(verdict), verdict == null ? null : keyId(verdict), username,
                    remote, rule));
        }
    }

    private void fire(AuthEvent event) {
        if (listener == null) {
            return;
        }
        try {
            listener.onAuth(event);
        } catch (RuntimeException e) {
            LOG.error("auth listener failed on {} (the verdict stands): {}", event, e.toString(), e);
        }
    }

    private static Long serial(UserKeyAuthorizer.Verdict v) {
        return v.certificate() == null ? null : v.certificate().getSerial();
    }

    private static String keyId(UserKeyAuthorizer.Verdict v) {
        return v.certificate() == null ? null : v.certificate().getId();
    }

    private static InetSocketAddress remote(ServerSession session) {
        SocketAddress a = session.getIoSession().getRemoteAddress();
        return a instanceof InetSocketAddress isa && isa.getAddress() instanceof InetAddress ? isa : null;
    }
}
