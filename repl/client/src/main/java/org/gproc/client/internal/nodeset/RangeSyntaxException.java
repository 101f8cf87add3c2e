package org.gproc.client.internal.nodeset;

/** A bad range inside brackets; {@link NodeSetParser} adds the node set term it came from. */
final class RangeSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String part;
    final String reason;

    RangeSyntaxException(String part, String reason) {
        super(reason + ": '" + part + "'", null, false, false);
        this.part = part;
        this.reason = reason;
    }
}
