package org.gproc.transport.cert;

import java.security.cert.CertificateException;

/** A presented certificate was not accepted; the message names the certificate and the rule it broke. */
public final class CertificateRefusedException extends CertificateException {
    private static final long serialVersionUID = 1L;

    /** The rule a certificate broke; stable names for audit logs. */
    public enum Rule {
        NOT_A_CERTIFICATE, KEY_TYPE, CERTIFICATE_TYPE, UNTRUSTED_CA, SIGNATURE, REVOKED, NOT_YET_VALID, EXPIRED,
        CRITICAL_OPTION, PRINCIPALS
    }

    private final Rule rule;

    public CertificateRefusedException(Rule rule, String message) {
        super(message);
        this.rule = rule;
    }

    public Rule rule() {
        return rule;
    }
}
