package org.gproc.daemon;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.cert.Certificates;
import org.gproc.transport.cert.RevocationList;
import org.gproc.transport.ssh.Keys;
import org.gproc.transport.ssh.SshNodeServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Certificates, revocation and pre-authentication limits of gprocd's SSH server: the flags {@code --trusted-user-ca},
 * {@code --revoked}, {@code --host-cert}, {@code --cert-expiry-grace} and {@code --max-startups}.
 *
 * @param trustedUserCa   CA public keys whose user certificates are accepted (principal = a certificate
 *                        principal); null for none
 * @param revoked         keys, serials and key ids refused regardless (re-read when it changes); null for none
 * @param hostCertificate a host certificate of the host key, presented to clients; null for none
 * @param certExpiryGrace how long after its certificate expires a connection is closed
 * @param maxStartups     connections per node that may wait for authentication; more are dropped at accept
 */
public record SshOptions(Path trustedUserCa, Path revoked, Path hostCertificate, Duration certExpiryGrace,
                         int maxStartups) {

    public static final int DEFAULT_MAX_STARTUPS = 64;
    public static final SshOptions DEFAULTS = new SshOptions(null, null, null, Duration.ZERO, DEFAULT_MAX_STARTUPS);

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
        return new SshOptions(file, revoked, hostCertificate, certExpiryGrace, maxStartups);
    }

    SshOptions withRevoked(Path file) {
        return new SshOptions(trustedUserCa, file, hostCertificate, certExpiryGrace, maxStartups);
    }

    SshOptions withHostCertificate(Path file) {
        return new SshOptions(trustedUserCa, revoked, file, certExpiryGrace, maxStartups);
    }

    SshOptions withCertExpiryGrace(Duration grace) {
        return new SshOptions(trustedUserCa, revoked, hostCertificate, grace, maxStartups);
    }

    SshOptions withMaxStartups(int n) {
        return new SshOptions(trustedUserCa, revoked, hostCertificate, certExpiryGrace, n);
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
