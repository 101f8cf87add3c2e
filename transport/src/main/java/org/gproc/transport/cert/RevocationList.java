package org.gproc.transport.cert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.ssh.Keys;

/**
 * Keys and certificates refused even though a trusted CA signed them: the daemon's {@code --revoked FILE}.
 * The format is the text subset of {@code ssh-keygen -k}'s KRL specification, so the same file can be compiled into
 * an OpenSSH KRL for OpenSSH servers:
 * <pre>
 * # comment
 * serial: 7            a certificate serial (unsigned decimal), from any trusted CA
 * serial: 100-199      a range of serials
 * id: alice-laptop     a certificate key id
 * key: ssh-ed25519 AAAA...   a key, whether presented plain, certified, or as a CA
 * ssh-ed25519 AAAA... comment   the same, as a bare public key line
 * hash: SHA256:Gr3c5...  a key by its ssh-keygen -l fingerprint
 * </pre>
 * Unlike ssh-keygen's spec, serial and id lines apply to every CA the daemon trusts (gproc has one cluster CA).
 *
 * <p>The file is re-read when its modification time, size or inode changes, checked at every query (one stat).
 * A file that cannot be read or parsed refuses everything until it is fixed: a broken revocation list must not
 * silently let revoked keys back in.
 */
public final class RevocationList {
    private final Path file;
    private final boolean watched;
    private volatile Snapshot snapshot;

    private record Stamp(Object fileKey, FileTime modified, long size) {
    }

    private record Snapshot(Stamp stamp, Set<String> blobs, Set<String> fingerprints, List<long[]> serials,
                            Set<String> ids, String broken) {
    }

    private RevocationList(Path file, boolean watched, Snapshot snapshot) {
        this.file = file;
        this.watched = watched;
        this.snapshot = snapshot;
    }

    /** Reads {@code file}, which must exist and parse completely (a typo in a revocation must be seen at start). */
    public static RevocationList load(Path file) throws IOException {
        Snapshot s = read(file);
        if (s.broken != null) {
            throw new IOException(s.broken);
        }
        return new RevocationList(file, true, s);
    }

    /** Nothing revoked (no {@code --revoked} given). */
    public static RevocationList none() {
        return new RevocationList(null, false, new Snapshot(null, Set.of(), Set.of(), List.of(), Set.of(), null));
    }

    public Path file() {
        return file;
    }

    /** Null when {@code key} (a plain key, or a certificate's key or CA) is not revoked; otherwise why. */
    public String revocation(PublicKey key) {
        Snapshot s = current();
        if (s.broken != null) {
            return s.broken + "; refusing every key until the revocation list is fixed";
        }
        return keyRevocation(s, key, "key");
    }

    /** Null when neither the certificate, its key, its CA, its serial nor its key id is revoked; otherwise why. */
    public String revocation(OpenSshCertificate cert) {
        Snapshot s = current();
        if (s.broken != null) {
            return s.broken + "; refusing every certificate until the revocation list is fixed";
        }
        String why = keyRevocation(s, cert.getCertPubKey(), "its key");
        if (why == null) {
            why = keyRevocation(s, cert.getCaPubKey(), "its CA key");
        }
        if (why == null) {
            long serial = cert.getSerial();
            for (long[] range : s.serials) {
                if (Long.compareUnsigned(serial, range[0]) >= 0 && Long.compareUnsigned(serial, range[1]) <= 0) {
                    why = "serial " + Long.toUnsignedString(serial) + " is revoked in " + file;
                    break;
                }
            }
        }
        if (why == null && cert.getId() != null && s.ids.contains(cert.getId())) {
            why = "key id " + Certificates.quote(cert.getId()) + " is revoked in " + file;
        }
        return why;
    }

    /**
     * Re-reads the file if its modification time, size or inode changed since the last query (one stat); true when
     * it was re-read, so what is connected may need judging again.
     */
    public boolean refresh() {
        Snapshot before = snapshot;
        current();
        return snapshot != before;
    }

    private String keyRevocation(Snapshot s, PublicKey key, String which) {
        if (key == null) {
            return null;
        }
        byte[] blob = Keys.blob(key);
        String fp = Keys.fingerprint(blob);
        if (s.blobs.contains(Base64.getEncoder().encodeToString(blob)) || s.fingerprints.contains(fp)) {
            return which + " " + fp + " is revoked in " + file;
        }
        return null;
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        if (!watched) {
            return s;
        }
        Stamp now = stamp(file);
        if (now == null || !now.equals(s.stamp)) {
            synchronized (this) {
                s = snapshot;
                if (now == null || !now.equals(s.stamp)) {
                    s = read(file);
                    snapshot = s;
                }
            }
        }
        return s;
    }

