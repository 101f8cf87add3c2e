package org.gproc.client.internal.route;

import org.gproc.client.NodeAddress;
import org.gproc.transport.ssh.KnownHosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The KEYSPEC a relay is told for a child: the line of the client's own known_hosts that covers the node's address,
 * a plain {@code ssh-ed25519} key first, else the {@code @cert-authority} line. A node known only by a revoked key,
 * or not at all, gets no KEYSPEC: a relay is never told to accept a key the client would not.
 */
public final class KnownHostKeys implements RouteOpener.KeySource {
    private static final String KEY_TYPE = "ssh-ed25519";
    private final Path file;
    private volatile Index index;

    public KnownHostKeys(Path file) {
        this.file = file;
    }

    /** Plain host tokens looked up at once; patterns, hashed names and marker lines scanned. */
    private record Index(Map<String, List<KnownHosts.Entry>> byToken, List<KnownHosts.Entry> scanned) {
        List<KnownHosts.Entry> covering(NodeAddress node) {
            List<KnownHosts.Entry> found = new ArrayList<>(byToken.getOrDefault(
                    KnownHosts.hostToken(node.host(), node.port()).toLowerCase(Locale.ROOT), List.of()));
            for (KnownHosts.Entry e : scanned) {
                if (e.matches(node.host(), node.port())) {
                    found.add(e);
                }
            }
            found.sort((a, b) -> Integer.compare(a.lineNumber(), b.lineNumber()));
            return found;
        }
    }

    @Override
    public String keySpec(NodeAddress node) {
        List<KnownHosts.Entry> covering = index().covering(node);
        KnownHosts.Entry plain = null;
        KnownHosts.Entry authority = null;
        for (KnownHosts.Entry e : covering) {
            if (!KEY_TYPE.equals(e.keyType())) {
                continue;
            }
            if (e.marker() == KnownHosts.Marker.NONE && plain == null && !revoked(e, covering)) {
                plain = e;
            } else if (e.marker() == KnownHosts.Marker.CERT_AUTHORITY && authority == null && !revoked(e, covering)) {
                authority = e;
            }
        }
        if (plain != null) {
            return KEY_TYPE + " " + Base64.getEncoder().encodeToString(plain.blob());
        }
        if (authority != null) {
            return "@cert-authority " + KEY_TYPE + " " + Base64.getEncoder().encodeToString(authority.blob());
        }
        throw new IllegalArgumentException("no usable " + KEY_TYPE + " host key for "
                + KnownHosts.hostToken(node.host(), node.port()) + " in " + file + " (a relay is told only keys"
                + " the client trusts: add the node's key, e.g. with a direct connection and --accept-new)");
    }

    private static boolean revoked(KnownHosts.Entry key, List<KnownHosts.Entry> covering) {
        for (KnownHosts.Entry e : covering) {
            if (e.marker() == KnownHosts.Marker.REVOKED && e.sameKey(key.blob())) {
                return true;
            }
        }
        return false;
    }

    private Index index() {
        Index i = index;
        if (i == null) {
            synchronized (this) {
                if (index == null) {
                    index = load();
                }
                i = index;
            }
        }
        return i;
    }

    private Index load() {
        KnownHosts hosts;
        try {
            hosts = KnownHosts.load(file);
        } catch (NoSuchFileException e) {
            return new Index(Map.of(), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("known_hosts " + file + ": " + e.getMessage(), e);
        }
        Map<String, List<KnownHosts.Entry>> byToken = new HashMap<>();
        List<KnownHosts.Entry> scanned = new ArrayList<>();
        for (KnownHosts.Entry e : hosts.entries()) {
            String patterns = e.hostPatterns();
            if (e.marker() != KnownHosts.Marker.NONE || patterns.startsWith("|") || patterns.matches(".*[*?!].*")) {
                scanned.add(e);
            } else {
                for (String p : patterns.split(",")) {
                    byToken.computeIfAbsent(p.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(e);
                }
            }
        }
        return new Index(byToken, scanned);
    }
}
