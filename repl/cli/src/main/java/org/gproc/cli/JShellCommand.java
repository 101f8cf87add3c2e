package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.Node;
import org.gproc.client.ProcessTracker;
import org.gproc.repl.JShellSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code gproc jshell}: JShell on the configured cluster, the Java API's REPL. */
@Command(name = "jshell", mixinStandardHelpOptions = true,
        description = {"Open JShell (the JDK's) on the cluster: the client API on the class path, 'cluster' and "
                + "'nodes' bound, org.gproc.client.* imported.",
                "Output of the processes a snippet runs streams as 'node: line'. /exit leaves."})
final class JShellCommand implements Callable<Integer> {
    @ParentCommand
    GprocCli cli;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long to wait for each node's connection (default ${DEFAULT-VALUE}).")
    double connectTimeout;

    @Parameters(paramLabel = "JSHELL-OPTION", arity = "0..*",
            description = "Passed to JShell after '--', e.g. -- --feedback concise.")
    List<String> jshellArgs = List.of();

    @Override
    public Integer call() throws Exception {
        ProcessTracker tracker = new ProcessTracker();
        try (Cluster cluster = Cluster.connect(cli.inventory(), cli.clusterOptions()
                .withConnectTimeout(Duration.ofMillis(Math.round(connectTimeout * 1000))).withTracker(tracker))) {
            for (Node down : cluster.getDown()) {
                System.err.println("gproc: " + down.getName() + ": " + down.getDownReason());
            }
            boolean interactive = cli.stdin() == System.in && System.console() != null;
            return JShellSession.run(cluster, tracker, cli.stdin(), System.out, System.err, interactive, jshellArgs);
        }
    }
}
