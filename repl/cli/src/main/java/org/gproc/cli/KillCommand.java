package org.gproc.cli;

import org.gproc.client.Cluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code gproc kill [-s SIG] NODE:SESSION...}: XCPU's xk — signal sessions anywhere in the cluster. */
@Command(name = "kill", mixinStandardHelpOptions = true,
        description = "Send a signal to the process group of each NODE:SESSION (as listed by 'gproc ps').")
final class KillCommand implements Callable<Integer> {
    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "-s", paramLabel = "SIG", defaultValue = "TERM",
            description = "Signal name or number (default ${DEFAULT-VALUE}).")
    String signal;

    @Parameters(paramLabel = "NODE:SESSION", arity = "1..*", description = "Sessions to signal, e.g. n3:12.")
    List<String> targets;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Set<String> nodes = new LinkedHashSet<>();
        for (String t : targets) {
            int colon = t.lastIndexOf(':');
            if (colon <= 0 || colon == t.length() - 1) {
                err.println("gproc kill: '" + t + "' is not NODE:SESSION (e.g. n3:12)");
                err.flush();
                return 2;
            }
            nodes.add(t.substring(0, colon));
        }
        int status = 0;
        try (Cluster cluster = ClusterAccess.open(cli, String.join(",", nodes), Duration.ofSeconds(10))) {
            for (String t : targets) {
                try {
                    cluster.kill(t, signal);
                } catch (RuntimeException e) {
                    err.println("gproc kill: " + e.getMessage());
                    status = 1;
                }
            }
        }
        err.flush();
        return status;
    }
}
