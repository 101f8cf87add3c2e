package org.gproc.daemon;

import org.gproc.client.Version;
import org.gproc.daemon.session.Quotas;
import org.gproc.transport.log.Verbosity;
import picocli.CommandLine;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code gprocd}: flags in, a {@link GprocDaemon} out; everything else lives in the daemon. */
@Command(name = "gprocd", mixinStandardHelpOptions = true, versionProvider = Gprocd.VersionProvider.class,
        description = {"The gproc node daemon: serves the XCPU process tree over 9P2000 in the SSH subsystem xcpu@gproc.",
            "",
            "On SIGTERM (or SIGINT) it stops listening, sends SIGTERM to every running process group, SIGKILL to "
                + "those still running --stop-timeout seconds later, and deletes every session's spools and fs/; "
                + "blob caches stay.",
            "",
            "On SIGHUP (a restart: systemctl reload, or gprocd --restart) it drops its connections and exits leaving "
                + "every session running; the next gprocd started on the same --state-dir (also after kill -9 or a "
                + "crash) takes every session back: processes, output, stdin, exit status, owner.",
            ""},
        sortOptions = false)
public final class Gprocd implements Callable<Integer> {

    /** How long a restart (SIGHUP) may take to drop connections before the process exits anyway. */
    private static final long DETACH_SECONDS = 20;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
            description = "Address to serve on; port 0 picks free ports. With --instances N: ports PORT..PORT+N-1.")
    String listen;

    @Option(names = "--host-key", required = true, paramLabel = "FILE",
            description = "OpenSSH Ed25519 host key; generated (with FILE.pub) if absent.")
    Path hostKey;

    @Option(names = "--authorized-keys", paramLabel = "FILE",
            description = "OpenSSH authorized_keys; each entry's comment is the principal owning its sessions."
                + " Re-read when it changes. This, --trusted-user-ca, or both.")
    Path authorizedKeys;

    @Option(names = "--trusted-user-ca", paramLabel = "FILE",
            description = "CA public keys (OpenSSH lines) whose user certificates are accepted; the session owner is"
                + " a certificate principal (the SSH user name only picks one the certificate holds).")
    Path trustedUserCa;

    @Option(names = "--revoked", paramLabel = "FILE",
            description = "Keys, 'serial: N[-M]', 'id: KEYID' and 'hash: SHA256:...' lines refused even when"
                + " authorized or CA-signed (ssh-keygen -k text format); re-read when it changes.")
    Path revoked;

    @Option(names = "--host-cert", paramLabel = "FILE",
            description = "Host certificate of --host-key (ssh-keygen -h -s CA, or gproc keys sign-host) presented to"
                + " clients whose known_hosts trusts its CA (@cert-authority).")
    Path hostCertificate;

    @Option(names = "--cert-expiry-grace", paramLabel = "SECONDS", defaultValue = "0",
            description = "Close a connection this long after its user certificate expires (default ${DEFAULT-VALUE}).")
    long certExpiryGraceSeconds;

    @Option(names = "--max-startups", paramLabel = "START:RATE:FULL", defaultValue = "64:30:256",
            description = "Connections per node waiting for authentication: from START on, new ones are dropped with"
                + " RATE%% probability, rising to 100%% at FULL (OpenSSH's MaxStartups); one number N is a hard cap"
                + " (default ${DEFAULT-VALUE}).")
    String maxStartups;

    @Option(names = "--per-source-max-startups", paramLabel = "N", defaultValue = "none",
            description = "At most N waiting connections per node from one source netblock (OpenSSH's"
                + " PerSourceMaxStartups; default ${DEFAULT-VALUE}).")
    String perSourceMaxStartups;

    @Option(names = "--per-source-penalties", paramLabel = "SPEC", defaultValue = "yes",
            description = "Refuse sources whose logins keep failing, as OpenSSH's PerSourcePenalties: 'no', or words"
                + " such as 'authfail:5s noauth:1s grace-exceeded:10s min:15s max:10m' changing the defaults"
                + " (default ${DEFAULT-VALUE}: OpenSSH's).")
    String perSourcePenalties;

    @Option(names = "--per-source-netblock-size", paramLabel = "V4:V6", defaultValue = "32:128",
            description = "Leading address bits that make one source for the per-source limits and penalties"
                + " (OpenSSH's PerSourceNetBlockSize; default ${DEFAULT-VALUE}).")
    String perSourceNetblockSize;

    @Option(names = "--state-dir", required = true, paramLabel = "DIR",
            description = "Spools, session fs/ and blob caches (one subdirectory per node).")
    Path stateDir;

    @Option(names = "--admin", paramLabel = "PRINCIPAL",
            description = "A principal that sees and controls every session (repeatable).")
    List<String> admins = new ArrayList<>();

    @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "600",
            description = "Keep an idle finished session this long before reaping it (default ${DEFAULT-VALUE}).")
    long graceSeconds;

    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "1000",
            description = "Sessions one principal may hold per node (default ${DEFAULT-VALUE}); at the limit the"
                    + " oldest finished session with no open file is wiped to make room.")
    int maxSessions;

    @Option(names = "--spool-cap", paramLabel = "BYTES", defaultValue = "1G", converter = SizeConverter.class,
            description = "Cap on each of a session's stdout and stderr (K/M/G suffixes; default ${DEFAULT-VALUE}).")
    long spoolCap;

    @Option(names = "--cache-quota", paramLabel = "BYTES", defaultValue = "4G", converter = SizeConverter.class,
            description = "Blob cache size per node; unreferenced blobs are evicted (default ${DEFAULT-VALUE}).")
    long cacheQuota;

    @Option(names = "--max-push", paramLabel = "BYTES", defaultValue = "1G", converter = SizeConverter.class,
            description = "Largest blob or fs/ file one push may write (default ${DEFAULT-VALUE}).")
    long maxPush;

    @Option(names = "--max-argv", paramLabel = "BYTES", defaultValue = "256K", converter = SizeConverter.class,
            description = "Largest argv of a session (default ${DEFAULT-VALUE}).")
    long maxArgv;

    @Option(names = "--max-env", paramLabel = "BYTES", defaultValue = "256K", converter = SizeConverter.class,
            description = "Largest env of a session (default ${DEFAULT-VALUE}).")
    long maxEnv;

    @Option(names = "--session-memory", paramLabel = "BYTES", converter = SizeConverter.class,
            description = "Memory limit of each session's cgroup (memory.max; K/M/G suffixes; default: none)."
                    + " Needs the memory controller delegated to gprocd's cgroup (systemd: Delegate=yes); refused"
                    + " at start where it is not.")
    Long sessionMemory;

    @Option(names = "--session-pids", paramLabel = "N", defaultValue = "0",
            description = "Process limit of each session's cgroup (pids.max; 0 = none, the default). Needs the pids"
                    + " controller delegated to gprocd's cgroup; refused at start where it is not.")
    long sessionPids;

    @Option(names = "--state-quota", paramLabel = "BYTES", converter = SizeConverter.class,
            description = "Cap on the bytes of all spools, fs/ uploads and blob pushes in progress in the state dir"
                    + " (K/M/G suffixes; default: none). An upload past it is refused and removed; a session whose"
                    + " output passes it is stopped and its output cut, like at --spool-cap.")
    Long stateQuota;

    @Option(names = "--principal-quota", paramLabel = "BYTES", converter = SizeConverter.class,
            description = "The same cap per principal (default: none).")
    Long principalQuota;

    @Option(names = "--msize", paramLabel = "BYTES", defaultValue = "1M", converter = SizeConverter.class,
            description = "Largest 9P message the daemon agrees to (default ${DEFAULT-VALUE}).")
    long msize;

    @Option(names = "--max-fids", paramLabel = "N", defaultValue = "4096",
            description = "Fids one connection may hold (default ${DEFAULT-VALUE}).")
    int maxFids;

    @Option(names = "--instances", paramLabel = "N", defaultValue = "1",
            description = "Run N independent virtual nodes n1..nN in this process (default ${DEFAULT-VALUE}).")
    int instances;

    @Option(names = "--stop-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "At shutdown, seconds between SIGTERM and SIGKILL for running processes (default ${DEFAULT-VALUE}).")
    long stopTimeoutSeconds;

    @Option(names = "--audit-log", paramLabel = "FILE",
            description = "Append one JSON object per line for every authentication and process-control action "
                    + "(created 0600 if missing; never truncated).")
    Path auditLog;

    @Option(names = "--local-exec", paramLabel = "PRINCIPALS", defaultValue = "*",
            description = "Comma-separated principals that may exec node-local files (absolute paths); the others may"
                    + " only run pushed binaries. '*' = everyone (default ${DEFAULT-VALUE}), '' = no one.")
    String localExec;

    @Option(names = "--user-map", paramLabel = "FILE",
            description = "'principal unixuser' lines: when gprocd runs as root, each session's process runs as its"
                    + " owner's user; unmapped principals cannot exec.")
    Path userMap;

    @Option(names = "--relay",
            description = "Relay: serve /n/ beside this node's tree; 'child NAME HOST PORT KEYSPEC' written to /n/ctl"
                    + " connects to a child (one SSH connection each, logged in with this daemon's host key), whose"
                    + " tree is then /n/NAME/.")
    boolean relay;

    @Option(names = "--relay-for", paramLabel = "FILE",
            description = "With --relay: an inventory whose nodes are the only children /n/ctl may name.")
    Path relayFor;

    @Option(names = "--relay-cert", paramLabel = "FILE",
            description = "With --relay: a user certificate of the host key (e.g. with principal 'relay'), presented"
                    + " to children before the plain host key.")
    Path relayCertificate;

    @Option(names = "--trusted-relay", paramLabel = "PRINCIPAL", arity = "1..*",
            description = "Principals (relays) that may act for the users who authenticated at them: on their"
                    + " connections the attach's uname names the session owner. Repeatable.")
    List<String> trustedRelays = new ArrayList<>();

    @Option(names = "--gateway-for", paramLabel = "FILE",
            description = "Be a gateway (jump host) for the nodes of FILE, a gproc inventory: authenticated users may"
                    + " open SSH direct-tcpip channels to those nodes' addresses and nowhere else (ssh -J works);"
                    + " each request is audited. Without it no forwarding of any kind is accepted.")
    Path gatewayFor;

    @Option(names = "--report-arch", paramLabel = "ARCH",
            description = "Test only: the /arch file says ARCH instead of this machine's arch, so per-arch pushes can"
                    + " be tried on one machine. Never on a real node: clients choose binaries by it.")
    String reportArch;

    @Option(names = "--write-inventory", paramLabel = "FILE",
            description = "Write a gproc inventory naming the nodes n1..nN, plus FILE.known_hosts.")
    Path inventory;

    @Option(names = "--restart",
            description = "Take over from the gprocd running on --state-dir: send it SIGHUP (it exits, leaving its"
                    + " sessions running), wait until it has let go of the state dir, then start and take its"
                    + " sessions back. Without one running, start as usual.")
    boolean restart;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info", converter = LevelConverter.class,
            description = "How much gprocd logs on stderr (the journal under systemd): error, warn, info (default:"
                    + " startup, logins, connections), debug or trace. SSH library messages appear from debug on.")
    Verbosity logLevel;

    public static void main(String[] args) {
        // exit also after a restart's detach, whatever library threads are still winding down
        System.exit(commandLine().execute(args));
    }

    /** The command line {@code main} runs: an error while starting prints as {@code gprocd: message}, exit 1. */
    static CommandLine commandLine() {
        return new CommandLine(new Gprocd()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("gprocd: " + e.getMessage());
            return 1;
        });
    }

    @Override
    public Integer call() throws Exception {
        logLevel.apply(); // before GprocDaemon makes the first logger
        int colon = listen.lastIndexOf(':');
        if (colon <= 0 || colon == listen.length() - 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--listen '" + listen + "' is not HOST:PORT");
        }
        String host = listen.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--listen '" + listen + "': port is not a number");
        }
        if (authorizedKeys == null && trustedUserCa == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --authorized-keys FILE, --trusted-user-ca FILE or both: otherwise nobody could log in");
        }
        if (certExpiryGraceSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--cert-expiry-grace " + certExpiryGraceSeconds + " must be zero or more seconds");
        }
        SshOptions.Flags sshFlags;
        try {
            sshFlags = SshOptions.Flags.parse(maxStartups, perSourceMaxStartups, perSourcePenalties,
                    perSourceNetblockSize);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!relay && (relayFor != null || relayCertificate != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), (relayFor != null ? "--relay-for"
                    : "--relay-cert") + " configures relaying: give --relay too");
        }
        if (restart) {
            takeOver(stateDir);
        }
        boolean fresh = !Files.exists(stateDir);
        StateLock lock = StateLock.acquire(stateDir);
        GprocDaemon daemon;
        try {
            daemon = GprocDaemon.builder()
                .listen(host, port)
                .hostKey(hostKey)
                .authorizedKeys(authorizedKeys)
                .trustedUserCa(trustedUserCa)
                .revoked(revoked)
                .hostCertificate(hostCertificate)
                .certExpiryGrace(Duration.ofSeconds(certExpiryGraceSeconds))
                .maxStartups(sshFlags.maxStartups())
                .perSourceMaxStartups(sshFlags.perSourceMaxStartups())
                .perSourcePenalties(sshFlags.penalties())
                .perSourceNetblockSize(sshFlags.netblockV4(), sshFlags.netblockV6())
                .stateDir(stateDir)
                .admins(admins)
                .grace(Duration.ofSeconds(graceSeconds))
                .maxSessionsPerPrincipal(maxSessions)
                .spoolCap(spoolCap)
                .cacheQuota(cacheQuota)
                .maxPushBytes(maxPush)
                .maxArgvBytes(Math.toIntExact(maxArgv))
                .maxEnvBytes(Math.toIntExact(maxEnv))
                .msize(Math.toIntExact(msize))
                .maxFids(maxFids)
                .instances(instances)
                .stopTimeout(Duration.ofSeconds(stopTimeoutSeconds))
                .quotas(quotas())
                .auditLog(auditLog)
                .localExec(parseLocalExec(localExec))
                .userMap(userMap)
                .relay(relay)
                .relayFor(relayFor)
                .relayCertificate(relayCertificate)
                .trustedRelays(trustedRelays)
                .gatewayFor(gatewayFor)
                .reportArch(reportArch)
                .start();
        } catch (IOException | RuntimeException e) {
            lock.close();
            if (fresh) {
                lock.removeEmpty(); // a start refused for a bad flag leaves no state dir behind
            }
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGHUP first: until it is handled, the JVM's default for it would run the hook below and end every session
        SignalHandler before = Signal.handle(new Signal("HUP"), hup -> {
            Thread deadline = new Thread(() -> {
                try {
                    Thread.sleep(DETACH_SECONDS * 1000);
                    System.err.println("gprocd: the restart's detach took over " + DETACH_SECONDS + " s; exiting now");
                    Runtime.getRuntime().halt(0); // the sessions do not need this process any more
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "gprocd-restart-deadline");
            deadline.setDaemon(true);
            deadline.start();
            new Thread(() -> {
                try {
                    daemon.detach();
                } finally {
                    stopped.countDown(); // exit whatever happened: the sessions are the next daemon's either way
                }
            }, "gprocd-restart").start();
        });
        if (before == SignalHandler.SIG_IGN) {
            // the JVM keeps a signal ignored at launch ignored: no handler of ours will ever run
            System.err.println("gprocd: SIGHUP was ignored when gprocd started (nohup?), so neither SIGHUP nor gprocd"
                    + " --restart can restart it; kill -9 and a new start on the same --state-dir keep the sessions too");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close(); // nothing left to do after a restart's detach
            lock.close();
            stopped.countDown();
        }, "gprocd-shutdown"));
        if (inventory != null) {
            daemon.writeInventory(inventory);
        }
        System.out.println("gprocd " + Version.VERSION + ": serving " + (instances == 1 ? "n1 on " + host + ":"
                + daemon.port() : "n1..n" + instances + " on " + host + ":" + daemon.port() + ".."
                + daemon.port(instances)) + ", host key " + daemon.hostKeyFingerprint());
        System.out.flush();
        CipherWarmup.start();
        stopped.await();
        return 0;
    }

    /**
     * {@code --restart}: the daemon holding the state dir is sent SIGHUP and given a minute to let go. Its pid is
     * checked against the start time it wrote, so a pid reused since is never signalled.
     */
    private void takeOver(Path stateDir) throws IOException, InterruptedException {
        StateLock.Holder holder = StateLock.holder(stateDir);
        if (holder == null) {
            System.err.println("gprocd: --restart: no gprocd runs on " + stateDir + "; starting");
            return;
        }
        if (!holder.alive()) {
            throw new IOException("--restart: " + stateDir.resolve(StateLock.FILE) + " is locked, but pid "
                    + holder.pid() + " is not the gprocd that locked it (another pid namespace?); not signalled");
        }
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(holder.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("--restart: kill -HUP " + holder.pid() + " failed (exit " + kill.exitValue() + ")");
        }
        if (!StateLock.awaitRelease(stateDir, 60)) {
            throw new IOException("--restart: gprocd pid " + holder.pid() + " got SIGHUP but still holds " + stateDir
                    + " after 60 s (was it started with SIGHUP ignored, e.g. under nohup? its log says so)");
        }
        System.err.println("gprocd: --restart: gprocd pid " + holder.pid() + " has left " + stateDir
                + "; taking over its sessions");
    }

    private Quotas quotas() {
        try {
            return new Quotas(sessionMemory == null ? 0 : sessionMemory, sessionPids,
                    stateQuota == null ? 0 : stateQuota, principalQuota == null ? 0 : principalQuota);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** {@code *} → null (everyone); otherwise a comma list, empty entries not allowed except the whole list. */
    private Set<String> parseLocalExec(String text) {
        String t = text.strip();
        if (t.equals("*")) {
            return null;
        }
        Set<String> principals = new LinkedHashSet<>();
        if (t.isEmpty()) {
            return principals;
        }
        for (String p : t.split(",", -1)) {
            String principal = p.strip();
            if (principal.isEmpty() || principal.equals("*")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--local-exec '" + text
                        + "': give '*' alone, or principals separated by commas (no empty ones)");
            }
            principals.add(principal);
        }
        return principals;
    }

    /** Sizes like 1048576, 512K, 64M, 1G (binary multiples). */
    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim().toUpperCase(Locale.ROOT);
            long multiplier = 1;
            if (!v.isEmpty()) {
                switch (v.charAt(v.length() - 1)) {
                    case 'K' -> multiplier = 1L << 10;
                    case 'M' -> multiplier = 1L << 20;
                    case 'G' -> multiplier = 1L << 30;
                    case 'T' -> multiplier = 1L << 40;
                    default -> multiplier = 1;
                }
                if (multiplier != 1) {
                    v = v.substring(0, v.length() - 1);
                }
            }
            try {
                long n = Long.parseLong(v);
                if (n <= 0) {
                    throw new CommandLine.TypeConversionException("'" + value + "' must be positive");
                }
                return Math.multiplyExact(n, multiplier);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a size (a number with an optional K, M, G or T suffix)");
            }
        }
    }

    static final class LevelConverter implements CommandLine.ITypeConverter<Verbosity> {
        @Override
        public Verbosity convert(String value) {
            try {
                return Verbosity.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"gprocd " + Version.VERSION};
        }
    }
}
