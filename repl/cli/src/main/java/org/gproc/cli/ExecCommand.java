package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.Job;
import org.gproc.client.Launch;
import org.gproc.client.NodeSet;
import org.gproc.client.OutputListener;
import org.gproc.client.RemoteProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gproc exec -w NODES [-b] [-t SECONDS] [--push] -- CMD ARGS}: pdsh's one-shot. Output streams as
 * {@code node: line}; {@code -b} folds identical outputs as dshbak -c. The exit code is the largest remote one, and
 * every node that failed is reported with how.
 */
@Command(name = "exec", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a command on every node of a node set (pdsh style).",
                "Without --push, CMD is the node's own program (a bare name is looked up in the node's PATH).",
                "With --push, the control node's CMD is pushed to every node (content-addressed) and run there."})
final class ExecCommand implements Callable<Integer> {
    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "-w", paramLabel = "NODES", required = true, description = "Target nodes, e.g. n[1-8] or @rack1.")
    String nodes;

    @Option(names = "-b", description = "Fold identical outputs under their node set (dshbak -c).")
    boolean fold;

    @Option(names = "-t", paramLabel = "SECONDS", description = "Command timeout: TERM, then KILL 5 s later.")
    Double timeout;

    @Option(names = "--push", description = "Push the local CMD to the nodes and run that.")
    boolean push;

    @Mixin
    PushOptions pushOptions;

    @Mixin
    LaunchOptions launchOptions;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long to wait for each node's connection (default ${DEFAULT-VALUE}).")
    double connectTimeout;

    @Parameters(index = "0", paramLabel = "CMD", description = "The program to run.")
    String command;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Its arguments.")
    List<String> args = List.of();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (pushOptions.any() && !push) {
            throw new IllegalArgumentException("exec: --libs and --arch say what to push: give --push too");
        }
        try (Cluster cluster = ClusterAccess.open(cli, nodes, Duration.ofMillis(Math.round(connectTimeout * 1000)),
                launchOptions, err)) {
            NodeSet targets = cluster.getAll();
            Launch<Job> launch = !push ? nodeProgram(targets)
                    : pushOptions.push(targets, pushOptions.perArch.isEmpty() ? localProgram() : command);
            launch.args(args);
            if (timeout != null) {
                launch.timeout(timeout);
            }
            if (launchOptions.dryRun) {
                out.print(cluster.dryRun(launch::run).toText());
                out.flush();
                return 0;
            }
            Job job = launch.run();
            if (!fold) {
                stream(job, out, err);
            }
            job.waitFor();
            if (fold) {
                printFolded(job, out);
            }
            return report(job, err);
        }
    }

    /** Like pdsh through a remote shell: a bare name is found in the node's PATH (the API runs it through env(1)). */
    private Launch<Job> nodeProgram(NodeSet targets) {
        return targets.command(command);
    }

    private String localProgram() {
        if (command.contains("/")) {
            return command;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalArgumentException("exec --push: '" + command + "' is not in the local PATH");
    }

    private static void stream(Job job, PrintWriter out, PrintWriter err) {
        for (RemoteProcess p : job.getProcesses()) {
            p.subscribe((process, stream, line) -> {
                PrintWriter to = stream == OutputListener.Stream.STDOUT ? out : err;
                synchronized (to) {
                    to.println(process.node() + ": " + line);
                    to.flush();
                }
            });
        }
    }

    private static void printFolded(Job job, PrintWriter out) throws InterruptedException {
        for (Map.Entry<NodeSet, String> group : job.byOutput().entrySet()) {
            out.println("----------------");
            out.println(group.getKey());
            out.println("----------------");
            String text = group.getValue();
            out.print(text.isEmpty() || text.endsWith("\n") ? text : text + "\n");
        }
        out.flush();
    }

    /** One line per failed node on stderr; the largest exit code. */
    private static int report(Job job, PrintWriter err) {
        for (String node : job.getFailed().getNames()) {
            err.println("gproc: " + node + ": " + job.getStatuses().get(node));
        }
        for (String node : job.getTimedOut().getNames()) {
            err.println("gproc: " + node + ": " + job.getStatuses().get(node));
        }
        err.flush();
        return Math.min(job.getMaxExitCode(), 255);
    }
}
