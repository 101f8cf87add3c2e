package org.gproc.transport.ssh;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A node's host key could not be trusted: it is not in known_hosts (and the policy is {@link HostKeyPolicy#STRICT}),
 * it differs from the one known_hosts lists, or it is marked {@code @revoked}. The message names the host, port,
 * presented fingerprint and, when a line decided it, that line.
 */
public final class HostKeyException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String host;
    private final int port;
    private final String presentedFingerprint;
    private final KnownHosts.Status status;
    private final transient KnownHosts.Entry entry;

    HostKeyException(String host, int port, String keyType, String presentedFingerprint, Path knownHosts,
            KnownHosts.Verdict verdict) {
        super(message(host, port, keyType, presentedFingerprint, knownHosts, verdict));
        this.host = host;
        this.port = port;
        this.presentedFingerprint = presentedFingerprint;
        this.status = verdict.status();
        this.entry = verdict.entry();
    }

    private static String message(String host, int port, String type, String fp, Path file, KnownHosts.Verdict v) {
        String where = host + " port " + port + ": ";
        return switch (v.status()) {
            case UNKNOWN -> where + "host key " + fp + " (" + type + ") is not in known_hosts " + file
                    + "; verify that fingerprint with the node's administrator, then connect once with"
                    + " HostKeyPolicy.ACCEPT_NEW (or add the node's key to the file)";
            case MISMATCH -> where + "HOST KEY MISMATCH: the node presented " + fp + " (" + type + ") but "
                    + file + " line " + v.entry().lineNumber() + " expects " + v.entry().fingerprint() + ": '"
                    + v.entry().line() + "'. Someone may be intercepting this connection; if the node's key was"
                    + " changed on purpose, remove line " + v.entry().lineNumber() + " and accept the new key";
            case REVOKED -> where + "host key " + fp + " (" + type + ") is revoked by " + file + " line "
                    + v.entry().lineNumber() + ": '" + v.entry().line() + "'";
            case TRUSTED -> throw new IllegalArgumentException("a trusted key is not an error");
        };
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The {@code SHA256:} fingerprint of the key the node presented. */
    public String presentedFingerprint() {
        return presentedFingerprint;
    }

    /** UNKNOWN, MISMATCH or REVOKED. */
    public KnownHosts.Status status() {
        return status;
    }

    /** The known_hosts line that decided a MISMATCH or REVOKED, else null. */
    public KnownHosts.Entry entry() {
        return entry;
    }
}
