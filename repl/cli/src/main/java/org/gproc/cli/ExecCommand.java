package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.Launch;
import org.gproc.client.Node;
import org.gproc.client.RemoteProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@code gproc exec [OPTIONS] -w NODES COMMAND...}: pdsh's and clush's one-shot. Options come before the command and
 * everything from the command on is the command's (no {@code --} needed); the words are one command line for the
 * node's {@code /bin/sh -c}, as pdsh and clush hand theirs to a remote shell. Output and exit status: see
 * {@link ExecOutput} and the usage text.
 */
@Command(name = "exec", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Run a command on every node of a node set (pdsh and clush style).",
                "Options go before the command; the command's own options need no '--'. The words are joined with"
                        + " spaces into one command line that the node's /bin/sh -c runs, so pipes and quotes work"
                        + " as in pdsh: gproc exec -w n[1-4] 'df | grep /scratch'. --argv runs them as an exact"
                        + " argument vector instead (a bare program name is found in the node's PATH).",
                "Standard input, when it is not a terminal, is sent to every process (as clush does); its end is"
                        + " every process's EOF. From a terminal (or with --nostdin) the processes get EOF at once.",
                "Ctrl-C (SIGINT), SIGTERM and SIGHUP are passed to every remote process (a second one sends SIGKILL);"
                        + " gproc then exits with 128 + the signal's number.",
                "Exit status: the largest remote exit code (128 + N for a signal, 255 for a node that could not run"
                        + " it); 1 when the target set is empty or names unknown nodes; 2 for bad usage."},
        footer = {"", "pdsh -w n[1-4] uname -r       ->  gproc exec -w n[1-4] uname -r",
                "clush -b -w @rack1 'df -h /'  ->  gproc exec -b -w @rack1 'df -h /'"})
