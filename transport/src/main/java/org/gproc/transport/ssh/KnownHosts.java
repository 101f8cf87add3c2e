package org.gproc.transport.ssh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.cert.CertificateChecks;
import org.gproc.transport.cert.CertificateRefusedException;
import org.gproc.transport.cert.Certificates;
import org.gproc.transport.cert.RevocationList;

/**
 * An OpenSSH known_hosts file, parsed: plain host patterns ({@code host}, {@code [host]:port}, comma lists,
 * {@code *}/{@code ?} wildcards, {@code !} negation), hashed entries ({@code |1|salt|hmac}), several keys per host,
 * and the {@code @revoked} and {@code @cert-authority} markers. Lines that cannot be parsed are skipped and reported by {@link #problems()}, never guessed at.
 * Instances are immutable.
 */
public final class KnownHosts {

    public enum Marker { NONE, CERT_AUTHORITY, REVOKED }

    /** One key line. {@code line} is the text as found in the file, for error messages. */
    public record Entry(int lineNumber, String line, Marker marker, String hostPatterns, String keyType, byte[] blob) {
        public String fingerprint() {
            return Keys.fingerprint(blob);
        }

        public boolean sameKey(byte[] otherBlob) {
            return MessageDigest.isEqual(blob, otherBlob);
        }

        /** True when the host patterns match {@code host} at {@code port} (and no negated pattern does). */
        public boolean matches(String host, int port) {
            return matchPatterns(hostPatterns, hostToken(host, port));
        }
    }

    /**
     * TRUSTED, UNKNOWN, MISMATCH and REVOKED as in OpenSSH. CERTIFICATE_REFUSED: a {@code @cert-authority} line
     * covers the host and the host certificate presented broke a rule. UNCERTIFIED: a {@code @cert-authority} line
     * covers the host but the node proved neither a certificate from that CA nor a key listed for it; unlike UNKNOWN
     * this is never accepted as new, so stripping the certificate cannot downgrade a CA-vouched host to first use.
     */
    public enum Status { TRUSTED, UNKNOWN, MISMATCH, REVOKED, CERTIFICATE_REFUSED, UNCERTIFIED }

    /**
     * The outcome of {@link #check}; {@code entry} is the line that decided it (null for UNKNOWN), {@code refusal}
     * why a host certificate was refused (CERTIFICATE_REFUSED only).
     */
    public record Verdict(Status status, Entry entry, CertificateRefusedException refusal) {
        public Verdict(Status status, Entry entry) {
            this(status, entry, null);
        }
    }

    /**
     * Host keys kept by their owner in memory instead of a file, looked up per connection for the host and port
     * dialled (a relay holds one line per child, so a check costs one lookup and no file is read or rewritten).
     */
    @FunctionalInterface
    public interface Lookup {
        /** The lines that vouch for {@code host} port {@code port}; empty when none. */
        KnownHosts forTarget(String host, int port);
    }

    private static final Map<Path, Object> APPEND_LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final List<Entry> entries;
    private final List<String> problems;
    /** Plain, wildcard-free patterns by their lower-cased token; everything else is scanned. */
    private final Map<String, List<Entry>> byToken = new HashMap<>();
    private final List<Entry> scanned = new ArrayList<>();

