package org.gproc.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Callable;

import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.client.Inventory;
import org.gproc.client.NodeAddress;
import org.gproc.transport.ssh.HostKeyScanner;
import org.gproc.transport.ssh.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code gproc keys scan -w NODES}: ssh-keyscan for the inventory's nodes. Standard output is known_hosts text (each
 * key line preceded by a comment with the node, its fingerprint and any host certificate), so after checking the
 * fingerprints it can be appended to the known_hosts file as it is. Unreachable nodes go to stderr with the reason.
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Print each node's host key in known_hosts format (as ssh-keyscan does), the fingerprint and",
                "any host certificate in a comment above it. Only a key exchange takes place: no login is",
                "attempted. Check the fingerprints with the nodes' administrator before trusting the keys.",
                "Exit status: 0 every node answered, 1 some did not (each named on stderr)."})
final class KeysScanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    KeysCommand keys;

    @Option(names = "-w", paramLabel = "NODES", description = "Nodes to scan, e.g. n[1-8] or @rack1 (default: all).")
    String nodes;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long to wait for each node (default ${DEFAULT-VALUE}).")
    double connectTimeout;

    @Override
    public Integer call() throws InterruptedException {
        Inventory inventory = keys.cli.inventory();
        if (nodes != null) {
            inventory = inventory.subset(nodes);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<NodeAddress, CompletableFuture<HostKeyScanner.HostKey>> scans = new LinkedHashMap<>();
        int failed = 0;
        try (HostKeyScanner scanner = HostKeyScanner.start(Duration.ofMillis(Math.round(connectTimeout * 1000)))) {
            for (NodeAddress node : inventory.addresses()) {
                scans.put(node, scanner.scan(node.host(), node.port()));
            }
            List<String> failures = new ArrayList<>();
            for (Map.Entry<NodeAddress, CompletableFuture<HostKeyScanner.HostKey>> e : scans.entrySet()) {
                NodeAddress node = e.getKey();
                try {
                    print(out, node, e.getValue().get());
                } catch (ExecutionException | CompletionException x) {
                    Throwable cause = x.getCause() == null ? x : x.getCause();
                    failures.add("gproc keys scan: " + node.name() + " (" + node.hostAndPort() + "): "
                            + cause.getMessage().replaceFirst("^\\Q" + node.host() + " port " + node.port() + ": \\E", ""));
                }
            }
            out.flush();
            failures.forEach(err::println);
            err.flush();
            failed = failures.size();
        }
        return failed == 0 ? 0 : 1;
    }

    private static void print(PrintWriter out, NodeAddress node, HostKeyScanner.HostKey key) {
        out.println("# " + node.name() + " (" + node.hostAndPort() + ") " + key.fingerprint()
                + " " + key.key().getAlgorithm());
        if (key.certificate() != null) {
            OpenSshCertificate cert = key.certificate();
            out.println("# " + node.name() + " presents a host certificate '" + cert.getId() + "' (serial "
                    + Long.toUnsignedString(cert.getSerial()) + ") for " + String.join(", ", cert.getPrincipals())
                    + ", signed by CA " + Keys.fingerprint(cert.getCaPubKey()) + ", valid until "
                    + until(cert) + "; trust its CA with an @cert-authority line instead of this key:");
            out.println("#   " + key.certificateLine().orElseThrow());
        }
        out.println(key.knownHostsLine());
    }

    private static String until(OpenSshCertificate cert) {
        long end = cert.getValidBefore();
        return end == OpenSshCertificate.INFINITY || end < 0 ? "forever" : Instant.ofEpochSecond(end).toString();
    }
}
