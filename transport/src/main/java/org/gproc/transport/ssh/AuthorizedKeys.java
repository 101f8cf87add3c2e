package org.gproc.transport.ssh;

import org.gproc.transport.xcpu.Principal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An OpenSSH authorized_keys file, parsed for gprocd.
 *
 * <p><b>Principal.</b> The identity of an entry is its comment field ({@code ssh-ed25519 AAAA... alice@lab} is
 * {@code alice@lab}); the SSH user name a client asks for plays no part. The comment must be one token of letters,
 * digits and {@code . _ @ + = -} (at most 128 characters, starting with a letter or digit), because principals end
 * up in space-separated status files and audit logs; an entry whose comment breaks that rule is ignored. An entry
 * without a comment gets the principal {@code fp-} followed by its SHA-256 fingerprint in URL-safe base64 without
 * padding, e.g. {@code fp-Gr3c5Eharhi-0fitqSPQr6T5MRfrSmD8YWT8cpWcrog}.
 *
 * <p><b>Keys.</b> Only {@code ssh-ed25519} entries are usable; lines with other key types are reported and ignored.
 *
 * <p><b>Options.</b> Enforced: {@code from="pattern-list"} (IP globs and CIDR blocks, {@code !} to exclude; host
 * names are not resolved, so a host-name pattern never matches) and {@code expiry-time="YYYYMMDD[HHMM[SS]][Z]"}.
 * Accepted because gprocd already refuses what they restrict or never grants what they permit: {@code restrict},
 * {@code no-port-forwarding}, {@code no-agent-forwarding}, {@code no-X11-forwarding}, {@code no-pty},
 * {@code no-user-rc}, {@code port-forwarding}, {@code agent-forwarding}, {@code X11-forwarding}, {@code pty},
 * {@code user-rc}, {@code permitopen}, {@code permitlisten}, {@code environment}, {@code tunnel},
 * {@code no-touch-required}. Any other option ({@code command} - a forced command cannot be honoured -,
 * {@code cert-authority}, {@code principals}, {@code verify-required}, or a name we do not know) makes the entry
 * ignored, so a restriction we do not implement never silently widens a key's rights.
 *
 * <p>Instances are immutable; problems found while parsing are in {@link #problems()}.
 */
public final class AuthorizedKeys {

    private static final Set<String> NO_OP_OPTIONS = Set.of("restrict", "no-port-forwarding", "no-agent-forwarding",
            "no-x11-forwarding", "no-pty", "no-user-rc", "port-forwarding", "agent-forwarding", "x11-forwarding", "pty",
            "user-rc", "permitopen", "permitlisten", "environment", "tunnel", "no-touch-required");

    private static final Map<String, String> REFUSED_OPTIONS = Map.of(
            "command", "a forced command cannot be honoured by gprocd (it serves only the xcpu@gproc subsystem)",
            "cert-authority", "certificate authorities are not supported in authorized_keys yet",
            "principals", "principals= only applies to certificate authorities, which are not supported yet",
            "verify-required", "verify-required only applies to FIDO keys, which gprocd does not accept");

    /** One usable entry. {@code options} keeps the names lower-cased, in file order; flags map to "". */
    public record Entry(int lineNumber, Map<String, String> options, byte[] blob, String comment, String principal) {
        public String fingerprint() {
            return Keys.fingerprint(blob);
        }

        public boolean sameKey(byte[] otherBlob) {
            return MessageDigest.isEqual(blob, otherBlob);
        }

        /**
         * Null when the entry's options allow a login from {@code remote} at {@code now}; otherwise the reason.
         */
        public String refusal(InetAddress remote, Instant now) {
            String from = options.get("from");
            if (from != null && !fromAllows(from, remote)) {
                return "from=\"" + from + "\" does not match " + remote.getHostAddress();
            }
            String expiry = options.get("expiry-time");
            if (expiry != null && !now.isBefore(parseExpiry(expiry))) {
                return "the key expired at " + expiry;
            }
            return null;
        }
    }

    private final Path file;
    private final List<Entry> entries;
    private final List<String> problems;

    private AuthorizedKeys(Path file, List<Entry> entries, List<String> problems) {
        this.file = file;
        this.entries = List.copyOf(entries);
        this.problems = List.copyOf(problems);
    }

    /** Reads {@code file}; a missing file is an error (a typo there must not look like "nobody may log in"). */
    public static AuthorizedKeys load(Path file) throws IOException {
        try {
            return parse(file, Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new IOException("authorized_keys " + file + ": no such file", e);
        }
    }

    public static AuthorizedKeys parse(Path file, List<String> lines) {
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
                problems.add("authorized_keys " + file + " line " + (i + 1) + ": " + e.getMessage()
                        + "; entry ignored");
            }
        }
        return new AuthorizedKeys(file, entries, problems);
    }

    public Path file() {
        return file;
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<String> problems() {
        return problems;
    }

    /** The first entry holding {@code key}, whether or not its options allow a given login. */
    public Optional<Entry> find(PublicKey key) {
        byte[] blob = Keys.blob(key);
        return entries.stream().filter(e -> e.sameKey(blob)).findFirst();
    }

    /** The first entry holding {@code key} whose options allow a login from {@code remote} at {@code now}. */
    public Optional<Entry> authorize(PublicKey key, InetAddress remote, Instant now) {
        byte[] blob = Keys.blob(key);
        return entries.stream().filter(e -> e.sameKey(blob) && e.refusal(remote, now) == null).findFirst();
    }

    /** The principal of a comment-less entry: {@code fp-} + URL-safe unpadded base64 of the key's SHA-256. */
    public static String derivedPrincipal(byte[] blob) {
        String b64 = Keys.fingerprint(blob).substring("SHA256:".length());
        return "fp-" + b64.replace('+', '-').replace('/', '_');
    }

    // --- parsing ---

    private static Entry parseLine(int number, String text) throws IOException {
        Map<String, String> options = new LinkedHashMap<>();
        String rest = text;
        if (!looksLikeKeyType(firstToken(text))) {
            int end = parseOptions(text, options);
            rest = text.substring(end).strip();
        }
        String[] f = rest.split("\\s+", 3);
        if (f.length < 2 || f[0].isEmpty()) {
            throw new IOException("expected '[options] keytype base64-key [comment]'");
        }
        String type = f[0];
        if (!looksLikeKeyType(type)) {
            throw new IOException("'" + type + "' is not a key type");
        }
        if (!CryptoPolicy.KEY_TYPE.equals(type)) {
            throw new IOException("key type " + type + " is not accepted (gprocd takes " + CryptoPolicy.KEY_TYPE
                    + " keys only)");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(f[1]);
        } catch (IllegalArgumentException e) {
            throw new IOException("key is not valid base64");
        }
        Keys.fromBlob(type, blob);
        String comment = f.length > 2 ? f[2].strip() : "";
        String principal;
        if (comment.isEmpty()) {
            principal = derivedPrincipal(blob);
        } else if (Principal.isValid(comment)) {
            principal = comment;
        } else {
            throw new IOException("comment '" + comment + "' is not a valid principal (" + Principal.RULE + ")");
        }
        for (Map.Entry<String, String> o : options.entrySet()) {
            checkOption(o.getKey(), o.getValue());
        }
        return new Entry(number, Collections.unmodifiableMap(options), blob, comment, principal);
    }

    private static boolean looksLikeKeyType(String token) {
        return token.startsWith("ssh-") || token.startsWith("ecdsa-") || token.startsWith("sk-");
    }

    private static String firstToken(String text) {
        String[] f = text.split("\\s+", 2);
        return f[0];
    }

    /** Parses {@code name[="value"],...} up to the first unquoted blank; returns the index just past the options. */
    static int parseOptions(String text, Map<String, String> out) throws IOException {
        int i = 0;
        int n = text.length();
        while (true) {
            int start = i;
            while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '-'
                    || text.charAt(i) == '_')) {
                i++;
            }
            if (i == start) {
                throw new IOException("bad option syntax at column " + (i + 1));
            }
            String name = text.substring(start, i).toLowerCase(Locale.ROOT);
            String value = "";
            if (i < n && text.charAt(i) == '=') {
                i++;
                if (i >= n || text.charAt(i) != '"') {
                    throw new IOException("option '" + name + "' needs a double-quoted value");
                }
                i++;
                StringBuilder v = new StringBuilder();
                while (true) {
                    if (i >= n) {
                        throw new IOException("option '" + name + "' has an unterminated quoted value");
                    }
                    char c = text.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\' && i < n && text.charAt(i) == '"') {
                        c = '"';
                        i++;
                    }
                    v.append(c);
                }
                value = v.toString();
            }
            if (out.putIfAbsent(name, value) != null) {
                throw new IOException("option '" + name + "' given twice");
            }
            if (i >= n || Character.isWhitespace(text.charAt(i))) {
                return i;
            }
            if (text.charAt(i) != ',') {
                throw new IOException("expected ',' or a blank after option '" + name + "'");
            }
            i++;
        }
    }

    private static void checkOption(String name, String value) throws IOException {
        switch (name) {
            case "from" -> {
                if (value.isBlank()) {
                    throw new IOException("from= needs a pattern list");
                }
                for (String p : value.split(",")) {
                    String pat = p.startsWith("!") ? p.substring(1) : p;
                    if (pat.contains("/")) {
                        parseCidr(pat);
                    }
                }
            }
            case "expiry-time" -> {
                try {
                    parseExpiry(value);
                } catch (IllegalArgumentException e) {
                    throw new IOException(e.getMessage());
                }
            }
            default -> {
                String why = REFUSED_OPTIONS.get(name);
                if (why != null) {
                    throw new IOException("option '" + name + "': " + why);
                }
                if (!NO_OP_OPTIONS.contains(name)) {
                    throw new IOException("unknown option '" + name + "'");
                }
            }
        }
    }

    static Instant parseExpiry(String spec) {
        String s = spec;
        boolean utc = s.endsWith("Z") || s.endsWith("z");
        if (utc) {
            s = s.substring(0, s.length() - 1);
        }
        if (!s.matches("\\d{8}(\\d{4}(\\d{2})?)?")) {
            throw new IllegalArgumentException("expiry-time=\"" + spec + "\" is not YYYYMMDD[HHMM[SS]][Z]");
        }
        try {
            LocalDate date = LocalDate.of(Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(4, 6)),
                    Integer.parseInt(s.substring(6, 8)));
            LocalTime time = s.length() >= 12
                    ? LocalTime.of(Integer.parseInt(s.substring(8, 10)), Integer.parseInt(s.substring(10, 12)),
                            s.length() == 14 ? Integer.parseInt(s.substring(12, 14)) : 0)
                    : LocalTime.MIDNIGHT;
            LocalDateTime at = LocalDateTime.of(date, time);
            return at.atZone(utc ? ZoneOffset.UTC : ZoneId.systemDefault()).toInstant();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("expiry-time=\"" + spec + "\" is not a valid date: " + e.getMessage());
        }
    }

    static boolean fromAllows(String patterns, InetAddress remote) {
        String ip = remote.getHostAddress().toLowerCase(Locale.ROOT);
        boolean positive = false;
        for (String p : patterns.split(",")) {
            boolean negated = p.startsWith("!");
            String pat = (negated ? p.substring(1) : p).toLowerCase(Locale.ROOT);
            boolean hit = pat.contains("/") ? inCidr(pat, remote) : KnownHosts.glob(pat, ip);
            if (hit) {
                if (negated) {
                    return false;
                }
                positive = true;
            }
        }
        return positive;
    }

    private static boolean inCidr(String cidr, InetAddress remote) {
        try {
            byte[][] net = parseCidr(cidr);
            byte[] addr = remote.getAddress();
            if (addr.length != net[0].length) {
                return false;
            }
            int bits = net[1][0] & 0xFF;
            for (int b = 0; b < bits; b++) {
                int mask = 0x80 >> (b % 8);
                if ((addr[b / 8] & mask) != (net[0][b / 8] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Returns {address bytes, {prefix length}}; only IP literals, never a DNS lookup. */
    private static byte[][] parseCidr(String cidr) throws IOException {
        int slash = cidr.indexOf('/');
        String addr = cidr.substring(0, slash);
        int bits;
        try {
            bits = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IOException("from=: bad CIDR prefix in '" + cidr + "'");
        }
        byte[] bytes = ipLiteral(addr);
        if (bytes == null) {
            throw new IOException("from=: '" + cidr + "' is not an IP address block");
        }
        if (bits < 0 || bits > bytes.length * 8) {
            throw new IOException("from=: prefix /" + bits + " is out of range in '" + cidr + "'");
        }
        return new byte[][] {bytes, {(byte) bits}};
    }

    /**
     * The bytes of an IPv4 dotted quad or an IPv6 literal, or null. Never a DNS lookup: IPv4 is parsed here, and
     * IPv6 goes to InetAddress in brackets, which makes it reject anything that is not a literal.
     */
    private static byte[] ipLiteral(String addr) {
        if (addr.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            String[] parts = addr.split("\\.");
            byte[] out = new byte[4];
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    return null;
                }
                out[i] = (byte) v;
            }
            return out;
        }
        if (!addr.matches("[0-9a-fA-F:.]+") || !addr.contains(":")) {
            return null;
        }
        try {
            byte[] out = InetAddress.getByName("[" + addr + "]").getAddress();
            return out;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "AuthorizedKeys{" + file + ", " + entries.size() + " entries"
                + (problems.isEmpty() ? "" : ", " + problems.size() + " ignored") + "}";
    }
}
