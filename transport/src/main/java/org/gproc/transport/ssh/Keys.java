package org.gproc.transport.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Ed25519 keys in OpenSSH formats: private key files as {@code ssh-keygen -t ed25519} writes them (unencrypted),
 * public key lines ({@code ssh-ed25519 AAAA... comment}) and {@code SHA256:} fingerprints as {@code ssh-keygen -l}
 * prints them.
 */
public final class Keys {

    private static final String OPENSSH_BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private static final String OPENSSH_END = "-----END OPENSSH PRIVATE KEY-----";
    private static final byte[] OPENSSH_MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);

    private Keys() {
    }

    /**
     * Reads an unencrypted OpenSSH Ed25519 private key file. Refuses, naming the file and the fix: a missing file,
     * another format (PEM, PuTTY), a passphrase-protected key, another key type, and a file that group or others can
     * read (as OpenSSH does).
     */
    public static KeyPair loadPrivateKey(Path file) throws IOException {
        CryptoPolicy.requireBouncyCastleEd25519();
        if (!Files.isRegularFile(file)) {
            throw new IOException("private key " + file + ": no such file");
        }
        requireOwnerOnly(file);
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String cipher = openSshCipherName(file, text);
        if (!"none".equals(cipher)) {
            throw new IOException("private key " + file + ": is passphrase-protected (cipher " + cipher
                    + "); gproc needs an unencrypted key: ssh-keygen -p -N '' -f " + file);
        }
        List<KeyPair> pairs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(
                    null, NamedResource.ofName(file.toString()), in, FilePasswordProvider.EMPTY);
            if (loaded != null) {
                loaded.forEach(pairs::add);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("private key " + file + ": cannot be decoded: " + e.getMessage(), e);
        }
        if (pairs.size() != 1) {
            throw new IOException("private key " + file + ": holds " + pairs.size() + " keys; expected exactly one");
        }
        KeyPair pair = pairs.get(0);
        String type = KeyUtils.getKeyType(pair);
        if (!CryptoPolicy.KEY_TYPE.equals(type)) {
            throw new IOException("private key " + file + ": is a " + type + " key; gproc accepts only "
                    + CryptoPolicy.KEY_TYPE + " (ssh-keygen -t ed25519)");
        }
        return pair;
    }

    /**
     * Loads the host key from {@code file}, or, when the file does not exist, generates an Ed25519 key and writes it
     * there in OpenSSH format (mode 0600) plus {@code file.pub}. If another process creates the file first, its key
     * is loaded instead.
     */
    public static KeyPair loadOrGenerate(Path file, String comment) throws IOException {
        if (Files.exists(file)) {
            return loadPrivateKey(file);
        }
        KeyPair pair = generate();
        try {
            write(pair, file, comment);
        } catch (FileAlreadyExistsException raced) {
            return loadPrivateKey(file);
        }
        return pair;
    }

    public static KeyPair generate() {
        CryptoPolicy.requireBouncyCastleEd25519();
        try {
            return KeyUtils.generateKeyPair(CryptoPolicy.KEY_TYPE, 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an Ed25519 key: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code pair} as an unencrypted OpenSSH private key file (mode 0600) and its public key line to
     * {@code file.pub}. Never overwrites: fails with {@link FileAlreadyExistsException} if {@code file} exists.
     */
    public static void write(KeyPair pair, Path file, String comment) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        ByteArrayOutputStream privateBytes = new ByteArrayOutputStream();
        try {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, privateBytes);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode the private key for " + file + ": " + e.getMessage(), e);
        }
        writeNew(file, privateBytes.toByteArray(), "rw-------", false);
        Path pub = Path.of(file + ".pub");
        writeNew(pub, (publicKeyLine(pair.getPublic()) + (comment == null || comment.isBlank() ? "" : " " + comment)
                + "\n").getBytes(StandardCharsets.US_ASCII), "rw-r--r--", true);
    }

    /** {@code SHA256:} and the unpadded base64 SHA-256 of the key blob, exactly as {@code ssh-keygen -l} prints. */
    public static String fingerprint(PublicKey key) {
        return fingerprint(blob(key));
    }

    public static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    /** {@code ssh-ed25519 AAAA...}: the key's type and base64 blob, as in authorized_keys and known_hosts. */
    public static String publicKeyLine(PublicKey key) {
        return KeyUtils.getKeyType(key) + " " + Base64.getEncoder().encodeToString(blob(key));
    }

    /** The SSH wire encoding of a public key (string type, then the key's own fields). */
    public static byte[] blob(PublicKey key) {
        ByteArrayBuffer buffer = new ByteArrayBuffer();
        buffer.putRawPublicKey(key);
        return buffer.getCompactData();
    }

    /** Decodes an SSH public key blob; the type inside the blob must equal {@code expectedType}. */
    public static PublicKey fromBlob(String expectedType, byte[] blob) throws IOException {
        String inner = blobType(blob);
        if (!expectedType.equals(inner)) {
            throw new IOException("key blob says '" + inner + "' but the line says '" + expectedType + "'");
        }
        try {
            return new ByteArrayBuffer(blob).getRawPublicKey();
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot decode " + expectedType + " key: " + e.getMessage(), e);
        }
    }

    /** The type string at the start of a key blob, or throws if the blob is too short to hold one. */
    static String blobType(byte[] blob) throws IOException {
        if (blob.length < 4) {
            throw new IOException("key blob of " + blob.length + " bytes is too short");
        }
        int len = ByteBuffer.wrap(blob).getInt();
        if (len < 1 || len > blob.length - 4 || len > 64) {
            throw new IOException("key blob has a bad type length " + len);
        }
        return new String(blob, 4, len, StandardCharsets.US_ASCII);
    }

    private static String openSshCipherName(Path file, String text) throws IOException {
        int begin = text.indexOf(OPENSSH_BEGIN);
        int end = text.indexOf(OPENSSH_END);
        if (begin < 0 || end < begin) {
            throw new IOException("private key " + file + ": not an OpenSSH private key (expected '" + OPENSSH_BEGIN
                    + "'; ssh-keygen -t ed25519 writes this format)");
        }
        byte[] body;
        try {
            body = Base64.getMimeDecoder().decode(text.substring(begin + OPENSSH_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IOException("private key " + file + ": base64 body is corrupt: " + e.getMessage(), e);
        }
        ByteBuffer in = ByteBuffer.wrap(body);
        for (byte b : OPENSSH_MAGIC) {
            if (!in.hasRemaining() || in.get() != b) {
                throw new IOException("private key " + file + ": missing the openssh-key-v1 magic");
            }
        }
        if (in.remaining() < 4) {
            throw new IOException("private key " + file + ": truncated before the cipher name");
        }
        int len = in.getInt();
        if (len < 0 || len > in.remaining() || len > 64) {
            throw new IOException("private key " + file + ": bad cipher name length " + len);
        }
        byte[] name = new byte[len];
        in.get(name);
        return new String(name, StandardCharsets.US_ASCII);
    }

    private static void requireOwnerOnly(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        Set<PosixFilePermission> perms = view.readAttributes().permissions();
        for (PosixFilePermission p : perms) {
            if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                throw new IOException("private key " + file + ": is accessible by group or others (mode "
                        + PosixFilePermissions.toString(perms) + "); run: chmod 600 " + file);
            }
        }
    }

    /** Writes a file that must not exist yet, with {@code perms} set from creation on (no window of wider access). */
    private static void writeNew(Path file, byte[] content, String perms, boolean replace) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))}
                : new FileAttribute<?>[0];
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", attrs);
        try {
            Files.write(tmp, content);
            if (replace) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(tmp, file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
