package org.gproc.daemon.relay;

import java.util.Locale;
import org.gproc.transport.ninep.NinePException;

import java.util.Set;

/**
 * {@code --relay-for FILE}: the only places a child line may name, as the nodes of an inventory give them (host as
 * written and port). Without the flag any place may be named; either way nothing but SSH carrying 9P goes out.
 */
final class RelayTargets {
    private final String file;
    private final Set<String> places; // "host:port", host lower-cased

    RelayTargets(String file, Set<String> places) {
        this.file = file;
        this.places = Set.copyOf(places);
    }

    static String place(String host, int port) {
        return host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    void check(ChildTarget t) throws NinePException {
        if (!places.contains(place(t.host(), t.port()))) {
            throw new NinePException("/n/ctl: child " + t.name() + ": " + t.address() + " is not a node of --relay-for "
                    + file + "; this relay connects only to those");
        }
    }
}
