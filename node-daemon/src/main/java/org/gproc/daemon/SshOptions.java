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
import org.gproc.transport.ssh.SshNodeServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Certificates, revocation and pre-authentication limits of gprocd's SSH server: the flags {@code --trusted-user-ca},
 * {@code --revoked}, {@code --host-cert}, {@code --cert-expiry-grace}, {@code --max-startups} and
 * {@code --gateway-for}.
 *
 * @param trustedUserCa   CA public keys whose user certificates are accepted (principal = a certificate
 *                        principal); null for none
 * @param revoked         keys, serials and key ids refused regardless (re-read when it changes); null for none
 * @param hostCertificate a host certificate of the host key, presented to clients; null for none
 * @param certExpiryGrace how long after its certificate expires a connection is closed
 * @param maxStartups     connections per node that may wait for authentication; more are dropped at accept
 * @param gatewayFor      a client inventory whose nodes authenticated clients may reach through this daemon with
 *                        {@code direct-tcpip} ({@code --gateway-for}); null: no forwarding at all
 */
public record SshOptions(Path trustedUserCa, Path revoked, Path hostCertificate, Duration certExpiryGrace,
                         int maxStartups, Path gatewayFor) {

    public static final int DEFAULT_MAX_STARTUPS = 64;
    public static final SshOptions DEFAULTS = new SshOptions(null, null, null, Duration.ZERO, DEFAULT_MAX_STARTUPS,
            null);

    public SshOptions {
        Objects.requireNonNull(certExpiryGrace, "certExpiryGrace");
        if (certExpiryGrace.isNegative()) {
            throw new IllegalArgumentException("--cert-expiry-grace must be zero or more, not " + certExpiryGrace);
        }
        if (maxStartups < 1) {
            throw new IllegalArgumentException("--max-startups must be at least 1, not " + maxStartups);
        }
    }

    SshOptions withTrustedUserCa(Path file) {
        return new SshOptions(file, revoked, hostCertificate, certExpiryGrace, maxStartups, gatewayFor);
    }

    SshOptions withRevoked(Path file) {
        return new SshOptions(trustedUserCa, file, hostCertificate, certExpiryGrace, maxStartups, gatewayFor);
    }

    SshOptions withHostCertificate(Path file) {
        return new SshOptions(trustedUserCa, revoked, file, certExpiryGrace, maxStartups, gatewayFor);
    }

    SshOptions withCertExpiryGrace(Duration grace) {
        return new SshOptions(trustedUserCa, revoked, hostCertificate, grace, maxStartups, gatewayFor);
    }

    SshOptions withMaxStartups(int n) {
        return new SshOptions(trustedUserCa, revoked, hostCertificate, certExpiryGrace, n, gatewayFor);
    }

    SshOptions withGatewayFor(Path file) {
        return new SshOptions(trustedUserCa, revoked, hostCertificate, certExpiryGrace, maxStartups, file);
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
        return b.certExpiryGrace(certExpiryGrace).maxUnauthenticated(maxStartups);
    }
}
