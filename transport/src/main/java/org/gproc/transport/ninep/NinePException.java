package org.gproc.transport.ninep;

import java.io.IOException;

/**
 * A 9P error: on the server it becomes an Rerror carrying {@link #getMessage()}; on the client it is what an Rerror
 * (or a protocol failure) completes the request with. Messages name the culprit and the rule, e.g.
 * {@code "ctl: unknown verb 'kil' (did you mean 'kill'?)"}.
 */
public class NinePException extends IOException {
    private static final long serialVersionUID = 1L;

    public NinePException(String message) {
        super(message);
    }

    public NinePException(String message, Throwable cause) {
        super(message, cause);
    }
}
