package org.gproc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.gproc.cli.agent.AgentCommand;
import org.gproc.client.ClusterOptions;
import org.gproc.client.Inventory;
import org.gproc.client.InventoryException;
import org.gproc.client.NodeSetException;
import org.gproc.client.Version;
import org.gproc.transport.log.Verbosity;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code gproc}: the command line. Global options are accepted before or after the subcommand. Exit codes: 0 done,
 * 1 the work failed, 2 bad usage or bad input (an unknown option, a bad node set, a broken inventory).
 *
 * <p>Bash completion: {@code source <(gproc generate-completion)}, or save its output under
 * {@code /etc/bash_completion.d/gproc}.
 */
@Command(name = "gproc", usageHelpAutoWidth = true, versionProvider = GprocCli.VersionProvider.class,
        description = "A Groovy-scriptable cluster REPL: one process space over the nodes of an inventory.",
        subcommands = {ExecCommand.class, RunCommand.class, AttachCommand.class, JShellCommand.class, PsCommand.class,
                KillCommand.class, StatusCommand.class, PushCommand.class, KeysCommand.class, SlurmCommand.class,
                DemoCommand.class, NodesetCommand.class, CopyCommand.class, RcopyCommand.class,
                AgentCommand.class,
                CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class},
        footer = {"", "Inventory: -i FILE, else $GPROC_NODES (e.g. 'n[1-4]=127.0.0.1:17001'), else "
                + "the job's daemons of 'gproc slurm up' (in a Slurm allocation), else $SLURM_JOB_NODELIST, else"
                + " ~/.gproc/inventory.groovy.",
                "Bash completion: source <(gproc generate-completion)"})
public final class GprocCli implements Runnable {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print gproc's version and exit.")
    boolean version;

