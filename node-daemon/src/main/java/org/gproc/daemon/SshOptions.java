package org.gproc.daemon;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.cert.Certificates;
import org.gproc.transport.cert.RevocationList;
import org.gproc.client.Inventory;
import org.gproc.client.InventoryException;
import org.gproc.client.NodeAddress;
import org.gproc.transport.ssh.GatewayTargets;
import org.gproc.transport.ssh.Keys;
import org.gproc.transport.ssh.MaxStartups;
import org.gproc.transport.ssh.PerSourcePenalties;
import org.gproc.transport.ssh.SshNodeServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Certificates, revocation and pre-authentication limits of gprocd's SSH server: the flags {@code --trusted-user-ca},
 * {@code --revoked}, {@code --host-cert}, {@code --cert-expiry-grace}, {@code --max-startups},
 * {@code --per-source-max-startups}, {@code --per-source-penalties}, {@code --per-source-netblock-size} and
 * {@code --gateway-for}.
 *
 * @param trustedUserCa   CA public keys whose user certificates are accepted (principal = a certificate
 *                        principal); null for none
 * @param revoked         keys, serials and key ids refused regardless (re-read when it changes); null for none
 * @param hostCertificate a host certificate of the host key, presented to clients; null for none
 * @param certExpiryGrace how long after its certificate expires a connection is closed
 * @param maxStartups     connections per node that may wait for authentication, with random early drop
 * @param gatewayFor      a client inventory whose nodes authenticated clients may reach through this daemon with
 *                        {@code direct-tcpip} ({@code --gateway-for}); null: no forwarding at all
 * @param perSourceMaxStartups at most this many waiting connections per node from one source netblock; 0: no limit
 * @param penalties       penalties for sources whose connections fail or abandon authentication
 * @param netblockV4      leading bits of an IPv4 address that make one source
 * @param netblockV6      the same for IPv6
 */
