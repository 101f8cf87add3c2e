package org.gproc.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.gproc.client.Inventory;
import org.gproc.client.NodeAddress;
import org.gproc.transport.cert.CertificateAuthority;
import org.gproc.transport.ssh.Keys;

/**
 * The files one Slurm job's daemons and clients share, all under {@code ~/.gproc/slurm/JOBID/} (mode 0700, on the
 * home file system every allocated node sees):
 * <pre>
 * ca, ca.pub               the job's own CA: signs the host keys below and nothing else
 * authorized_keys          the one key let in: the user's identity, principal = the user name
 * id_ed25519               the user's identity for this job, when the user has no ~/.gproc/id_ed25519
 * known_hosts              one @cert-authority line trusting the job CA for the nodes' names and addresses
 * hosts/NODE/host_ed25519  each node's host key and host certificate (principals: node name and address)
 * hosts/NODE/listen        the HOST:PORT its daemon binds; hosts/NODE/exit its exit status once it ends
 * log/NODE.out, .err       each daemon's output (srun -o/-e); log/NODE.audit its audit log
 * step                     JOBID.STEPID of the daemons' job step, for gproc slurm down
 * inventory.groovy         written last, once every daemon serves: what gproc reads inside the allocation
 * </pre>
 * Nothing outside the job trusts its CA, and the CA trusts nothing but this job's daemons, so the keys are worthless
 * once the job is over.
 */
final class SlurmJobDir {
    /** Host certificates outlive any sensible job; the CA dies with the directory anyway. */
    private static final Duration HOST_CERT_VALIDITY = Duration.ofDays(366);

    private final Path dir;
    private final String jobId;

    SlurmJobDir(Path home, String jobId) {
        this.dir = Inventory.slurmJobDir(home, jobId);
        this.jobId = jobId;
    }

    Path path() {
        return dir;
    }

    Path inventory() {
        return dir.resolve(Inventory.SLURM_JOB_INVENTORY);
    }

    Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    Path authorizedKeys() {
        return dir.resolve("authorized_keys");
    }

    Path host(String node) {
        return dir.resolve("hosts").resolve(node);
    }

    Path hostKey(String node) {
        return host(node).resolve("host_ed25519");
    }

    Path log(String file) {
        return dir.resolve("log").resolve(file);
    }

    Path step() {
        return dir.resolve("step");
    }

    /** Creates the directory (owner only), failing if a previous {@code slurm up} of this job left one. */
    void create() throws IOException {
        Path parent = dir.getParent();
        Files.createDirectories(parent);
        ownerOnly(parent.getParent());
        ownerOnly(parent);
        Files.createDirectory(dir);
        ownerOnly(dir);
        Files.createDirectories(dir.resolve("log"));
        Files.createDirectories(dir.resolve("hosts"));
    }

    /**
     * Makes every key: the job CA, one host key and certificate per node, authorized_keys with {@code userKey}, and
     * known_hosts trusting the CA for the nodes' names and addresses.
     */
    void makeKeys(Map<String, String> addressByNode, PublicKey userKey, String principal) throws IOException {
        CertificateAuthority ca = CertificateAuthority.init(dir);
        long serial = 1;
        Set<String> patterns = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : addressByNode.entrySet()) {
            String node = e.getKey();
            String address = e.getValue();
            Files.createDirectories(host(node));
            Keys.write(Keys.generate(), hostKey(node), node);
            List<String> principals = new ArrayList<>(List.of(node.toLowerCase(Locale.ROOT)));
            if (!address.equalsIgnoreCase(node)) {
                principals.add(address.toLowerCase(Locale.ROOT));
            }
            ca.signHostKeyFile(Path.of(hostKey(node) + ".pub"), principals, HOST_CERT_VALIDITY, serial++,
                    "gproc-slurm-" + jobId + "-" + node);
            for (String p : principals) {
                patterns.add(p);
                patterns.add("[" + p + "]:*");
            }
        }
        write(knownHosts(), "# gproc slurm up, job " + jobId + ": this job's CA vouches for its daemons' host keys\n"
                + "@cert-authority " + String.join(",", patterns) + " " + ca.publicKeyLine() + " gproc-slurm-"
                + jobId + "\n");
        write(authorizedKeys(), Keys.publicKeyLine(userKey) + " " + principal + "\n");
    }

    /** The identity to log in with: the user's own when it exists, else one made for this job alone. */
    Path identity(Path userIdentity) throws IOException {
        if (userIdentity != null && Files.isReadable(userIdentity)) {
            return userIdentity;
        }
        Path own = dir.resolve("id_ed25519");
        Keys.loadOrGenerate(own, "gproc-slurm-" + jobId);
        return own;
    }

    static KeyPair loadIdentity(Path identity) throws IOException {
        return Keys.loadPrivateKey(identity);
    }

    /** The inventory clients in the allocation read; written atomically so a reader never sees half of it. */
    void writeInventory(List<NodeAddress> nodes, Path identity) throws IOException {
        Inventory inv = Inventory.of("slurm job " + jobId, nodes, Map.of()).withKnownHosts(knownHosts())
                .withIdentity(identity);
        Path tmp = dir.resolve(Inventory.SLURM_JOB_INVENTORY + ".tmp");
        Files.writeString(tmp, inv.toText(dir), StandardCharsets.UTF_8);
        Files.move(tmp, inventory(), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** Removes the whole directory (keys included). */
    void delete() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static void ownerOnly(Path p) throws IOException {
        if (Files.getFileAttributeView(p, PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
