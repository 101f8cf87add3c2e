package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.internal.exec.Futures;
import org.gproc.repl.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gproc push FILE... -w NODES}: Slurm's sbcast — stage files in every node's content-addressed cache. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Place files in the nodes' content-addressed caches (like sbcast), so later runs send nothing.",
                "Prints the bytes sent to each node (0 when it already had them)."})
final class PushCommand implements Callable<Integer> {
    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "-w", paramLabel = "NODES", required = true, description = "Target nodes.")
    String nodes;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Files to push.")
    List<String> files;

    @Override
    public Integer call() {
        int status = 0;
        try (Cluster cluster = ClusterAccess.open(cli, nodes, Duration.ofSeconds(10))) {
            Table table = new Table("NODE", "BYTES_SENT", "ERROR");
            for (Map.Entry<String, Object> e : cluster.getAll().preload(files.toArray()).entrySet()) {
                if (e.getValue() instanceof Throwable t) {
                    table.row(e.getKey(), "-", Futures.message(t));
                    status = 1;
                } else {
                    table.row(e.getKey(), e.getValue(), "");
                }
            }
            table.print(spec.commandLine().getOut(), cli.json());
        }
        return status;
    }
}