    @Option(names = {"-i", "--inventory"}, paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Inventory file (default: $GPROC_NODES, $SLURM_JOB_NODELIST, ~/.gproc/inventory.groovy).")
    Path inventory;

    @Option(names = "--identity", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Private key to log in with (default: the inventory's, else ~/.gproc/id_ed25519).")
    Path identity;

    @Option(names = "--certificate", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "User certificate for the identity (default: the inventory's, else IDENTITY-cert.pub"
                    + " beside the identity, if it exists).")
    Path certificate;

    @Option(names = "--known-hosts", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Node host keys (default: the inventory's, else ~/.gproc/known_hosts).")
    Path knownHosts;

    @Option(names = "--accept-new", scope = ScopeType.INHERIT,
            description = "Trust the host key of a node not yet in known_hosts and record it there (a changed key"
                    + " is still refused). Check new keys first: gproc keys scan -w NODES.")
    boolean acceptNew;

    @Option(names = "--tree-width", paramLabel = "N", scope = ScopeType.INHERIT,
            description = "Reach the nodes through a relay tree of width N: the first N nodes directly, each of them"
                    + " relaying for up to N more (the nodes run gprocd --relay and trust each other as relays);"
                    + " overrides the inventory's cluster.tree.width. 0: every node directly.")
    Integer treeWidth;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print results as JSON.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log more on stderr: -v warnings and info, -vv debug (with the SSH library's messages),"
                    + " -vvv trace (default: errors only; every command reports its own failures).")
    boolean[] verbose = new boolean[0];

    /** Read by scripts/gproc, which then runs the command in this JVM; here it only has to parse. */
    @Option(names = "--no-agent", scope = ScopeType.INHERIT,
            description = "Run the command in a process of its own, not in the warm control node (gproc agent);"
                    + " GPROC_AGENT=off does so for every command.")
    boolean noAgent;

    @Spec
    CommandSpec spec;

    private Caller caller;
    private Inventory loaded;

    public GprocCli() {
        this(Caller.process());
    }

    /** For tests and embedding: the environment, home directory and standard input to use. */
    public GprocCli(Map<String, String> env, Path home, InputStream stdin) {
        this(Caller.of(env, home, stdin));
    }

    /** A command run for {@code caller}. */
    public GprocCli(Caller caller) {
        this.caller = Objects.requireNonNull(caller, "caller");
    }

    private GprocCli(Void unbound) {
        this.caller = null;
    }

    /**
     * A command line whose caller is named later, by {@link #bind}, before it runs: building picocli's model of
     * every command and option costs tens of milliseconds, so the control-node agent builds the next request's
     * ahead, while it is idle. Each one serves a single request (its options and commands keep what they parsed).
     */
    public static GprocCli unbound() {
        return new GprocCli((Void) null);
    }

    /** Names who runs this command line; once, before it executes. */
    public void bind(Caller who) {
        if (caller != null) {
            throw new IllegalStateException("this command line already serves a caller");
        }
        caller = Objects.requireNonNull(who, "caller");
    }

    public static void main(String[] args) {
        System.exit(commandLine(new GprocCli()).execute(args));
    }

    /**
     * The client prints its own results and every failure in words, naming the node, so by default nothing is
     * logged but errors: a warning (a refused host key, a connection that closed while a reply was on its way, SSHD's
     * per-connection INFO lines, the demo daemons' connection log) repeats what the command says or is noise on the
     * user's terminal. {@code -v} shows warnings and info, {@code -vv} debug, {@code -vvv} trace; a {@code -D} wins.
     */
    Verbosity verbosity() {
        return verbose.length == 0 ? Verbosity.ERROR : Verbosity.WARN.louder(verbose.length);
    }

    /**
     * The configured command line: bad input and broken inventories exit 2 with the message on stderr. The log level
     * is set once the flags are parsed and before any command runs (no logger exists before then).
     */
    public static CommandLine commandLine(GprocCli cli) {
        CommandLine cl = new CommandLine(cli);
        // a relative path means the caller's working directory (the agent's is another)
        cl.registerConverter(Path.class, value -> cli.caller().resolve(value));
        // an argument such as @compute is a node group, never a file of arguments to read
        cl.setExpandAtFiles(false);
        NodesetCommand.configure(cl.getSubcommands().get("nodeset"));
        // exec's command and its options follow exec's own options, as with pdsh and clush: no '--' needed
        cl.getSubcommands().get("exec").setStopAtPositional(true);
        cl.setParameterExceptionHandler(GprocCli::badUsage);
        cl.setExecutionStrategy(parsed -> {
            cli.verbosity().apply();
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof ClusterAccess.TargetException) {
                err.println(e.getMessage());
                err.flush();
                return 1;
            }
            if (e instanceof NodeSetException || e instanceof InventoryException) {
                err.println(e.getMessage());
                err.flush();
                return CommandLine.ExitCode.USAGE;
            }
            if (e instanceof IllegalArgumentException) {
                err.println("gproc: " + e.getMessage());
                err.flush();
                return CommandLine.ExitCode.USAGE;
            }
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            err.println("gproc: " + message);
            err.flush();
            return 1;
        });
        return cl;
    }

    /**
     * Bad usage: one line with the command, the message and where the help is (then picocli's "did you mean" for a
     * mistyped option or command); not the whole usage text, which buries the one line that matters.
     */
    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String command = cl.getCommandSpec().qualifiedName();
        String message = e.getMessage().startsWith(command + ":") ? e.getMessage() : command + ": " + e.getMessage();
        err.println(message + " (see '" + command + " --help')");
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /** Without a subcommand: the REPL on the configured cluster; with none configured, how to get one. */
    @Override
    public void run() {
        Inventory inv;
        try {
            inv = inventory();
        } catch (InventoryException e) {
            if (inventory == null) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("gproc: no cluster configured; try 'gproc demo' for a local 4-node cluster.");
                err.flush();
            }
            throw e;
        }
        try {
            Sessions.repl(inv, clusterOptions());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the terminal: " + e.getMessage(), e);
        }
    }

    /** How commands connect: the defaults and --accept-new; identity and known_hosts travel with the inventory. */
    ClusterOptions clusterOptions() {
        return ClusterOptions.defaults().withAcceptNewHostKeys(acceptNew);
    }

    /**
     * The inventory the options and environment select, with {@code --identity}, {@code --certificate},
     * {@code --known-hosts} and {@code --tree-width} applied;
     * loaded once, on first use, so commands that need no inventory never read one.
     */
    public Inventory inventory() {
        if (loaded == null) {
            Inventory inv = Inventory.locate(inventory, caller.env(), caller.home(), caller.clusters()::load);
            if (identity != null) {
                inv = inv.withIdentity(identity);
            }
            if (certificate != null) {
                inv = inv.withCertificate(certificate);
            }
            if (knownHosts != null) {
                inv = inv.withKnownHosts(knownHosts);
            }
            if (treeWidth != null) {
                inv = inv.withTreeWidth(treeWidth);
            }
            loaded = inv;
        }
        return loaded;
    }

    public boolean json() {
        return json;
    }

    InputStream stdin() {
        return caller.stdin();
    }

    /** Who runs this command: environment, working directory, signals, how it connects. */
    public Caller caller() {
        return caller;
    }

    /** The environment given at construction (the process's, or a test's). */
    Map<String, String> env() {
        return caller.env();
    }

    /** {@code --identity} as given, or null. */
    Path identityOption() {
        return identity;
    }

    /** The home directory given at construction (the user's, or a test's). */
    Path home() {
        return caller.home();
    }

    /** Whether {@code --no-agent} was given: the command must not run in the agent. */
    public boolean noAgentRequested() {
        return noAgent;
    }

    /** Whether global verbosity flags were given (their log lines go to this process's stderr). */
    public boolean verboseRequested() {
        return verbose.length > 0;
    }

    /** {@code gproc VERSION}, the one version the command line, library and daemon share. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"gproc " + Version.VERSION};
        }
    }
}
