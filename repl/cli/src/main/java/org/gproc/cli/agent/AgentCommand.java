package org.gproc.cli.agent;

import org.gproc.cli.GprocCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code gproc agent start|stop|status|run}: the warm control node. scripts/gproc starts it on first use and sends
 * exec, ps, kill, status and attach to it through its thin client; these commands manage it by hand.
 */
@Command(name = "agent", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"The warm control node: a per-user background process that keeps the connections to the nodes"
                + " and a warm JVM, and runs exec, ps, kill, status and attach for the gproc command line.",
                "scripts/gproc starts it on first use; it ends after --idle without requests. Opt out: --no-agent,"
                        + " or GPROC_AGENT=off.",
                "Socket: $GPROC_AGENT_DIR, else $XDG_RUNTIME_DIR/gproc, else ~/.gproc/run (mode 0700), agent.sock;"
                        + " its log: agent.log beside it."},
        subcommands = {AgentCommand.Start.class, AgentCommand.Stop.class, AgentCommand.Status.class,
                AgentCommand.Run.class})
public final class AgentCommand implements Runnable {
    static final String DEFAULT_IDLE = "10m";

    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "gproc agent: give start, stop, status or run");
    }

    /** {@code --idle}, shared by start and run. */
    static final class IdleOption {
        @Option(names = "--idle", paramLabel = "TIME", defaultValue = DEFAULT_IDLE, converter = Idle.class,
                description = "End after this long without a request: 30s, 10m, 1h (default ${DEFAULT-VALUE}).")
        Duration value;
    }

    AgentPaths paths() {
        return AgentPaths.of(cli.caller().env(), cli.caller().home());
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the agent in the background (if it"
            + " is not running) and wait until it serves.")
    static final class Start implements Callable<Integer> {
        @ParentCommand
        AgentCommand agent;

        @Spec
        CommandSpec spec;

        @Mixin
        IdleOption idle;

        @Override
        public Integer call() throws IOException, InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            AgentPaths paths = agent.paths();
            String up = AgentClient.ask(paths.socket(), "status");
            if (up != null) {
                out.println("gproc agent: already running: " + up);
                out.flush();
                return 0;
            }
            paths.prepare();
            List<String> command = new ArrayList<>();
            Optional<Path> setsid = onPath("setsid");
            setsid.ifPresent(p -> command.add(p.toString())); // its own session: a terminal's Ctrl-C never reaches it
            command.addAll(agentJvm(idle.value));
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(paths.log().toFile()))
                    .redirectErrorStream(true)
                    .start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                up = AgentClient.ask(paths.socket(), "status");
                if (up != null) {
                    out.println("gproc agent: running: " + up);
                    out.flush();
                    return 0;
                }
                if (!p.isAlive() && !setsid.isPresent()) {
                    break;
                }
                Thread.sleep(50);
            }
            err.println("gproc agent: the agent did not start; see " + paths.log());
            err.flush();
            return 1;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the agent (commands it is running"
            + " end with it; their remote processes go on, see gproc attach).")
    static final class Stop implements Callable<Integer> {
        @ParentCommand
        AgentCommand agent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException, InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            AgentPaths paths = agent.paths();
            String answer = AgentClient.ask(paths.socket(), "stop");
            if (answer == null) {
                out.println("gproc agent: not running (" + paths.socket() + ")");
                out.flush();
                return 0;
            }
            for (int i = 0; i < 200 && Files.exists(paths.socket()); i++) {
                Thread.sleep(50);
            }
            out.println("gproc agent: " + answer);
            out.flush();
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = {"Whether the agent runs, and what it"
            + " has served.", "Exit status: 0 running, 1 not running."})
    static final class Status implements Callable<Integer> {
        @ParentCommand
        AgentCommand agent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            AgentPaths paths = agent.paths();
            String up = AgentClient.ask(paths.socket(), "status");
            out.println(up == null ? "gproc agent: not running (" + paths.socket() + ")" : "gproc agent: running: " + up);
            out.flush();
            return up == null ? 1 : 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Serve in the foreground (what start runs"
            + " in the background); log lines go to standard output.")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        AgentCommand agent;

        @Mixin
        IdleOption idle;

        @Override
        public Integer call() throws IOException {
            String stamp = System.getProperty("gproc.build.stamp");
            return new AgentServer(agent.paths(), agent.cli.caller().home(), idle.value,
                    stamp == null || stamp.isBlank() ? null : Path.of(stamp), System.out).run();
        }
    }

    /**
     * This JVM's own command line (its options, class path, class-data archive and build stamp) running
     * {@code agent run}: the agent is the same build, started the same way, but keeps the full JIT (it lives long).
     */
    static List<String> agentJvm(Duration idle) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> command = new ArrayList<>();
        String[] args = info.arguments().orElse(new String[0]);
        int main = List.of(args).indexOf(GprocCli.class.getName());
        if (info.command().isPresent() && main > 0) {
            command.add(info.command().get());
            for (int i = 0; i < main; i++) {
                if (!args[i].startsWith("-XX:TieredStopAtLevel")) {
                    command.add(args[i]);
                }
            }
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            String stamp = System.getProperty("gproc.build.stamp");
            if (stamp != null) {
                command.add("-Dgproc.build.stamp=" + stamp);
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
        }
        command.add(GprocCli.class.getName());
        command.addAll(List.of("agent", "run", "--idle", Idle.format(idle)));
        return command;
    }

    private static Optional<Path> onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
