package org.gproc.cli;

import org.gproc.client.ClusterOptions;
import org.gproc.client.Inventory;
import org.gproc.daemon.GprocDaemon;
import org.gproc.transport.ssh.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code gproc demo [--script FILE]}: a cluster of node daemons on loopback inside this process, with a demo
 * identity and host key generated and trusted in a demo directory, then the REPL (or the script) against it.
 * Nothing outside the demo directory is read or trusted.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Start an embedded cluster of node daemons on 127.0.0.1 (keys generated and trusted in",
                "the demo directory) and open the REPL on it, or run --script and exit."})
final class DemoCommand implements Callable<Integer> {
    static final String PRINCIPAL = "demo@gproc";

    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--script", paramLabel = "FILE", description = "Run this job script against the demo cluster and exit.")
    Path script;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "4", description = "How many nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--dir", paramLabel = "DIR", description = "Demo directory (default ~/.gproc/demo).")
    Path dir;

    @Override
    public Integer call() throws IOException {
        if (nodes < 1 || nodes > 1000) {
            spec.commandLine().getErr().println("gproc demo: --nodes " + nodes + " must be between 1 and 1000");
            spec.commandLine().getErr().flush();
            return 2;
        }
        Path home = dir != null ? dir : Path.of(System.getProperty("user.home"), ".gproc", "demo");
        Files.createDirectories(home);
        Path identity = home.resolve("id_ed25519");
        KeyPair user = Keys.loadOrGenerate(identity, PRINCIPAL);
        Path authorized = home.resolve("authorized_keys");
        Files.writeString(authorized, Keys.publicKeyLine(user.getPublic()) + " " + PRINCIPAL + "\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(authorized, PosixFilePermissions.fromString("rw-------"));
        try (GprocDaemon daemon = GprocDaemon.builder()
                .listen("127.0.0.1", 0)
                .hostKey(home.resolve("host_key"))
                .authorizedKeys(authorized)
                .stateDir(home.resolve("state"))
                .instances(nodes)
                .start()) {
            Inventory inventory = Inventory.load(daemon.writeInventory(home.resolve("cluster.groovy")))
                    .withIdentity(identity);
            ClusterOptions options = cli.clusterOptions();
            if (script != null) {
                return Sessions.script(inventory, options, script, List.of());
            }
            spec.commandLine().getErr().println("gproc demo: " + nodes + " nodes on 127.0.0.1 ports "
                    + daemon.port(1) + "-" + daemon.port(nodes) + "; inventory " + home.resolve("cluster.groovy"));
            spec.commandLine().getErr().flush();
            return Sessions.repl(inventory, options);
        }
    }
}