    private static Stamp stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.lastModifiedTime(), a.size());
        } catch (IOException e) {
            return null;
        }
    }

    /** Parses {@code lines} as the content of {@code file}, which is not read (for specs and fuzzing). */
    static RevocationList parse(Path file, List<String> lines) throws IOException {
        Snapshot s = parse(null, file, lines);
        if (s.broken != null) {
            throw new IOException(s.broken);
        }
        return new RevocationList(file, false, s);
    }

    private static Snapshot read(Path file) {
        Stamp stamp = stamp(file);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return brokenSnapshot(stamp, "revocation list " + file + ": cannot be read (" + e + ")");
        }
        return parse(stamp, file, lines);
    }

    private static Snapshot parse(Stamp stamp, Path file, List<String> lines) {
        Set<String> blobs = new HashSet<>();
        Set<String> fingerprints = new HashSet<>();
        List<long[]> serials = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                parseLine(line, blobs, fingerprints, serials, ids);
            } catch (IOException e) {
                return brokenSnapshot(stamp, "revocation list " + file + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return new Snapshot(stamp, Set.copyOf(blobs), Set.copyOf(fingerprints), List.copyOf(serials),
                Set.copyOf(ids), null);
    }

    private static Snapshot brokenSnapshot(Stamp stamp, String why) {
        return new Snapshot(stamp, Set.of(), Set.of(), List.of(), Set.of(), why);
    }

    private static void parseLine(String line, Set<String> blobs, Set<String> fingerprints, List<long[]> serials,
                                  Set<String> ids) throws IOException {
        int colon = line.indexOf(':');
        String directive = colon > 0 && !line.substring(0, colon).contains(" ")
                ? line.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        String value = colon > 0 ? line.substring(colon + 1).strip() : "";
        switch (directive) {
            case "serial" -> serials.add(serialRange(value));
            case "id" -> {
                if (value.isEmpty()) {
                    throw new IOException("'id:' needs a key id");
                }
                ids.add(value);
            }
            case "key" -> blobs.add(keyBlob(value));
            case "hash" -> {
                if (!value.matches("SHA256:[A-Za-z0-9+/]{43}")) {
                    throw new IOException("'hash:' needs a SHA256: fingerprint as ssh-keygen -l prints it");
                }
                fingerprints.add(value);
            }
            default -> {
                if (line.startsWith("ssh-") || line.startsWith("ecdsa-") || line.startsWith("sk-")) {
                    blobs.add(keyBlob(line));
                } else {
                    throw new IOException("expected 'serial:', 'id:', 'key:', 'hash:' or a public key line");
                }
            }
        }
    }

    private static long[] serialRange(String value) throws IOException {
        String[] ends = value.split("-", -1);
        try {
            if (ends.length == 1) {
                long n = Long.parseUnsignedLong(ends[0].strip());
                return new long[] {n, n};
            }
            if (ends.length == 2) {
                long lo = Long.parseUnsignedLong(ends[0].strip());
                long hi = Long.parseUnsignedLong(ends[1].strip());
                if (Long.compareUnsigned(lo, hi) > 0) {
                    throw new IOException("serial range '" + value + "' runs backwards");
                }
                return new long[] {lo, hi};
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IOException("'serial:' needs an unsigned decimal serial or range N-M, not '" + value + "'");
    }

    /** The key's blob in base64, re-encoded so equal keys compare equal; a certificate line revokes its key. */
    private static String keyBlob(String keyLine) throws IOException {
        String[] f = keyLine.split("\\s+", 3);
        if (f.length < 2) {
            throw new IOException("expected 'keytype base64-key [comment]'");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(f[1]);
        } catch (IllegalArgumentException e) {
            throw new IOException("key is not valid base64");
        }
        PublicKey key = Certificates.decodeBlob(blob, "key");
        if (!f[0].equals(KeyUtils.getKeyType(key))) {
            throw new IOException("line says '" + f[0] + "' but the key is " + KeyUtils.getKeyType(key));
        }
        if (key instanceof OpenSshCertificate cert) {
            key = cert.getCertPubKey();
        }
        return Base64.getEncoder().encodeToString(Keys.blob(key));
    }

    @Override
    public String toString() {
        Snapshot s = snapshot;
        return "RevocationList{" + file + ", " + s.blobs.size() + " keys, " + s.fingerprints.size()
                + " fingerprints, " + s.serials.size() + " serial ranges, " + s.ids.size() + " ids"
                + (s.broken == null ? "" : ", broken") + "}";
    }
}
