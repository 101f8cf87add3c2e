package org.gproc.client;

/**
 * A node set expression that cannot be evaluated: bad syntax, a bad range, an unknown group. The message names the
 * culprit and the broken rule, e.g. {@code nodeset: bad range 'n[5-3]': start > end}.
 */
public class NodeSetException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String culprit;

    public NodeSetException(String message, String culprit) {
        super(message);
        this.culprit = culprit;
    }

    /** The offending part of the expression (a term, a range, a group name). */
    public String culprit() {
        return culprit;
    }
}
