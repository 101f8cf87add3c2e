package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.NinePException;

/**
 * A walk step failed because the server holding the rest of the path cannot be reached (a relay's child that is
 * down or refused its host key), not because a name is missing. The core reports it as the walk's Rerror even when
 * names before it walked: a partial Rwalk would tell the client only that a file does not exist.
 */
public class UnreachableException extends NinePException {
    public UnreachableException(String message) {
        super(message);
    }
}
