package org.gproc.transport.cert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.gproc.transport.ssh.CryptoPolicy;
import org.gproc.transport.ssh.Keys;
import org.gproc.transport.xcpu.Principal;

/** OpenSSH certificate files and lines: reading, writing, naming, and describing a certificate in messages. */
public final class Certificates {
    /** The certificate type of an Ed25519 key, the only one gproc issues or accepts. */
    public static final String CERT_TYPE = "ssh-ed25519-cert-v01@openssh.com";

    /** What a user principal may look like: the same rule as authorized_keys names. */
    static final Pattern USER_PRINCIPAL = Principal.SYNTAX;
    /** Host names and IP literals, as a client names the node it connects to. */
    static final Pattern HOST_PRINCIPAL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,252}");

    private Certificates() {
    }

    /** {@code KEY-cert.pub} for {@code KEY.pub} (or for {@code KEY}), where {@code ssh-keygen -s} puts it. */
    public static Path certificateFileFor(Path publicKeyFile) {
        String name = publicKeyFile.getFileName().toString();
        String base = name.endsWith(".pub") ? name.substring(0, name.length() - 4) : name;
        return publicKeyFile.resolveSibling(base + "-cert.pub");
    }

    /** {@code ssh-ed25519-cert-v01@openssh.com AAAA... comment}: one line of a {@code -cert.pub} file. */
    public static String line(OpenSshCertificate cert, String comment) {
        String line = PublicKeyEntry.toString(cert);
        return comment == null || comment.isBlank() ? line : line + " " + comment.strip();
    }

    /** The certificate's SSH wire blob, signature included. */
    public static byte[] blob(OpenSshCertificate cert) {
        ByteArrayBuffer buffer = new ByteArrayBuffer();
        buffer.putRawPublicKey(cert);
        return buffer.getCompactData();
    }

    /** Reads a {@code -cert.pub} file (first non-comment line); only parses, checks nothing. */
    public static OpenSshCertificate read(Path file) throws IOException {
        List<String> lines = readLines(file, "certificate");
        if (lines.isEmpty()) {
            throw new IOException("certificate " + file + ": holds no certificate line");
        }
        return parse(lines.get(0), "certificate " + file);
    }

    /** Parses {@code type base64 [comment]} as a certificate; {@code what} names the source in errors. */
    public static OpenSshCertificate parse(String line, String what) throws IOException {
        String[] f = line.strip().split("\\s+", 3);
        if (f.length < 2) {
            throw new IOException(what + ": expected 'type base64 [comment]'");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(f[1]);
        } catch (IllegalArgumentException e) {
            throw new IOException(what + ": certificate is not valid base64");
        }
        PublicKey key = decodeBlob(blob, what);
        if (!(key instanceof OpenSshCertificate cert)) {
            throw new IOException(what + ": is a plain " + KeyUtils.getKeyType(key) + " key, not a certificate");
        }
        if (!f[0].equals(cert.getKeyType())) {
            throw new IOException(what + ": line says '" + f[0] + "' but the certificate is " + cert.getKeyType());
        }
        return cert;
    }

    /** Decodes an SSH public key or certificate blob, turning every parser failure into an IOException. */
    public static PublicKey decodeBlob(byte[] blob, String what) throws IOException {
        try {
            return new ByteArrayBuffer(blob).getRawPublicKey();
        } catch (IOException | RuntimeException e) {
            throw new IOException(what + ": cannot be decoded: " + e.getMessage(), e);
        }
    }

    /** Reads a public key file ({@code KEY.pub}): an Ed25519 key line; returns the key and its comment. */
    static KeyAndComment readPublicKey(Path file) throws IOException {
        List<String> lines = readLines(file, "public key");
        if (lines.isEmpty()) {
            throw new IOException("public key " + file + ": holds no key line");
        }
        String[] f = lines.get(0).split("\\s+", 3);
        if (f.length < 2) {
            throw new IOException("public key " + file + ": expected 'ssh-ed25519 base64 [comment]'");
        }
        if (!CryptoPolicy.KEY_TYPE.equals(f[0])) {
            throw new IOException("public key " + file + ": is a " + f[0] + " key; gproc certifies only "
                    + CryptoPolicy.KEY_TYPE + " keys (ssh-keygen -t ed25519)");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(f[1]);
        } catch (IllegalArgumentException e) {
            throw new IOException("public key " + file + ": key is not valid base64");
        }
        return new KeyAndComment(Keys.fromBlob(f[0], blob), f.length > 2 ? f[2].strip() : "");
    }

    record KeyAndComment(PublicKey key, String comment) {
    }

    /**
     * The Ed25519 CA keys in a file of public key lines (the daemon's {@code --trusted-user-ca}, as OpenSSH's
     * TrustedUserCAKeys). A line that is not an Ed25519 key fails the whole file: a trust anchor is never guessed.
     */
    public static List<PublicKey> readCaKeys(Path file) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        List<String> lines = readLines(file, "CA key file");
        for (String line : lines) {
            String[] f = line.split("\\s+", 3);
            String what = "CA key file " + file + " line '" + abbreviate(line) + "'";
            if (f.length < 2 || !CryptoPolicy.KEY_TYPE.equals(f[0])) {
                throw new IOException(what + ": expected an " + CryptoPolicy.KEY_TYPE + " public key line");
            }
            try {
                keys.add(Keys.fromBlob(f[0], Base64.getDecoder().decode(f[1])));
            } catch (IllegalArgumentException e) {
                throw new IOException(what + ": key is not valid base64");
            } catch (IOException e) {
                throw new IOException(what + ": " + e.getMessage(), e);
            }
        }
        if (keys.isEmpty()) {
            throw new IOException("CA key file " + file + ": holds no CA key");
        }
        return List.copyOf(keys);
    }

    /** Non-blank, non-comment lines, stripped. */
    static List<String> readLines(Path file, String what) throws IOException {
        List<String> all;
        try {
            all = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException(what + " " + file + ": no such file", e);
        }
        List<String> out = new ArrayList<>();
        for (String l : all) {
            String s = l.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                out.add(s);
            }
        }
        return out;
    }

    /** Writes {@code content} to {@code file} through a temporary file and an atomic rename (mode 0644). */
    static void writeAtomically(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            if (Files.getFileAttributeView(tmp, PosixFileAttributeView.class) != null) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@code certificate 'alice-laptop' (serial 7)}: how messages name a certificate, safe for one log line. */
    public static String describe(OpenSshCertificate cert) {
        return "certificate " + quote(cert.getId()) + " (serial " + Long.toUnsignedString(cert.getSerial()) + ")";
    }

    /**
     * When the certificate stops being valid, for closing sessions it authenticated; empty for "forever" (and for
     * an end beyond what {@link Instant} holds).
     */
    public static Optional<Instant> validBefore(OpenSshCertificate cert) {
        long end = cert.getValidBefore();
        if (end == OpenSshCertificate.INFINITY || Long.compareUnsigned(end, Instant.MAX.getEpochSecond()) > 0) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochSecond(end));
    }

    /** OpenSSH times: unsigned seconds; 0 is "always" and all ones "forever". */
    static String time(long seconds) {
        if (seconds == OpenSshCertificate.INFINITY) {
            return "forever";
        }
        if (Long.compareUnsigned(seconds, Instant.MAX.getEpochSecond()) > 0) {
            return Long.toUnsignedString(seconds) + "s";
        }
        return Instant.ofEpochSecond(seconds).toString();
    }

    /** Quotes and escapes a peer-chosen string so it cannot break or forge a log line. */
    static String quote(String s) {
        if (s == null) {
            return "''";
        }
        StringBuilder out = new StringBuilder("'");
        int n = 0;
        for (int i = 0; i < s.length() && n < 200; i++, n++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F || c == '\'' || c == '\\' || Character.getType(c) == Character.FORMAT) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append(s.length() > 200 ? "…'" : "'").toString();
    }

    private static String abbreviate(String line) {
        return line.length() > 40 ? line.substring(0, 40) + "…" : line;
    }
}
