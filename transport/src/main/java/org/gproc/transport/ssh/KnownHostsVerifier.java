package org.gproc.transport.ssh;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Objects;

import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.cert.Certificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a node's host key or host certificate against one known_hosts file, for the host name and port the caller
 * asked for (not a resolved address); {@link KnownHosts#check} says how certificates and {@code @cert-authority}
 * lines are judged (SSHD's own certificate check is switched off by {@link CertificateKex}, so this is the only one).
 * The file is re-read when it changes; or, for a caller that keeps its lines in memory ({@link KnownHosts.Lookup},
 * strict only), no file at all. With {@link HostKeyPolicy#ACCEPT_NEW} a host with no entry (and no
 * {@code @cert-authority} line) gets one appended - decided again under the file lock, so concurrent first
 * connections add one line and never overwrite a key another writer added. Any refusal is kept on the session for
 * the connector to report.
 */
final class KnownHostsVerifier implements ServerKeyVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(KnownHostsVerifier.class);

    /** The host and port as the caller named them; set on the connection context before the session exists. */
    record Target(String host, int port) {
    }

    static final AttributeKey<Target> TARGET = new AttributeKey<>();
    static final AttributeKey<HostKeyException> REFUSAL = new AttributeKey<>();

    private record Snapshot(KnownHosts hosts, FileTime modified, long size, Object fileKey) {
    }

    private final Path file;
    private final HostKeyPolicy policy;
    private final Clock clock;
    /** Lines held by the caller in memory instead of the file (strict only); null: the file. */
    private final KnownHosts.Lookup lookup;
    private Snapshot snapshot; // guarded by this

    KnownHostsVerifier(Path file, HostKeyPolicy policy) {
        this(file, policy, Clock.systemUTC());
    }

    KnownHostsVerifier(Path file, HostKeyPolicy policy, Clock clock) {
        this(file, policy, clock, null);
    }

    /** Checks against {@code lookup}'s lines for each target; {@code label} names them in refusals. */
    KnownHostsVerifier(Path label, KnownHosts.Lookup lookup) {
        this(label, HostKeyPolicy.STRICT, Clock.systemUTC(), Objects.requireNonNull(lookup, "lookup"));
    }

    private KnownHostsVerifier(Path file, HostKeyPolicy policy, Clock clock, KnownHosts.Lookup lookup) {
        this.file = Objects.requireNonNull(file, "knownHosts");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lookup = lookup;
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey key) {
        Target target = session.getConnectionContext() == null ? null
                : session.getConnectionContext().getAttribute(TARGET);
        if (target == null) {
            LOG.error("refusing host key from {}: the connection has no target host recorded", remoteAddress);
            return false;
        }
        PublicKey plain = key instanceof OpenSshCertificate cert ? cert.getCertPubKey() : key;
        try {
            KnownHosts hosts = lookup != null ? lookup.forTarget(target.host(), target.port()) : current();
            KnownHosts.Verdict verdict = hosts.check(target.host(), target.port(), key, clock);
            if (verdict.status() == KnownHosts.Status.UNKNOWN && policy == HostKeyPolicy.ACCEPT_NEW) {
                verdict = KnownHosts.appendIfUnknown(file, target.host(), target.port(), key, clock);
                if (verdict.status() == KnownHosts.Status.UNKNOWN) {
                    LOG.warn("{} port {}: trusted new host key {} and added it to {} (--accept-new)",
                            target.host(), target.port(), Keys.fingerprint(plain), file);
                    return true;
                }
            }
            if (verdict.status() == KnownHosts.Status.TRUSTED) {
                if (key instanceof OpenSshCertificate cert && verdict.entry() != null
                        && verdict.entry().marker() == KnownHosts.Marker.CERT_AUTHORITY) {
                    LOG.debug("{} port {}: accepted host {} signed by CA {}", target.host(), target.port(),
                            Certificates.describe(cert), verdict.entry().fingerprint());
                }
                return true;
            }
            HostKeyException refusal = new HostKeyException(target.host(), target.port(),
                    KeyUtils.getKeyType(key), Keys.fingerprint(plain), file, verdict);
            session.setAttribute(REFUSAL, refusal);
            LOG.warn("{}", refusal.getMessage());
            return false;
        } catch (IOException | RuntimeException e) {
            LOG.error("{} port {}: cannot check the host key against {}: {}", target.host(), target.port(), file,
                    e.toString());
            return false;
        }
    }

    private synchronized KnownHosts current() throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            attrs = null;
        }
        Snapshot s = snapshot;
        if (s != null && attrs != null && Objects.equals(attrs.lastModifiedTime(), s.modified())
                && attrs.size() == s.size() && Objects.equals(attrs.fileKey(), s.fileKey())) {
            return s.hosts();
        }
        if (s != null && attrs == null && s.modified() == null) {
            return s.hosts();
        }
        KnownHosts hosts = KnownHosts.load(file);
        hosts.problems().forEach(p -> LOG.warn("{}", p));
        snapshot = new Snapshot(hosts, attrs == null ? null : attrs.lastModifiedTime(),
                attrs == null ? -1 : attrs.size(), attrs == null ? null : attrs.fileKey());
        return hosts;
    }
}
