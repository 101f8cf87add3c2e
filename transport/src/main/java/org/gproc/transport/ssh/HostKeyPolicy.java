package org.gproc.transport.ssh;

/** What the client does with a node whose host key is not in known_hosts yet. A changed key is always refused. */
public enum HostKeyPolicy {
    /** Refuse the connection (the default). */
    STRICT,
    /**
     * Trust the key the node presents on first contact and append it to known_hosts (as OpenSSH's
     * {@code StrictHostKeyChecking=accept-new}). Only when the user asked for it explicitly.
     */
    ACCEPT_NEW
}
