package org.gproc.daemon;

import org.gproc.daemon.session.Limits;
import org.gproc.daemon.session.Quotas;
import org.gproc.daemon.relay.RelayOptions;
import org.gproc.transport.ninep.server.NinePServer;
import org.gproc.transport.ssh.MaxStartups;
import org.gproc.transport.ssh.PerSourcePenalties;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link GprocDaemon} is started with. Built with {@link GprocDaemon#builder()}; {@code gprocd}'s flags
 * map one to one onto the builder's methods.
 */
public record DaemonConfig(String host, int port, Path hostKey, Path authorizedKeys, Path stateDir,
                           Set<String> admins, Limits limits, int msize, int maxFids, int instances,
                           Duration stopTimeout, Map<String, String> nodeEnv, Path auditLog,
                           Set<String> localExec, Path userMap, SshOptions ssh, RelayOptions relay,
                           Quotas quotas, String reportedArch) {

    public static final int DEFAULT_PORT = 5640;

    public DaemonConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(hostKey, "hostKey");
        Objects.requireNonNull(ssh, "ssh");
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(quotas, "quotas");
        if (authorizedKeys == null && ssh.trustedUserCa() == null) {
            throw new IllegalStateException("gprocd: give --authorized-keys, --trusted-user-ca or both (nobody could"
                    + " log in otherwise)");
        }
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        admins = Set.copyOf(admins);
        localExec = localExec == null ? null : Set.copyOf(localExec);
        nodeEnv = Map.copyOf(nodeEnv);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
        if (instances < 1) {
            throw new IllegalArgumentException("instances must be at least 1, got " + instances);
        }
        if (port != 0 && port + instances - 1 > 65535) {
            throw new IllegalArgumentException(instances + " instances from port " + port + " run past 65535");
        }
        if (reportedArch != null && !reportedArch.matches("[A-Za-z0-9_]{1,32}")) {
            throw new IllegalArgumentException("--report-arch '" + reportedArch + "' is not an arch name"
                    + " (letters, digits, _; e.g. aarch64)");
        }
        if (msize < 4096) {
            throw new IllegalArgumentException("msize " + msize + " is below 4096 bytes");
        }
        if (maxFids < 16) {
            throw new IllegalArgumentException("max fids " + maxFids + " is below 16");
        }
    }

    static Builder builder() {
        return new Builder();
    }

    /**
     * Fluent construction; {@code listen}, {@code hostKey}, {@code stateDir} and at least one of
     * {@code authorizedKeys} and {@code trustedUserCa} are required.
     */
    public static final class Builder {
        private String host;
        private int port = -1;
        private Path hostKey;
        private Path authorizedKeys;
        private Path stateDir;
        private final Set<String> admins = new LinkedHashSet<>();
        private Limits limits = Limits.DEFAULTS;
        private int msize = NinePServer.DEFAULT_MSIZE_CAP;
        private int maxFids = NinePServer.DEFAULT_MAX_FIDS;
        private int instances = 1;
        private String reportedArch;
        private Duration stopTimeout = Duration.ofSeconds(5);
        private Map<String, String> nodeEnv = System.getenv();
        private Path auditLog;
        private Set<String> localExec;
        private Path userMap;
        private SshOptions ssh = SshOptions.DEFAULTS;
        private RelayOptions relay = RelayOptions.NONE;
        private Quotas quotas = Quotas.NONE;

        private Builder() {
        }

        /** Where to listen; port 0 picks free ports (consecutive ones for several instances). */
        public Builder listen(String host, int port) {
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        /** The host key file (OpenSSH format); an Ed25519 key is generated there if it is absent. */
        public Builder hostKey(Path file) {
            this.hostKey = file;
            return this;
        }

        /**
         * OpenSSH authorized_keys; each entry's comment is the principal that owns its sessions. Optional when
         * {@link #trustedUserCa} is given (certificate-only logins).
         */
        public Builder authorizedKeys(Path file) {
            this.authorizedKeys = file;
            return this;
        }

        /** Sessions (spools, fs/) and blob caches live here, one subdirectory per node. */
        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** A principal that may see, signal and wipe every session and write the node env. */
        public Builder admin(String principal) {
            admins.add(Objects.requireNonNull(principal, "principal"));
            return this;
        }

        public Builder admins(Iterable<String> principals) {
            principals.forEach(this::admin);
            return this;
        }

        /** All limits at once (see {@link Limits#DEFAULTS}); the setters below change one each. */
        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** How long an idle normal session (no process running, no fid open) is kept before it is reaped. */
        public Builder grace(Duration grace) {
            limits = limits.withGrace(grace);
            return this;
        }

        public Builder maxSessionsPerPrincipal(int n) {
            limits = limits.withMaxSessionsPerPrincipal(n);
            return this;
        }

        public Builder spoolCap(long bytes) {
            limits = limits.withSpoolCapBytes(bytes);
            return this;
        }

        public Builder cacheQuota(long bytes) {
            limits = limits.withCacheQuotaBytes(bytes);
            return this;
        }

        public Builder maxPushBytes(long bytes) {
            limits = limits.withMaxPushBytes(bytes);
            return this;
        }

        public Builder maxArgvBytes(int bytes) {
            limits = limits.withMaxArgvBytes(bytes);
            return this;
        }

        public Builder maxEnvBytes(int bytes) {
            limits = limits.withMaxEnvBytes(bytes);
            return this;
        }

        /** The largest 9P message the daemon agrees to (default 1 MiB). */
        public Builder msize(int bytes) {
            this.msize = bytes;
            return this;
        }

        /** Fids one connection may hold at once. */
        public Builder maxFids(int n) {
            this.maxFids = n;
            return this;
        }

        /** Independent virtual nodes n1..nN on consecutive ports from the listen port. */
        public Builder instances(int n) {
            this.instances = n;
            return this;
        }

        /** Per-session cgroup limits and state-dir quotas (see {@link Quotas}). */
        public Builder quotas(Quotas quotas) {
            this.quotas = Objects.requireNonNull(quotas, "quotas");
            return this;
        }

        /** At shutdown, how long running processes get between SIGTERM and SIGKILL. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The nodes' default environment (default: the daemon's own). */
        public Builder nodeEnv(Map<String, String> env) {
            this.nodeEnv = Objects.requireNonNull(env, "env");
            return this;
        }

        /** Append one JSON line per authentication and process-control action to {@code file} (null: no log). */
        public Builder auditLog(Path file) {
            this.auditLog = file;
            return this;
        }

        /**
         * The principals that may exec node-local files; everyone else may only run pushed binaries. Null (the
         * default) lets everyone.
         */
        public Builder localExec(Set<String> principals) {
            this.localExec = principals;
            return this;
        }

        /** {@code principal unixuser} lines: as root, each session's process runs as its owner's user. */
        public Builder userMap(Path file) {
            this.userMap = file;
            return this;
        }

        /**
         * Accept OpenSSH user certificates signed by a CA key in {@code file}; the session owner is a principal of
         * the certificate (the requested SSH user name when the certificate holds it, else its first).
         */
        public Builder trustedUserCa(Path file) {
            ssh = ssh.withTrustedUserCa(file);
            return this;
        }

        /** Keys, certificate serials and key ids refused regardless; re-read when the file changes. */
        public Builder revoked(Path file) {
            ssh = ssh.withRevoked(file);
            return this;
        }

        /** A host certificate of the host key, presented to clients that trust its CA. */
        public Builder hostCertificate(Path file) {
            ssh = ssh.withHostCertificate(file);
            return this;
        }

        /** How long after its user certificate expires a connection is closed (default 0: at expiry). */
        public Builder certExpiryGrace(Duration grace) {
            ssh = ssh.withCertExpiryGrace(grace);
            return this;
        }

        /** At most {@code n} connections per node may wait for authentication; more are dropped at accept. */
        public Builder maxStartups(int n) {
            ssh = ssh.withMaxStartups(MaxStartups.of(n));
            return this;
        }

        /** MaxStartups with random early drop ({@code --max-startups START:RATE:FULL}; default 64:30:256). */
        public Builder maxStartups(MaxStartups startups) {
            ssh = ssh.withMaxStartups(startups);
            return this;
        }

        /** At most {@code n} waiting connections per node from one source netblock; 0 (default): no limit. */
        public Builder perSourceMaxStartups(int n) {
            ssh = ssh.withPerSourceMaxStartups(n);
            return this;
        }

        /** Penalties for sources that fail or abandon logins ({@code --per-source-penalties}; default off here). */
        public Builder perSourcePenalties(PerSourcePenalties penalties) {
            ssh = ssh.withPenalties(penalties);
            return this;
        }

        /** Leading address bits that make one source ({@code --per-source-netblock-size V4:V6}; default 32:128). */
        public Builder perSourceNetblockSize(int v4, int v6) {
            ssh = ssh.withNetblockSize(v4, v6);
            return this;
        }

        /** Serve {@code /n/} and relay to the children written to {@code /n/ctl} ({@code --relay}). */
        public Builder relay(boolean on) {
            relay = relay.withEnabled(on);
            return this;
        }

        /** Only the nodes of this inventory may be named as children ({@code --relay-for}). */
        public Builder relayFor(Path inventory) {
            relay = relay.withRelayFor(inventory);
            return this;
        }

        /** A user certificate of the host key, presented to children before the plain key ({@code --relay-cert}). */
        public Builder relayCertificate(Path file) {
            relay = relay.withCertificate(file);
            return this;
        }

        /** Principals that may name, per attach, the user they relay for ({@code --trusted-relay}). */
        public Builder trustedRelays(Iterable<String> principals) {
            Set<String> all = new LinkedHashSet<>(relay.trustedRelays());
            principals.forEach(p -> all.add(Objects.requireNonNull(p, "principal")));
            relay = relay.withTrustedRelays(all);
            return this;
        }

        /**
         * Makes the daemon a gateway to the nodes of {@code file} (a client inventory): authenticated clients may
         * open {@code direct-tcpip} channels to them, and to nothing else; each request is audited.
         */
        public Builder gatewayFor(Path file) {
            ssh = ssh.withGatewayFor(file);
            return this;
        }

        /**
         * For tests only: the arch the node files report ({@code /arch}) instead of the machine's, so a spec can
         * show a client choosing or refusing a binary by arch on one machine ({@code --report-arch}).
         */
        public Builder reportArch(String arch) {
            this.reportedArch = arch;
            return this;
        }

        public DaemonConfig build() {
            List<String> missing = new ArrayList<>();
            if (host == null) {
                missing.add("listen");
            }
            if (hostKey == null) {
                missing.add("hostKey");
            }
            if (authorizedKeys == null && ssh.trustedUserCa() == null) {
                missing.add("authorizedKeys or trustedUserCa");
            }
            if (stateDir == null) {
                missing.add("stateDir");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("gprocd: missing " + String.join(", ", missing));
            }
            return new DaemonConfig(host, port, hostKey, authorizedKeys, stateDir, admins, limits, msize, maxFids,
                    instances, stopTimeout, nodeEnv, auditLog, localExec, userMap, ssh, relay, quotas,
                    reportedArch);
        }

        /** Builds the config and starts the daemon. */
        public GprocDaemon start() throws IOException {
            return GprocDaemon.start(build());
        }
    }
}
