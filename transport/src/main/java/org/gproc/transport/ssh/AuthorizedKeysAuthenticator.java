package org.gproc.transport.ssh;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain-key authorization against one authorized_keys file, re-read whenever its modification time, size or
 * identity (inode) changes. The matching entry names the principal, never the user name the client asked for. A file that disappears or cannot be read
 * authorizes nobody until it is back (fail closed), and says so in the log once per change.
 */
final class AuthorizedKeysAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(AuthorizedKeysAuthenticator.class);

    private record Snapshot(AuthorizedKeys keys, FileTime modified, long size, Object fileKey) {
    }

    private final Path file;
    private volatile Snapshot snapshot;

    /** Loads the file now: a missing or unreadable file at start-up is an error, not an empty list. */
    AuthorizedKeysAuthenticator(Path file) throws IOException {
        this.file = file;
        BasicFileAttributes attrs = attributes();
        if (attrs == null) {
            throw new IOException("authorized_keys " + file + ": no such file");
        }
        this.snapshot = load(attrs);
    }

    /** The matching entry, or why there is none (the caller logs the refusal with the rest of the request). */
    record Match(AuthorizedKeys.Entry entry, String refusal) {
    }

    Match authorize(PublicKey key, InetAddress remote, Instant now) {
        AuthorizedKeys keys = current();
        Optional<AuthorizedKeys.Entry> entry = keys.authorize(key, remote, now);
        if (entry.isPresent()) {
            return new Match(entry.get(), null);
        }
        return new Match(null, file + " " + keys.find(key)
                .map(e -> "line " + e.lineNumber() + ": " + e.refusal(remote, now)).orElse("does not list it"));
    }

    /**
     * Re-reads the file if it changed since the last look (one stat); true when it was re-read (or found gone or
     * unreadable), so what is connected may need judging again.
     */
    boolean refresh() {
        Snapshot before = snapshot;
        current();
        return snapshot != before;
    }

    /** The current entries, re-read first if the file changed. */
    AuthorizedKeys current() {
        BasicFileAttributes attrs = attributes();
        Snapshot s = snapshot;
        if (attrs == null) {
            if (!s.keys().entries().isEmpty() || s.modified() != null) {
                LOG.error("authorized_keys {} is gone: nobody can log in until it is back", file);
                snapshot = new Snapshot(AuthorizedKeys.parse(file, List.of()), null, -1, null);
            }
            return snapshot.keys();
        }
        if (Objects.equals(attrs.lastModifiedTime(), s.modified()) && attrs.size() == s.size()
                && Objects.equals(attrs.fileKey(), s.fileKey())) {
            return s.keys();
        }
        synchronized (this) {
            if (snapshot == s) {
                try {
                    snapshot = load(attrs);
                } catch (IOException e) {
                    LOG.error("authorized_keys {}: cannot be read ({}); nobody can log in until it can", file,
                            e.getMessage());
                    snapshot = new Snapshot(AuthorizedKeys.parse(file, List.of()), attrs.lastModifiedTime(),
                            attrs.size(), attrs.fileKey());
                }
            }
            return snapshot.keys();
        }
    }

    private Snapshot load(BasicFileAttributes attrs) throws IOException {
        AuthorizedKeys keys = AuthorizedKeys.load(file);
        keys.problems().forEach(p -> LOG.warn("{}", p));
        LOG.info("authorized_keys {}: {} entries", file, keys.entries().size());
        return new Snapshot(keys, attrs.lastModifiedTime(), attrs.size(), attrs.fileKey());
    }

    private BasicFileAttributes attributes() {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }
}