    private KnownHosts(Path file, List<Entry> entries, List<String> problems) {
        this.file = file;
        this.entries = List.copyOf(entries);
        this.problems = List.copyOf(problems);
        for (Entry e : this.entries) {
            if (e.marker() != Marker.NONE || e.hostPatterns().startsWith("|") || e.hostPatterns().matches(".*[*?!].*")) {
                scanned.add(e);
            } else {
                for (String p : e.hostPatterns().split(",")) {
                    byToken.computeIfAbsent(p.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(e);
                }
            }
        }
    }

    /** Reads {@code file}; a file that does not exist yet is an empty known_hosts. */
    public static KnownHosts load(Path file) throws IOException {
        try {
            return parse(file, Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return new KnownHosts(file, List.of(), List.of());
        }
    }

    public static KnownHosts parse(Path file, List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            try {
                entries.add(parseLine(i + 1, text));
            } catch (IOException e) {
                problems.add("known_hosts " + file + " line " + (i + 1) + ": " + e.getMessage() + "; line ignored");
            }
        }
        return new KnownHosts(file, entries, problems);
    }

    private static Entry parseLine(int number, String text) throws IOException {
        String[] f = text.split("\\s+");
        int i = 0;
        Marker marker = Marker.NONE;
        if (f[0].startsWith("@")) {
            marker = switch (f[0]) {
                case "@revoked" -> Marker.REVOKED;
                case "@cert-authority" -> Marker.CERT_AUTHORITY;
                default -> throw new IOException("unknown marker '" + f[0] + "' (known: @revoked, @cert-authority)");
            };
            i++;
        }
        if (f.length < i + 3) {
            throw new IOException("expected 'hosts keytype base64-key [comment]'");
        }
        String hosts = f[i];
        String type = f[i + 1];
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(f[i + 2]);
        } catch (IllegalArgumentException e) {
            throw new IOException("key is not valid base64");
        }
        String inner = Keys.blobType(blob);
        if (!inner.equals(type)) {
            throw new IOException("key type '" + type + "' does not match the key itself ('" + inner + "')");
        }
        if (hosts.startsWith("|") && !hosts.startsWith("|1|")) {
            throw new IOException("unknown hashed host format (only |1| is defined)");
        }
        return new Entry(number, text, marker, hosts, type, blob);
    }

