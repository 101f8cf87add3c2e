package org.gproc.transport.ssh;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * Told of every authentication verdict (see {@link AuthEvent} for which requests fire) and of every connection closed
 * because its key was revoked while it was open. Called on SSH I/O threads while the client waits for the answer: it
 * must not block (hand the event to a queue or append to an already open file). An exception it throws is logged and
 * changes nothing about the verdict.
 */
@FunctionalInterface
public interface AuthListener {
    void onAuth(AuthEvent event);

    /**
     * Why no login may be accepted now (e.g. the audit log that must record it cannot be written), or null. Asked
     * before each key that would be accepted; a non-null answer refuses it with {@link AuthEvent#AUDIT_UNAVAILABLE}.
     */
    default String refusal() {
        return null;
    }

    /**
     * A connection was closed because today's rules would not let it in: the revocation file now names its key or
     * certificate, or its key's authorized_keys line is gone or changed.
     */
    default void onRevoked(Revoked event) {
    }

    /**
     * @param principal      who the connection acted as
     * @param keyFingerprint the key (for a certificate, its key) that is now revoked
     * @param remote         the client's address
     * @param revocation     why, e.g. {@code key SHA256:... is revoked in FILE} or
     *                       {@code FILE does not list it} (authorized_keys)
     */
    record Revoked(Instant time, String principal, String keyFingerprint, InetSocketAddress remote,
                   String revocation) {
    }
}
