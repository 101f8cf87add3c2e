package org.gproc.daemon.relay;

import org.gproc.transport.xcpu.CtlVerb;

/** The verbs {@code /n/ctl} accepts (one per line). */
public enum RelayVerb implements CtlVerb {
    CHILD("child", 0, "child NAME HOST PORT KEYSPEC (KEYSPEC: 'ssh-ed25519 AAAA...' or"
            + " '@cert-authority ssh-ed25519 AAAA...')"),
    /** Give child NAME blob HASH from this relay's cache (or its upload under way): a preload through a relay. */
    FEED("feed", 3, "feed NAME HASH");

    private final Row row;

    RelayVerb(String word, int argc, String usage) {
        this.row = new Row(word, argc, usage);
    }

    @Override
    public Row row() {
        return row;
    }
}
