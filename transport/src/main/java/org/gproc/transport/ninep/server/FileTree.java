package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.NinePException;

/**
 * What the 9P server core asks of a synthetic file tree. The core has already checked the protocol (fids, open
 * modes, offsets, walk limits, {@code ..} at the root) before any method here runs, so implementations only decide
 * what files exist and what they hold, for the principal that attached.
 *
 * <p>Threading: methods may be called concurrently from different connections and must be thread-safe. They must
 * not block on external events: a read that has to wait returns an incomplete future that the tree completes later.
 */
public interface FileTree {

    /**
     * The root as seen by {@code principal}: the authenticated identity from the transport. {@code uname} and
     * {@code aname} are what the client asked for in Tattach; they are informational and never grant anything.
     */
    FileEntry attach(String principal, String uname, String aname) throws NinePException;

    /**
     * The root for {@code principal} acting through the relay {@code via} (the principal the transport
     * authenticated, which the server trusts to name its users; null when the principal connected directly). The
     * default ignores {@code via}; a tree that audits overrides it to record both.
     */
    default FileEntry attach(String principal, String via, String uname, String aname) throws NinePException {
        return attach(principal, uname, aname);
    }
}
