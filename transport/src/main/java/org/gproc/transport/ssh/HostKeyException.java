package org.gproc.transport.ssh;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import org.gproc.transport.cert.CertificateRefusedException;

/**
 * A node's host key could not be trusted: it is not in known_hosts (and the policy is {@link HostKeyPolicy#STRICT}),
 * it differs from the one known_hosts lists, it is marked {@code @revoked}, or a {@code @cert-authority} line covers
 * the host and the node's host certificate broke a rule (or it presented none). The message names the host, port,
 * presented fingerprint, for a certificate its key id, serial and the rule it broke, and the line that decided.
 */
public final class HostKeyException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String host;
    private final int port;
    private final String presentedFingerprint;
    private final KnownHosts.Status status;
    private final transient KnownHosts.Entry entry;
    private final CertificateRefusedException.Rule rule;

    HostKeyException(String host, int port, String keyType, String presentedFingerprint, Path knownHosts,
            KnownHosts.Verdict verdict) {
        super(message(host, port, keyType, presentedFingerprint, knownHosts, verdict));
        this.host = host;
        this.port = port;
        this.presentedFingerprint = presentedFingerprint;
        this.status = verdict.status();
        this.entry = verdict.entry();
        this.rule = verdict.refusal() == null ? null : verdict.refusal().rule();
        if (verdict.refusal() != null) {
            initCause(verdict.refusal());
        }
    }

    /** The same refusal, its message saying which gateway the connection went through ({@code via}). */
    HostKeyException(HostKeyException refused, String via) {
        super(refused.host + " port " + refused.port + via + refused.getMessage()
                .substring((refused.host + " port " + refused.port).length()), refused.getCause());
        this.host = refused.host;
        this.port = refused.port;
        this.presentedFingerprint = refused.presentedFingerprint;
        this.status = refused.status;
        this.entry = refused.entry;
        this.rule = refused.rule;
    }

    private static String message(String host, int port, String type, String fp, Path file, KnownHosts.Verdict v) {
        String where = host + " port " + port + ": ";
        return switch (v.status()) {
            case UNKNOWN -> where + "host key " + fp + " (" + type + ") is not in known_hosts " + file
                    + "; check that fingerprint with the node's administrator (gproc keys scan -w NODE prints the"
                    + " key a node presents), then connect once with --accept-new, or add the key to the file";
            case MISMATCH -> where + "HOST KEY MISMATCH: the node presented " + fp + " (" + type + ") but "
                    + file + " line " + v.entry().lineNumber() + " expects " + v.entry().fingerprint() + ": '"
                    + v.entry().line() + "'. Someone may be intercepting this connection; if the node's key was"
                    + " changed on purpose, delete " + file + ":" + v.entry().lineNumber()
                    + " and connect again with --accept-new";
            case REVOKED -> v.entry().fingerprint().equals(fp)
                    ? where + "host key " + fp + " (" + type + ") is revoked by " + file + " line "
                            + v.entry().lineNumber() + ": '" + v.entry().line() + "'"
                    : where + "the CA " + v.entry().fingerprint() + " that signed the node's host certificate is"
                            + " revoked by " + file + " line " + v.entry().lineNumber() + ": '" + v.entry().line()
                            + "' (the node's own key is " + fp + "; it needs a certificate from a CA that is not"
                            + " revoked)";
            case CERTIFICATE_REFUSED -> where + "host certificate refused (" + v.refusal().rule() + "): "
                    + v.refusal().getMessage() + "; the node's key is " + fp + ", and " + file + " line "
                    + v.entry().lineNumber() + " trusts CA " + v.entry().fingerprint() + " for this host";
            case UNCERTIFIED -> where + "host key " + fp + " (" + type + ") is not certified: " + file + " line "
                    + v.entry().lineNumber() + " says a CA (" + v.entry().fingerprint() + ") vouches for this host,"
                    + " but the node presented no certificate from it and its key is listed nowhere; start the"
                    + " node with its host certificate (gprocd --host-cert FILE)";
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

    /** UNKNOWN, MISMATCH, REVOKED, CERTIFICATE_REFUSED or UNCERTIFIED. */
    public KnownHosts.Status status() {
        return status;
    }

    /** The known_hosts line that decided, else null (UNKNOWN). */
    public KnownHosts.Entry entry() {
        return entry;
    }

    /** For CERTIFICATE_REFUSED, the rule the host certificate broke. */
    public Optional<CertificateRefusedException.Rule> certificateRule() {
        return Optional.ofNullable(rule);
    }
}
