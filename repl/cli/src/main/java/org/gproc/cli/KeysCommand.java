package org.gproc.cli;

import org.gproc.transport.ssh.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;

/** {@code gproc keys ...}: the control node's identity, the cluster CA and the certificates it signs. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Manage the control node's keys, the cluster CA and certificates; scan nodes' host keys.",
        subcommands = {KeysCommand.Init.class, KeysCaCommand.class, KeysSignCommand.SignUser.class,
                KeysSignCommand.SignHost.class, KeysScanCommand.class})
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @ParentCommand
    GprocCli cli;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code gproc keys init}: an Ed25519 identity in OpenSSH format, never overwriting an existing one. */
    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create the Ed25519 identity (default ~/.gproc/id_ed25519, mode 0600) and print the",
                    "authorized_keys line to install on the nodes. An existing key is kept, never overwritten."})
    static final class Init implements Callable<Integer> {
        @ParentCommand
        KeysCommand keys;

        @Option(names = "--principal", paramLabel = "NAME",
                description = "Who this key is (the authorized_keys comment), default USER@HOST.")
        String principal;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Where to write the private key.")
        Path file;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = keys.spec.commandLine().getOut();
            PrintWriter err = keys.spec.commandLine().getErr();
            Path target = file != null ? file : Path.of(System.getProperty("user.home"), ".gproc", "id_ed25519");
            String who = principal != null ? principal
                    : System.getProperty("user.name") + "@" + InetAddress.getLocalHost().getHostName();
            if (who.isBlank() || who.chars().anyMatch(Character::isWhitespace)) {
                err.println("gproc keys init: principal '" + who + "' must be one word, e.g. alice@lab");
                err.flush();
                return 2;
            }
            boolean existed = Files.exists(target);
            KeyPair pair = Keys.loadOrGenerate(target, who);
            String line = Keys.publicKeyLine(pair.getPublic()) + " " + who;
            err.println(existed ? "gproc keys init: keeping the existing key " + target
                    : "gproc keys init: wrote " + target + " and " + target + ".pub");
            err.println("Add this line to each node's authorized_keys (gprocd --authorized-keys FILE):");
            err.flush();
            out.println(line);
            out.flush();
            return 0;
        }
    }
}
