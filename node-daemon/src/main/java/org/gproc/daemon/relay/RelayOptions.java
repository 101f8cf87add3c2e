package org.gproc.daemon.relay;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * The relay flags of gprocd: {@code --relay}, {@code --relay-for}, {@code --relay-cert} (this daemon relays to
 * children) and {@code --trusted-relay} (this daemon lets the named relays act for their users).
 *
 * @param enabled       serve {@code /n/} and relay to children named in {@code /n/ctl}
 * @param relayFor      an inventory whose nodes are the only targets a child line may name; null for any target
 * @param certificate   a user certificate of the host key, presented to children before the plain host key; null
 *                      for none
 * @param trustedRelays principals whose connections may name, per attach, the user they act for
 */
public record RelayOptions(boolean enabled, Path relayFor, Path certificate, Set<String> trustedRelays) {

    public static final RelayOptions NONE = new RelayOptions(false, null, null, Set.of());

    public RelayOptions {
        trustedRelays = Set.copyOf(Objects.requireNonNull(trustedRelays, "trustedRelays"));
        if (!enabled && (relayFor != null || certificate != null)) {
            throw new IllegalArgumentException((relayFor != null ? "--relay-for" : "--relay-cert")
                    + " needs --relay (it configures how this daemon relays)");
        }
    }

    public RelayOptions withEnabled(boolean on) {
        return new RelayOptions(on, relayFor, certificate, trustedRelays);
    }

    public RelayOptions withRelayFor(Path file) {
        return new RelayOptions(enabled, file, certificate, trustedRelays);
    }

    public RelayOptions withCertificate(Path file) {
        return new RelayOptions(enabled, relayFor, file, trustedRelays);
    }

    public RelayOptions withTrustedRelays(Set<String> principals) {
        return new RelayOptions(enabled, relayFor, certificate, principals);
    }
}
