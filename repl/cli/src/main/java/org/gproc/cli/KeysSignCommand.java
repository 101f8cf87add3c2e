package org.gproc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.gproc.transport.cert.CertificateAuthority;
import org.gproc.transport.cert.Certificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code gproc keys sign-user} and {@code sign-host}: the cluster CA certifies a public key ({@code KEY.pub}) and
 * writes {@code KEY-cert.pub} beside it, as {@code ssh-keygen -s} does. Bad input (a missing or private key file, no
 * CA, a bad principal or validity) exits 2 naming the culprit; nothing is written then.
 */
abstract class KeysSignCommand implements Callable<Integer> {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Spec
    CommandSpec spec;

    @ParentCommand
    KeysCommand keys;

    @Option(names = "--principal", paramLabel = "NAME", required = true,
            description = "Who or what the certificate is for; repeat for several.")
    List<String> principals;

    @Option(names = "--serial", paramLabel = "N",
            description = "Certificate serial, for revocation by serial (default: random).")
    Long serial;

    @Option(names = "--key-id", paramLabel = "ID",
            description = "Key id, shown in logs and audit records (default: the first principal).")
    String keyId;

    @Option(names = "--ca", paramLabel = "DIR", description = "The CA directory (default ~/.gproc/ca).")
    Path caDir;

    @Parameters(index = "0", paramLabel = "KEY.pub", description = "The public key to certify.")
    Path publicKey;

    abstract String command();

    abstract Path sign(CertificateAuthority ca, Path pub, long serialNumber, String id) throws IOException;

    @Override
    public Integer call() {
        String problem = checkKeyFile(publicKey);
        if (problem != null) {
            return KeysCaCommand.badInput(spec, command(), problem);
        }
        if (serial != null && serial < 0) {
            return KeysCaCommand.badInput(spec, command(), "--serial " + serial + " must not be negative");
        }
        Path dir = KeysCaCommand.dir(keys, caDir);
        CertificateAuthority ca;
        Path cert;
        try {
            ca = CertificateAuthority.load(dir);
            long n = serial != null ? serial : RANDOM.nextLong() & Long.MAX_VALUE;
            cert = sign(ca, publicKey, n, keyId != null ? keyId : principals.get(0));
        } catch (IOException e) {
            return KeysCaCommand.badInput(spec, command(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        try {
            OpenSshCertificate c = Certificates.read(cert);
            err.println("gproc keys " + command() + ": wrote " + cert + ": " + Certificates.describe(c) + " for "
                    + String.join(", ", c.getPrincipals()) + ", valid until "
                    + Instant.ofEpochSecond(c.getValidBefore()).truncatedTo(ChronoUnit.SECONDS));
        } catch (IOException e) {
            err.println("gproc keys " + command() + ": wrote " + cert);
        }
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        out.println(cert);
        out.flush();
        return 0;
    }

    /** Null when {@code file} looks like a public key file; otherwise what is wrong, never quoting a private key. */
    static String checkKeyFile(Path file) {
        if (!Files.exists(file)) {
            return file + ": no such file (pass the public key, e.g. ~/.gproc/id_ed25519.pub)";
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            return file + ": not a readable file";
        }
        String head;
        try (var in = Files.newInputStream(file)) {
            head = new String(in.readNBytes(64), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return file + ": cannot read: " + e.getMessage();
        }
        if (head.startsWith("-----BEGIN")) {
            Path pub = file.resolveSibling(file.getFileName() + ".pub");
            return file + " is a private key; pass its public half"
                    + (Files.exists(pub) ? " " + pub : " (KEY.pub)") + " - the CA never needs your private key";
        }
        if (head.contains("-cert-v01@openssh.com")) {
            return file + " is already a certificate; pass the public key it certifies";
        }
        return null;
    }

    @Command(name = "sign-user", mixinStandardHelpOptions = true,
            description = {"Certify a user's public key: writes KEY-cert.pub beside KEY.pub. gprocd with",
                    "--trusted-user-ca then serves the certificate's principal (never the SSH user name).",
                    "Validity: 30m, 8h, 2d, 1w or +1h30m; default 8h."})
    static final class SignUser extends KeysSignCommand {
        @Option(names = "--validity", paramLabel = "TIME", converter = Validity.class,
                description = "How long from now, e.g. 8h, 30m, 2d, 1w (default 8h).")
        Duration validity = Duration.ofHours(8);

        @Override
        String command() {
            return "sign-user";
        }

        @Override
        Path sign(CertificateAuthority ca, Path pub, long n, String id) throws IOException {
            return ca.signUserKeyFile(pub, principals, validity, n, id);
        }
    }

    @Command(name = "sign-host", mixinStandardHelpOptions = true,
            description = {"Certify a node's host key: writes KEY-cert.pub beside KEY.pub, for gprocd --host-cert.",
                    "Principals are the names and addresses clients connect to; default validity 52w."})
    static final class SignHost extends KeysSignCommand {
        @Option(names = "--validity", paramLabel = "TIME", converter = Validity.class,
                description = "How long from now, e.g. 52w, 30d (default 52w).")
        Duration validity = Duration.ofDays(7 * 52);

        @Override
        String command() {
            return "sign-host";
        }

        @Override
        Path sign(CertificateAuthority ca, Path pub, long n, String id) throws IOException {
            return ca.signHostKeyFile(pub, principals, validity, n, id);
        }
    }
}