final class ExecCommand implements Callable<Integer> {
    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "-t", paramLabel = "SECONDS", converter = Seconds.class,
            description = "Command timeout: SIGTERM, then SIGKILL 5 s later.")
    Double timeout;

    /** Its own field, so that a bad value is reported under the name the user typed. */
    @Option(names = "-u", paramLabel = "SECONDS", converter = Seconds.class,
            description = "The same as -t (pdsh -u, clush -u).")
    Double timeoutU;

    @Option(names = "-b", description = "Fold identical standard outputs under their node set, as clush -b (standard"
            + " error stays per node, labelled); nodes with another exit code are another group; failures are folded"
            + " too. With -N, no headers.")
    boolean fold;

    @Option(names = "-B", description = "As -b, folding standard output and standard error together.")
    boolean foldBoth;

    @Option(names = "--diff", description = "Print a unified diff of each node's output against the most common"
            + " one (clush --diff).")
    boolean diff;

    @Option(names = "-N", description = "No 'node: ' prefix on output lines (pdsh -N, clush -N).")
    boolean noPrefix;

    @Option(names = "-L", description = "Print each node's output together once all have ended: by exit code, then in node"
            + " order (clush -L); standard error as it comes, labelled.")
    boolean byNode;

    @Option(names = "-S", description = "Exit with the largest remote exit code (pdsh -S); gproc always does.")
    boolean largest;

    @Option(names = "--outdir", paramLabel = "DIR", description = "Also write each node's standard output to"
            + " DIR/NODE (clush, pssh).")
    Path outdir;

    @Option(names = "--errdir", paramLabel = "DIR", description = "Also write each node's standard error to"
            + " DIR/NODE.")
    Path errdir;

    @Option(names = "--argv", description = "Run the words as an exact argument vector, not through /bin/sh -c.")
    boolean argv;

    @Option(names = "--push", description = "Push the local COMMAND (a file, or a name in the local PATH) to the"
            + " nodes and run that, with ARGS as its arguments.")
    boolean push;

    @Mixin
    PushOptions pushOptions;

    @Mixin
    LaunchOptions launchOptions;

    @Option(names = "--nostdin", description = "Do not send standard input to the nodes (clush --nostdin).")
    boolean noStdin;

    @Parameters(index = "0", arity = "0..1", paramLabel = "COMMAND", description = "The command line (or, with --argv or --push,"
            + " the program).")
    String command;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "More words of the command line (its arguments).")
    List<String> args = List.of();

    @Override
    public Integer call() throws Exception {
        ExecOutput.Mode mode = mode();
        if (pushOptions.any() && !push) {
            throw new IllegalArgumentException("exec: --libs and --arch say what to push: give --push too");
        }
        String pushed = push && pushOptions.perArch.isEmpty() ? localProgram() : null;
        if (argv && !command.startsWith("/") && (command.contains("/") || command.isBlank()
                || command.chars().anyMatch(Character::isWhitespace))) {
            throw new IllegalArgumentException("exec --argv: '" + command + "' is not a program: give an absolute"
                    + " path on the nodes or a bare name in their PATH (without --argv the words are a command line"
                    + " for the node's shell)");
        }
        ExecOutput output = new ExecOutput(mode, noPrefix, outdir, errdir, spec.commandLine().getOut(),
                spec.commandLine().getErr());
        output.prepareDirectories();
        boolean broadcast = !noStdin && !cli.caller().stdinTerminal();
        PrintWriter err = spec.commandLine().getErr();
        try (Cluster cluster = target.open(cli, "exec", launchOptions, err)) {
            List<NodeRun> runs = TargetOptions.runs(cluster);
            boolean allAtOnce = target.fanout == null || target.fanout >= runs.size();
            try (StdinBroadcast stdin = broadcast && !launchOptions.dryRun
                    ? new StdinBroadcast(cli.stdin(), runs.size(), allAtOnce) : null) {
                Map<String, InputStream> readers = new ConcurrentHashMap<>();
                Function<NodeRun, RemoteProcess> inJob = TargetOptions.inOneJob(cluster, runs, r -> {
                    Launch<RemoteProcess> launch = start(cluster.node(r.node), pushed);
                    if (stdin != null) {
                        InputStream in = stdin.reader();
                        readers.put(r.node, in);
                        launch.stdin(in);
                    }
                    return launch;
                });
                Function<NodeRun, RemoteProcess> starter = r -> {
                    RemoteProcess p;
                    try {
                        p = inJob.apply(r);
                    } catch (RuntimeException e) {
                        release(readers.remove(r.node));
                        throw e;
                    }
                    InputStream in = readers.remove(r.node);
                    p.onExit().whenComplete((x, e) -> release(in));
                    return p;
                };
                if (launchOptions.dryRunOrConfirm(cluster, runs, starter, "exec " + shellLine(),
                        spec.commandLine().getOut())) {
                    return 0;
                }
                FanOut fan = new FanOut(runs, target.fanout, starter, output::started, err, cli.caller().signals());
                int interrupted = fan.run();
                int status = output.finish(runs, cli.json());
                return interrupted > 0 ? interrupted : status;
            }
        }
    }

    /**
     * Closes a process's reader of the broadcast input once it has ended: it reads no more, and its reader must not
     * hold the input back for the others.
     */
    private static void release(InputStream reader) {
        if (reader == null) {
            return;
        }
        try {
            reader.close();
        } catch (IOException ignored) {
            // closing a broadcast reader only gives up its place
        }
    }

    private ExecOutput.Mode mode() {
        if (command == null) {
            throw new ParameterException(spec.commandLine(), "no command given: put it after the options, as in"
                    + " gproc exec -w n[1-4] uname -r");
        }
        int chosen = (fold ? 1 : 0) + (foldBoth ? 1 : 0) + (diff ? 1 : 0) + (byNode ? 1 : 0) + (cli.json() ? 1 : 0);
        if (chosen > 1) {
            throw new ParameterException(spec.commandLine(),
                    "gproc exec: choose one of -b, -B, --diff, -L and --json");
        }
        if (push && argv) {
            throw new ParameterException(spec.commandLine(),
                    "gproc exec: --push already runs an exact argument vector; drop --argv");
        }
        return fold ? ExecOutput.Mode.FOLD : foldBoth ? ExecOutput.Mode.FOLD_BOTH : diff ? ExecOutput.Mode.DIFF
                : byNode ? ExecOutput.Mode.BY_NODE : cli.json() ? ExecOutput.Mode.JSON : ExecOutput.Mode.STREAM;
    }

    /** The launch for one node, not started yet. */
    private Launch<RemoteProcess> start(Node node, String pushed) {
        Launch<RemoteProcess> launch;
        if (push) {
            launch = pushOptions.push(node, pushed).args(args);
        } else if (argv) {
            launch = node.command(command).args(args);
        } else {
            launch = node.command("/bin/sh").args("-c", shellLine());
        }
        Double limit = timeout != null ? timeout : timeoutU;
        if (limit != null) {
            launch.timeout(Seconds.duration(limit));
        }
        return launch;
    }

    /** The words as pdsh and clush join them for the remote shell: with single spaces, quoting left to the user. */
    private String shellLine() {
        List<String> words = new ArrayList<>();
        words.add(command);
        words.addAll(args);
        return String.join(" ", words);
    }

    private String localProgram() {
        if (command.contains("/")) {
            Path local = cli.caller().resolve(command);
            if (!Files.isRegularFile(local)) {
                throw new IllegalArgumentException("exec --push: '" + command + "' is not a file here");
            }
            return local.toString();
        }
        for (String dir : cli.env().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = cli.caller().resolve(dir).resolve(command);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalArgumentException("exec --push: '" + command + "' is not in the local PATH");
    }

    /** {@code -f}: a whole number of at least 1. */
    static final class Fanout implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int n = Integer.parseInt(value.strip());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value
                    + "' is not a fan-out; give how many nodes may run at once (1 or more)");
        }
    }
}
