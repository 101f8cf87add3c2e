package org.gproc.cli;

import org.gproc.client.ClusterOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code gproc run script.groovy [args]}: a batch job with the REPL's bindings and foreground semantics. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a Groovy job script against the cluster (bindings: cluster, nodes, args).",
                "Exit status: 0 done, 1 the script failed, 2 a foreground process failed, 130 interrupted."})
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    GprocCli cli;

    @Mixin
    LaunchOptions launchOptions;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCRIPT", description = "The job script.")
    Path script;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments, bound as 'args'.")
    List<String> args = List.of();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ClusterOptions options = launchOptions.apply(cli.clusterOptions(), cli.caller(), err);
        if (launchOptions.dryRun) {
            return Sessions.dryRunScript(cli.inventory(), options, script, args, spec.commandLine().getOut());
        }
        return Sessions.script(cli.inventory(), options, script, args);
    }
}
