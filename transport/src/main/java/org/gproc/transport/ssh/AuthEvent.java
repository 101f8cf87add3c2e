package org.gproc.transport.ssh;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * One authentication verdict of {@link SshNodeServer}, for audit logs. Strings that came from the peer
 * ({@code sshUser}, {@code certKeyId}, {@code keyType}, {@code method}) are as received, whatever their length:
 * bound and escape them before writing them anywhere.
 *
 * <p>One event per verdict: every signed request (accepted, or refused for any reason, including a signature that
 * does not verify) and every refused signature-less probe ("would this key do?"). A probe that is answered "yes"
 * fires nothing, because it proves nothing; the signed request that follows fires the verdict. So a refused key
 * gives exactly one event per attempt and a successful login exactly one accepted event. Every request for another
 * method ({@code none}, {@code password}, {@code keyboard-interactive}, {@code hostbased}, or any name a client
 * invents) is one refused event with reason {@link #METHOD}, no key, and the method as the client named it; a request
 * past the per-connection limit is one refused event with reason {@link #TOO_MANY_ATTEMPTS} before the connection is
 * closed.
 *
 * @param time           when the verdict was reached
 * @param accepted       whether the request authenticated the connection
 * @param principal      the identity the connection acts as (authorized_keys comment or certificate principal);
 *                       null when refused
 * @param keyFingerprint {@code SHA256:...} of the key proved (for a certificate, of its key, as {@code ssh-keygen
 *                       -l} and OpenSSH's sshd print it); of the raw blob when it could not be parsed; null when no
 *                       key was judged (another method, or a request past the attempt limit)
 * @param keyType        the presented key's type, e.g. {@code ssh-ed25519} or
 *                       {@code ssh-ed25519-cert-v01@openssh.com}
 * @param certSerial     the certificate's serial (unsigned: print with {@link Long#toUnsignedString(long)}); null for
 *                       a plain key
 * @param certKeyId      the certificate's key id; null for a plain key
 * @param sshUser        the user name the client asked for; never an identity
 * @param remote         the client's address
 * @param reason         null when accepted; else the rule broken: a
 *                       {@link org.gproc.transport.cert.CertificateRefusedException.Rule} name for a refused
 *                       certificate ({@code EXPIRED}, {@code NOT_YET_VALID}, {@code CERTIFICATE_TYPE},
 *                       {@code CRITICAL_OPTION}, {@code SIGNATURE}, {@code UNTRUSTED_CA}, {@code REVOKED},
 *                       {@code PRINCIPALS}, {@code KEY_TYPE}), or one of {@link #NOT_AUTHORIZED}, {@link #REVOKED},
 *                       {@link #KEY_SIGNATURE}, {@link #MALFORMED}, {@link #METHOD}, {@link #TOO_MANY_ATTEMPTS},
 *                       {@link #AUDIT_UNAVAILABLE}
 * @param method         the authentication method the client asked for ({@code publickey} for every key verdict)
 */
public record AuthEvent(Instant time, boolean accepted, String principal, String keyFingerprint, String keyType,
        Long certSerial, String certKeyId, String sshUser, InetSocketAddress remote, String reason, String method) {

    public static final String PUBLICKEY = "publickey";

    /** A plain key that is not in authorized_keys, or whose entry's restrictions (from=, expiry-time=) refuse it. */
    public static final String NOT_AUTHORIZED = "NOT_AUTHORIZED";
    /** A plain key listed in the revocation file. */
    public static final String REVOKED = "REVOKED";
    /** The client did not prove it holds the key: its signature over the session does not verify. */
    public static final String KEY_SIGNATURE = "KEY_SIGNATURE";
    /** The request could not be parsed (unknown key type, truncated blob, ...). */
    public static final String MALFORMED = "MALFORMED";
    /** A method other than publickey: gprocd offers none. */
    public static final String METHOD = "METHOD";
    /** More requests on one connection than {@link SshNodeServer.Builder#maxAuthAttempts(int)} allows. */
    public static final String TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS";
    /** A key that would have been accepted, refused because the login could not be recorded (fail closed). */
    public static final String AUDIT_UNAVAILABLE = "AUDIT_UNAVAILABLE";

    /** A public-key verdict. */
    public AuthEvent(Instant time, boolean accepted, String principal, String keyFingerprint, String keyType,
                     Long certSerial, String certKeyId, String sshUser, InetSocketAddress remote, String reason) {
        this(time, accepted, principal, keyFingerprint, keyType, certSerial, certKeyId, sshUser, remote, reason,
                PUBLICKEY);
    }

    public AuthEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(method, "method");
        if (keyFingerprint == null && accepted) {
            throw new IllegalArgumentException("AuthEvent: an accepted login names its key's fingerprint");
        }
        if (accepted != (reason == null) || accepted != (principal != null)) {
            throw new IllegalArgumentException("AuthEvent: an accepted event has a principal and no reason, a refused"
                    + " one a reason and no principal (accepted=" + accepted + ", principal=" + principal
                    + ", reason=" + reason + ")");
        }
    }
}
