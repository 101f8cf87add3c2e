package org.gproc.transport.ssh;

import java.io.IOException;

/**
 * The peer completed the key exchange and then refused every key we offered (SSH's "no more authentication
 * methods"): a verdict, so trying again changes nothing. A connection that merely ran out of time or was cut during
 * authentication is a plain {@link IOException}, which a caller may retry.
 */
public final class AuthRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    AuthRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