    public Path file() {
        return file;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** One message per line that was skipped, naming the file, the line and the rule it broke. */
    public List<String> problems() {
        return problems;
    }

    /** {@link #check(String, int, PublicKey, Clock)} at the current time. */
    public Verdict check(String host, int port, PublicKey key) {
        return check(host, port, key, Clock.systemUTC());
    }

    /**
     * Decides whether {@code key} - a plain host key or a host certificate - is the right one for {@code host} at
     * {@code port}, in this order:
     * <ol>
     * <li>REVOKED when a {@code @revoked} line for the host lists the key (for a certificate: its key or its CA);</li>
     * <li>for a certificate, when {@code @cert-authority} lines cover the host: TRUSTED if one of their CAs signed
     *     it for the name {@code host} (lower-cased, as OpenSSH does; the port plays no part in the principal) and it
     *     is valid at {@code clock}'s time, else CERTIFICATE_REFUSED. Unlike OpenSSH there is no fallback to the
     *     certificate's plain key: a CA-vouched host whose certificate fails is refused;</li>
     * <li>otherwise the plain key (a certificate's own key when no CA line covers the host, as OpenSSH falls back):
     *     TRUSTED when a line for the host has it; MISMATCH when lines for the host list other keys of the same type
     *     (the entry is the first such line); UNCERTIFIED when only {@code @cert-authority} lines cover the host;
     *     UNKNOWN otherwise, which includes a host known only by keys of other types.</li>
     * </ol>
     */
    public Verdict check(String host, int port, PublicKey key, Clock clock) {
        OpenSshCertificate cert = key instanceof OpenSshCertificate c ? c : null;
        PublicKey plain = cert != null ? cert.getCertPubKey() : key;
        byte[] blob = Keys.blob(plain);
        byte[] caBlob = cert != null && cert.getCaPubKey() != null ? Keys.blob(cert.getCaPubKey()) : null;
        List<Entry> candidates = candidates(host, port);
        List<Entry> authorities = new ArrayList<>();
        for (Entry e : candidates) {
            if (e.marker() == Marker.REVOKED && (e.sameKey(blob) || (caBlob != null && e.sameKey(caBlob)))) {
                return new Verdict(Status.REVOKED, e);
            }
            if (e.marker() == Marker.CERT_AUTHORITY) {
                authorities.add(e);
            }
        }
        if (cert != null && !authorities.isEmpty()) {
            return checkCertificate(cert, host.toLowerCase(Locale.ROOT), authorities, caBlob, clock);
        }
        String type = Keys.publicKeyLine(plain).split(" ", 2)[0];
        Entry differing = null;
        for (Entry e : candidates) {
            if (e.marker() != Marker.NONE) {
                continue;
            }
            if (e.sameKey(blob)) {
                return new Verdict(Status.TRUSTED, e);
            }
            if (differing == null && e.keyType().equals(type)) {
                differing = e;
            }
        }
        if (differing != null) {
            return new Verdict(Status.MISMATCH, differing);
        }
        return authorities.isEmpty() ? new Verdict(Status.UNKNOWN, null)
                : new Verdict(Status.UNCERTIFIED, authorities.get(0));
    }

    private static Verdict checkCertificate(OpenSshCertificate cert, String name, List<Entry> authorities,
                                            byte[] caBlob, Clock clock) {
        Entry signer = authorities.get(0);
        List<PublicKey> caKeys = new ArrayList<>();
        for (Entry e : authorities) {
            if (caBlob != null && e.sameKey(caBlob)) {
                signer = e;
            }
            if (CryptoPolicy.KEY_TYPE.equals(e.keyType())) {
                try {
                    caKeys.add(Keys.fromBlob(e.keyType(), e.blob()));
                } catch (IOException unreadable) {
                    // parsed as a key when the file was read; an unusable one simply trusts nothing
                }
            }
        }
        try {
            if (caKeys.isEmpty()) {
                throw new CertificateRefusedException(CertificateRefusedException.Rule.UNTRUSTED_CA,
                        Certificates.describe(cert) + " cannot be checked: no " + CryptoPolicy.KEY_TYPE
                                + " @cert-authority key covers this host");
            }
            CertificateChecks.trusting(caKeys, RevocationList.none(), clock).checkHost(cert, name);
            return new Verdict(Status.TRUSTED, signer);
        } catch (CertificateRefusedException refused) {
            return new Verdict(Status.CERTIFICATE_REFUSED, signer, refused);
        }
    }

    private List<Entry> candidates(String host, int port) {
        String token = hostToken(host, port).toLowerCase(Locale.ROOT);
        List<Entry> out = new ArrayList<>(byToken.getOrDefault(token, List.of()));
        for (Entry e : scanned) {
            if (e.matches(host, port)) {
                out.add(e);
            }
        }
        out.sort((a, b) -> Integer.compare(a.lineNumber(), b.lineNumber()));
        return out;
    }

    /** How OpenSSH names a host in known_hosts: {@code host} on port 22, {@code [host]:port} otherwise. */
    public static String hostToken(String host, int port) {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    /** The known_hosts line for {@code key} at {@code host}:{@code port}, e.g. {@code [10.0.0.1]:5640 ssh-ed25519 AAAA}. */
    public static String line(String host, int port, PublicKey key) {
        return hostToken(host, port) + " " + Keys.publicKeyLine(key);
    }

    /**
     * Appends the line for {@code key} to {@code file} (created if absent), under a file lock so concurrent
     * appenders, in this process or another, never interleave or lose lines.
     */
    public static void append(Path file, String host, int port, PublicKey key) throws IOException {
        appendLines(file, List.of(line(host, port, key)));
    }

    static void appendLines(Path file, List<String> lines) throws IOException {
        withLock(file, ch -> {
            appendLocked(ch, lines);
            return null;
        });
    }

    /**
     * Adds {@code key} for {@code host}:{@code port} unless the file, re-read under the lock, already decides
     * otherwise. Returns the verdict found under the lock: UNKNOWN means the line was appended; TRUSTED means
     * another writer added this key first; MISMATCH and REVOKED mean nothing was written.
     */
    public static Verdict appendIfUnknown(Path file, String host, int port, PublicKey key) throws IOException {
        return appendIfUnknown(file, host, port, key, Clock.systemUTC());
    }

    /**
     * {@link #appendIfUnknown(Path, String, int, PublicKey)} deciding at {@code clock}'s time; for a certificate the
     * line holds its plain key (as OpenSSH writes), and only when no {@code @cert-authority} line covers the host.
     */
    public static Verdict appendIfUnknown(Path file, String host, int port, PublicKey key, Clock clock)
            throws IOException {
        PublicKey plain = key instanceof OpenSshCertificate cert ? cert.getCertPubKey() : key;
        return withLock(file, ch -> {
            ByteBuffer all = ByteBuffer.allocate((int) Math.min(ch.size(), Integer.MAX_VALUE - 8));
            while (all.hasRemaining() && ch.read(all, all.position()) > 0) {
                // read to the end
            }
            String text = new String(all.array(), 0, all.position(), StandardCharsets.UTF_8);
            Verdict v = parse(file, text.lines().toList()).check(host, port, key, clock);
            if (v.status() == Status.UNKNOWN) {
                appendLocked(ch, List.of(line(host, port, plain)));
            }
            return v;
        });
    }

    private interface LockedAction<T> {
        T run(FileChannel ch) throws IOException;
    }

    private static <T> T withLock(Path file, LockedAction<T> action) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        // A FileLock is held per JVM, not per thread (a second thread gets OverlappingFileLockException), so
        // threads of this process queue on a monitor first and the FileLock only guards against other processes.
        synchronized (APPEND_LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new Object())) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                return action.run(ch);
            }
        }
    }

    private static void appendLocked(FileChannel ch, List<String> lines) throws IOException {
        long size = ch.size();
        StringBuilder text = new StringBuilder();
        if (size > 0) {
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last, size - 1);
            if (last.get(0) != '\n') {
                text.append('\n');
            }
        }
        for (String l : lines) {
            text.append(l).append('\n');
        }
        ByteBuffer out = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        long pos = size;
        while (out.hasRemaining()) {
            pos += ch.write(out, pos);
        }
        ch.force(false);
    }

    // --- OpenSSH pattern matching (match.c: match_hostname / match_pattern) ---

    static boolean matchPatterns(String patterns, String token) {
        if (patterns.startsWith("|1|")) {
            return matchHashed(patterns, token);
        }
        String lower = token.toLowerCase(Locale.ROOT);
        boolean positive = false;
        for (String p : patterns.split(",")) {
            if (p.isEmpty()) {
                continue;
            }
            boolean negated = p.startsWith("!");
            String pattern = (negated ? p.substring(1) : p).toLowerCase(Locale.ROOT);
            if (glob(pattern, lower)) {
                if (negated) {
                    return false;
                }
                positive = true;
            }
        }
        return positive;
    }

    private static boolean matchHashed(String entry, String token) {
        String[] parts = entry.split("\\|");
        if (parts.length != 4) {
            return false;
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt, "HmacSHA1"));
            return MessageDigest.isEqual(expected, mac.doFinal(token.getBytes(StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    /** Hashes {@code host}:{@code port} the way {@code ssh-keygen -H} does, with the given salt (20 bytes). */
    static String hashedToken(String host, int port, byte[] salt) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(salt, "HmacSHA1"));
        byte[] hash = mac.doFinal(hostToken(host, port).getBytes(StandardCharsets.UTF_8));
        return "|1|" + Base64.getEncoder().encodeToString(salt) + "|" + Base64.getEncoder().encodeToString(hash);
    }

    /** Glob with {@code *} (any run) and {@code ?} (one character), iteratively so hostile patterns stay linear-ish. */
    static boolean glob(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public String toString() {
        return "KnownHosts{" + file + ", " + entries.size() + " entries"
                + (problems.isEmpty() ? "" : ", " + problems.size() + " bad lines") + "}";
    }
}