public record SshOptions(Path trustedUserCa, Path revoked, Path hostCertificate, Duration certExpiryGrace,
                         MaxStartups maxStartups, Path gatewayFor, int perSourceMaxStartups,
                         PerSourcePenalties penalties, int netblockV4, int netblockV6) {

    /** gprocd's default: no drop up to 64 waiting (as before), random early drop from 30% up to 256. */
    public static final MaxStartups DEFAULT_MAX_STARTUPS = new MaxStartups(64, 30, 256);
    /**
     * The library default has no penalties (specs and embedded daemons refuse on purpose from one address); the
     * {@code gprocd} command turns OpenSSH's defaults on.
     */
    public static final SshOptions DEFAULTS = new SshOptions(null, null, null, Duration.ZERO, DEFAULT_MAX_STARTUPS,
            null, 0, PerSourcePenalties.OFF, 32, 128);

    public SshOptions {
        Objects.requireNonNull(certExpiryGrace, "certExpiryGrace");
        if (certExpiryGrace.isNegative()) {
            throw new IllegalArgumentException("--cert-expiry-grace must be zero or more, not " + certExpiryGrace);
        }
        Objects.requireNonNull(maxStartups, "maxStartups");
        Objects.requireNonNull(penalties, "penalties");
        if (perSourceMaxStartups < 0) {
            throw new IllegalArgumentException("--per-source-max-startups must be 0 (none) or more, not "
                    + perSourceMaxStartups);
        }
    }

    private SshOptions with(MaxStartups startups, int perSource, PerSourcePenalties p, int v4, int v6) {
        return new SshOptions(trustedUserCa, revoked, hostCertificate, certExpiryGrace, startups, gatewayFor,
                perSource, p, v4, v6);
    }

    SshOptions withTrustedUserCa(Path file) {
        return new SshOptions(file, revoked, hostCertificate, certExpiryGrace, maxStartups, gatewayFor,
                perSourceMaxStartups, penalties, netblockV4, netblockV6);
    }

    SshOptions withRevoked(Path file) {
        return new SshOptions(trustedUserCa, file, hostCertificate, certExpiryGrace, maxStartups, gatewayFor,
                perSourceMaxStartups, penalties, netblockV4, netblockV6);
    }

    SshOptions withHostCertificate(Path file) {
        return new SshOptions(trustedUserCa, revoked, file, certExpiryGrace, maxStartups, gatewayFor,
                perSourceMaxStartups, penalties, netblockV4, netblockV6);
    }

    SshOptions withCertExpiryGrace(Duration grace) {
        return new SshOptions(trustedUserCa, revoked, hostCertificate, grace, maxStartups, gatewayFor,
                perSourceMaxStartups, penalties, netblockV4, netblockV6);
    }

    SshOptions withMaxStartups(MaxStartups startups) {
        return with(startups, perSourceMaxStartups, penalties, netblockV4, netblockV6);
    }

    SshOptions withPerSourceMaxStartups(int n) {
        return with(maxStartups, n, penalties, netblockV4, netblockV6);
    }

    SshOptions withPenalties(PerSourcePenalties p) {
        return with(maxStartups, perSourceMaxStartups, p, netblockV4, netblockV6);
    }

    SshOptions withNetblockSize(int v4, int v6) {
        return with(maxStartups, perSourceMaxStartups, penalties, v4, v6);
    }

    SshOptions withGatewayFor(Path file) {
        return new SshOptions(trustedUserCa, revoked, hostCertificate, certExpiryGrace, maxStartups, file,
                perSourceMaxStartups, penalties, netblockV4, netblockV6);
    }

    /** The gprocd flags of the pre-authentication limits, parsed; errors name the flag and quote the value. */
    record Flags(MaxStartups maxStartups, int perSourceMaxStartups, PerSourcePenalties penalties, int netblockV4,
                 int netblockV6) {

        static Flags parse(String maxStartups, String perSource, String penalties, String netblockSize) {
            MaxStartups startups = flag("--max-startups", maxStartups, () -> MaxStartups.parse(maxStartups));
            int perSourceN = perSource.equals("none") ? 0 : flag("--per-source-max-startups", perSource, () -> {
                int n = Integer.parseInt(perSource);
                if (n < 1) {
                    throw new IllegalArgumentException("must be at least 1, or 'none'");
                }
                return n;
            });
            PerSourcePenalties policy = flag("--per-source-penalties", penalties,
                    () -> PerSourcePenalties.parse(penalties));
            int[] bits = flag("--per-source-netblock-size", netblockSize, () -> {
                String[] parts = netblockSize.split(":", -1);
                if (parts.length > 2) {
                    throw new IllegalArgumentException("not V4 or V4:V6 (e.g. 32:128)");
                }
                int v4 = Integer.parseInt(parts[0]);
                int v6 = parts.length == 2 ? Integer.parseInt(parts[1]) : 128;
                if (v4 < 0 || v4 > 32 || v6 < 0 || v6 > 128) {
                    throw new IllegalArgumentException("prefix lengths must be 0-32 (IPv4) and 0-128 (IPv6)");
                }
                return new int[] {v4, v6};
            });
            return new Flags(startups, perSourceN, policy, bits[0], bits[1]);
        }

        private static <T> T flag(String name, String value, Supplier<T> parse) {
            try {
                return parse.get();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " " + value + ": '" + value + "' is not a number");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + " " + value + ": " + e.getMessage());
            }
        }
    }

    /**
     * The nodes {@code --gateway-for} lists, read with the client's inventory reader (so the file can be the very
     * inventory the clients use); null without the flag. Errors name the flag, the file and the line.
     */
    GatewayTargets gatewayTargets() throws IOException {
        if (gatewayFor == null) {
            return null;
        }
        Inventory inventory;
        try {
            inventory = Inventory.load(gatewayFor);
        } catch (InventoryException e) {
            throw new IOException("--gateway-for " + gatewayFor + ": " + e.getMessage(), e);
        }
        List<GatewayTargets.Node> nodes = new ArrayList<>();
        for (NodeAddress node : inventory.addresses()) {
            nodes.add(new GatewayTargets.Node(node.name(), node.host(), node.port()));
        }
        return GatewayTargets.of(gatewayFor.toString(), nodes);
    }

    /**
     * Reads every file once before any port is bound, so a missing or broken one stops the daemon with an error
     * naming its flag (the SSH server reads them again as it starts).
     */
    void check(Path authorizedKeys, Path hostKey) throws IOException {
        if (authorizedKeys != null && !Files.isReadable(authorizedKeys)) {
            throw new IOException("--authorized-keys " + authorizedKeys + ": no such readable file");
        }
        if (trustedUserCa != null) {
            try {
                Certificates.readCaKeys(trustedUserCa);
            } catch (IOException e) {
                throw new IOException("--trusted-user-ca " + trustedUserCa + ": " + e.getMessage(), e);
            }
        }
        if (revoked != null) {
            try {
                RevocationList.load(revoked);
            } catch (IOException e) {
                throw new IOException("--revoked " + revoked + ": " + e.getMessage(), e);
            }
        }
        if (hostCertificate != null) {
            checkHostCertificate(hostKey);
        }
        gatewayTargets();
    }

    private void checkHostCertificate(Path hostKey) throws IOException {
        String flag = "--host-cert " + hostCertificate;
        OpenSshCertificate cert;
        try {
            cert = Certificates.read(hostCertificate);
        } catch (IOException e) {
            throw new IOException(flag + ": " + e.getMessage(), e);
        }
        if (cert.getType() != OpenSshCertificate.Type.HOST) {
            throw new IOException(flag + ": " + Certificates.describe(cert) + " is a user certificate, not a host"
                    + " certificate (ssh-keygen -h, or gproc keys sign-host)");
        }
        if (!Files.exists(hostKey)) {
            throw new IOException(flag + ": --host-key " + hostKey + " does not exist yet, so the certificate"
                    + " cannot be for it; start once without --host-cert, sign " + hostKey + ".pub, then add it");
        }
        var key = Keys.loadPrivateKey(hostKey).getPublic();
        if (!KeyUtils.compareKeys(cert.getCertPubKey(), key)) {
            throw new IOException(flag + ": certifies key " + Keys.fingerprint(cert.getCertPubKey())
                    + ", not the --host-key " + hostKey + " (" + Keys.fingerprint(key) + ")");
        }
    }

    /** Configures the SSH server with these settings. */
    SshNodeServer.Builder applyTo(SshNodeServer.Builder b) {
        if (trustedUserCa != null) {
            b.trustedUserCa(trustedUserCa);
        }
        if (revoked != null) {
            b.revoked(revoked);
        }
        if (hostCertificate != null) {
            b.hostCertificate(hostCertificate);
        }
        return b.certExpiryGrace(certExpiryGrace).maxStartups(maxStartups).perSourceMaxStartups(perSourceMaxStartups)
                .perSourcePenalties(penalties).perSourceNetblockSize(netblockV4, netblockV6);
    }
}
