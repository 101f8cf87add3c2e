package org.gproc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.gproc.transport.cert.CertificateAuthority;
import org.gproc.transport.cert.Certificates;
import org.gproc.transport.ssh.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code gproc keys ca init|show}: the cluster certificate authority (an Ed25519 key in DIR/ca, DIR/ca.pub). */
@Command(name = "ca", mixinStandardHelpOptions = true,
        description = "The cluster certificate authority: one Ed25519 key pair, by default in ~/.gproc/ca/.",
        subcommands = {KeysCaCommand.Init.class, KeysCaCommand.Show.class})
final class KeysCaCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @ParentCommand
    KeysCommand keys;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The CA directory: {@code --dir}, else HOME/.gproc/ca. */
    static Path dir(KeysCommand keys, Path option) {
        return option != null ? option : keys.cli.home().resolve(".gproc").resolve("ca");
    }

    /** Prints {@code message} as {@code gproc keys COMMAND: message} on stderr and returns 2 (bad input). */
    static int badInput(CommandSpec spec, String command, String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("gproc keys " + command + ": " + message);
        err.flush();
        return 2;
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create the cluster CA key pair: DIR/ca (private, mode 0600, in a 0700 directory) and",
                    "DIR/ca.pub. An existing CA is never replaced without --force: every certificate depends on it."})
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        KeysCaCommand ca;

        @Option(names = "--dir", paramLabel = "DIR", description = "Where the CA lives (default ~/.gproc/ca).")
        Path dir;

        @Option(names = "--force", description = "Replace an existing CA key; certificates it signed stop being"
                + " trusted once nodes and known_hosts get the new ca.pub.")
        boolean force;

        @Override
        public Integer call() throws IOException {
            Path target = KeysCaCommand.dir(ca.keys, dir);
            Path key = target.resolve(CertificateAuthority.KEY_FILE);
            PrintWriter err = spec.commandLine().getErr();
            boolean replacing = Files.exists(key);
            if (replacing && !force) {
                return badInput(spec, "ca init", "a CA already exists in " + target + " (" + key + "); refusing to"
                        + " replace the key every certificate depends on (use --force to replace it anyway)");
            }
            if (replacing) {
                Files.delete(key);
                Files.deleteIfExists(target.resolve(CertificateAuthority.KEY_FILE + ".pub"));
            }
            CertificateAuthority authority = CertificateAuthority.init(target);
            err.println("gproc keys ca init: " + (replacing ? "REPLACED the CA: certificates signed by the old key"
                    + " are no longer trusted where the new ca.pub is installed; wrote " : "wrote ")
                    + authority.keyFile() + " (keep it secret) and " + authority.keyFile() + ".pub");
            err.println("Trust it on each node (gprocd --trusted-user-ca FILE) and in known_hosts"
                    + " (@cert-authority PATTERNS LINE) with this line:");
            err.flush();
            PrintWriter out = spec.commandLine().getOut();
            out.println(authority.publicKeyLine() + " gproc-ca");
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print the CA public key line, for gprocd --trusted-user-ca files, or, with",
                    "--cert-authority PATTERNS, as a known_hosts @cert-authority line."})
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        KeysCaCommand ca;

        @Option(names = "--dir", paramLabel = "DIR", description = "Where the CA lives (default ~/.gproc/ca).")
        Path dir;

        @Option(names = "--cert-authority", paramLabel = "PATTERNS",
                description = "Print '@cert-authority PATTERNS KEY' for known_hosts, e.g. '*.site-b.example,n*'.")
        String patterns;

        @Override
        public Integer call() {
            Path target = KeysCaCommand.dir(ca.keys, dir);
            Path pub = target.resolve(CertificateAuthority.KEY_FILE + ".pub");
            if (!Files.isRegularFile(pub)) {
                return badInput(spec, "ca show", "no CA in " + target + " (no " + pub + "); run: gproc keys ca init");
            }
            if (patterns != null && (patterns.isBlank() || patterns.chars().anyMatch(Character::isWhitespace))) {
                return badInput(spec, "ca show", "--cert-authority '" + patterns + "' must be one comma-separated list"
                        + " of host patterns without spaces");
            }
            String line;
            try {
                line = Keys.publicKeyLine(Certificates.readCaKeys(pub).get(0));
            } catch (IOException e) {
                return badInput(spec, "ca show", e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(patterns == null ? line + " gproc-ca" : "@cert-authority " + patterns + " " + line);
            out.flush();
            return 0;
        }
    }
}
