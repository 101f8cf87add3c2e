package org.gproc.transport.cert;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import org.apache.sshd.certificate.OpenSshCertificateBuilder;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.ssh.CryptoPolicy;
import org.gproc.transport.ssh.Keys;

/**
 * A cluster CA: one Ed25519 key in {@code DIR/ca} (OpenSSH format, mode 0600) and {@code DIR/ca.pub}. It issues
 * user and host certificates that {@code ssh-keygen -L} reads and OpenSSH accepts. Certificates carry no critical
 * options and no extensions (gprocd grants nothing they could permit) and are back-dated by {@link #CLOCK_SKEW} so
 * a node whose clock is a little behind accepts a certificate issued a moment ago.
 */
public final class CertificateAuthority {
    public static final String KEY_FILE = "ca";
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final Pattern KEY_ID = Pattern.compile("[\\x21-\\x7E][\\x20-\\x7E]{0,254}");

    private final Path keyFile;
    private final KeyPair pair;
    private final Clock clock;

    private CertificateAuthority(Path keyFile, KeyPair pair, Clock clock) {
        this.keyFile = keyFile;
        this.pair = pair;
        this.clock = clock;
    }

    /** Creates {@code dir} (mode 0700 if new) with a fresh CA key; refuses to replace an existing CA key. */
    public static CertificateAuthority init(Path dir) throws IOException {
        Path file = dir.resolve(KEY_FILE);
        if (Files.exists(file)) {
            throw new IOException("CA " + dir + ": already initialised (" + file + " exists); refusing to replace"
                    + " a CA key every certificate depends on");
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        }
        KeyPair pair = Keys.generate();
        try {
            Keys.write(pair, file, "gproc-ca");
        } catch (FileAlreadyExistsException raced) {
            throw new IOException("CA " + dir + ": another process initialised it at the same time", raced);
        }
        return new CertificateAuthority(file, pair, Clock.systemUTC());
    }

    /** Loads the CA key written by {@link #init} (owner-only, unencrypted OpenSSH Ed25519, as {@link Keys} reads). */
    public static CertificateAuthority load(Path dir) throws IOException {
        Path file = dir.resolve(KEY_FILE);
        if (!Files.exists(file)) {
            throw new IOException("CA " + dir + ": not initialised (no " + file + "); run: gproc keys ca init");
        }
        return new CertificateAuthority(file, Keys.loadPrivateKey(file), Clock.systemUTC());
    }

    /** The same CA reading the time from {@code clock} (tests, and signing for a future window). */
    public CertificateAuthority withClock(Clock clock) {
        return new CertificateAuthority(keyFile, pair, Objects.requireNonNull(clock));
    }

    public Path keyFile() {
        return keyFile;
    }

    public PublicKey publicKey() {
        return pair.getPublic();
    }

    /** {@code ssh-ed25519 AAAA...}: the line operators put in {@code --trusted-user-ca} and known_hosts. */
    public String publicKeyLine() {
        return Keys.publicKeyLine(pair.getPublic());
    }

    /** A user certificate for {@code key}: valid for {@code validity} from now, for exactly {@code principals}. */
    public OpenSshCertificate signUser(PublicKey key, List<String> principals, Duration validity, long serial,
                                       String keyId) throws IOException {
        return sign(OpenSshCertificateBuilder.userCertificate(), "user", Certificates.USER_PRINCIPAL, key,
                principals, validity, serial, keyId);
    }

    /** A host certificate: {@code principals} are the names (and addresses) clients use to reach the node. */
    public OpenSshCertificate signHost(PublicKey key, List<String> principals, Duration validity, long serial,
                                       String keyId) throws IOException {
        return sign(OpenSshCertificateBuilder.hostCertificate(), "host", Certificates.HOST_PRINCIPAL, key,
                principals, validity, serial, keyId);
    }

    /** Signs the key in {@code publicKeyFile} ({@code KEY.pub}) and writes {@code KEY-cert.pub}; returns its path. */
    public Path signUserKeyFile(Path publicKeyFile, List<String> principals, Duration validity, long serial,
                                String keyId) throws IOException {
        Certificates.KeyAndComment pub = Certificates.readPublicKey(publicKeyFile);
        return write(publicKeyFile, signUser(pub.key(), principals, validity, serial, keyId), pub.comment());
    }

    public Path signHostKeyFile(Path publicKeyFile, List<String> principals, Duration validity, long serial,
                                String keyId) throws IOException {
        Certificates.KeyAndComment pub = Certificates.readPublicKey(publicKeyFile);
        return write(publicKeyFile, signHost(pub.key(), principals, validity, serial, keyId), pub.comment());
    }

    private static Path write(Path publicKeyFile, OpenSshCertificate cert, String comment) throws IOException {
        Path out = Certificates.certificateFileFor(publicKeyFile);
        Certificates.writeAtomically(out, Certificates.line(cert, comment) + "\n");
        return out;
    }

    private OpenSshCertificate sign(OpenSshCertificateBuilder builder, String kind, Pattern principalRule,
                                    PublicKey key, List<String> principals, Duration validity, long serial,
                                    String keyId) throws IOException {
        String type = KeyUtils.getKeyType(key);
        if (!CryptoPolicy.KEY_TYPE.equals(type)) {
            throw new IOException("sign-" + kind + ": key is " + type + "; gproc certifies only "
                    + CryptoPolicy.KEY_TYPE + " keys");
        }
        if (keyId == null || !KEY_ID.matcher(keyId).matches()) {
            throw new IOException("sign-" + kind + ": key id " + Certificates.quote(keyId) + " must be 1 to 255"
                    + " printable ASCII characters, not starting with a space");
        }
        checkPrincipals(kind, principalRule, principals);
        if (validity == null || validity.isNegative() || validity.isZero()) {
            throw new IOException("sign-" + kind + ": validity " + validity + " must be positive");
        }
        Instant now = clock.instant();
        try {
            return builder.publicKey(key)
                    .serial(serial)
                    .id(keyId)
                    .principals(List.copyOf(principals))
                    .validAfter(now.minus(CLOCK_SKEW))
                    .validBefore(now.plus(validity))
                    .sign(pair);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("sign-" + kind + ": SSHD could not sign " + Certificates.quote(keyId) + ": "
                    + e.getMessage(), e);
        }
    }

    private static void checkPrincipals(String kind, Pattern rule, List<String> principals) throws IOException {
        if (principals == null || principals.isEmpty()) {
            throw new IOException("sign-" + kind + ": at least one principal is required (OpenSSH would accept a"
                    + " certificate without principals for anyone)");
        }
        HashSet<String> seen = new HashSet<>();
        for (String p : principals) {
            if (p == null || !rule.matcher(p).matches()) {
                throw new IOException("sign-" + kind + ": principal " + Certificates.quote(p) + " is not valid ("
                        + ("user".equals(kind)
                                ? "one token of letters, digits and . _ @ + = -, starting with a letter or digit"
                                : "a host name or IP address: letters, digits and . _ : -")
                        + ")");
            }
            if (!seen.add(p)) {
                throw new IOException("sign-" + kind + ": principal " + Certificates.quote(p) + " given twice");
            }
        }
    }
}
