package org.gproc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.gproc.client.Hostlist;
import org.gproc.client.Inventory;
import org.gproc.client.NodeAddress;
import org.gproc.client.NodeSetException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code gproc slurm up|down}: one gprocd per allocated node, as the user, in one job step, with keys made for the
 * job alone ({@link SlurmJobDir}). After {@code up}, {@code gproc}, {@code gproc run} and {@code gproc exec} in the
 * allocation find the job's inventory through {@code SLURM_JOB_ID}.
 */
@Command(name = "slurm", mixinStandardHelpOptions = true,
        description = "Run gprocd on the nodes of the current Slurm allocation (salloc or sbatch).",
        subcommands = {SlurmCommand.Up.class, SlurmCommand.Down.class})
final class SlurmCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @ParentCommand
    GprocCli cli;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static int badInput(CommandSpec spec, String command, String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("gproc slurm " + command + ": " + message);
        err.flush();
        return 2;
    }

    static String notInAllocation(String command) {
        return "not inside a Slurm allocation (SLURM_JOB_ID is not set): run it in one, e.g. 'salloc -N 4' then"
                + " 'gproc slurm " + command + "', or in an sbatch script";
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = {"Start one gprocd per allocated node as a job step (srun --overlap), with a CA, host",
                    "certificates and authorized_keys made for this job alone in ~/.gproc/slurm/JOBID/ (which must",
                    "be on a file system every node sees). Exit status: 0 all serving, 1 a node failed (named),",
                    "2 not in an allocation or bad input."})
    static final class Up implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        SlurmCommand slurm;

        @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
                description = {"0 (default): each daemon takes a free port and reports it. PORT: nodes with an",
                        "address of their own all listen on PORT; nodes sharing an address get PORT, PORT+1, ...",
                        "in node order (as an inventory's node-set key with host does)."})
        int port;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
                description = "How long to wait for every daemon to serve (default ${DEFAULT-VALUE}).")
        double timeout;

        @Override
        public Integer call() throws IOException, InterruptedException {
            GprocCli cli = slurm.cli;
            Map<String, String> env = cli.env();
            String jobId = env.get(Inventory.SLURM_JOB_ENV);
            String nodelist = env.get(Inventory.SLURM_ENV);
            if (jobId == null || jobId.isBlank()) {
                return badInput(spec, "up", notInAllocation("up"));
            }
            if (nodelist == null || nodelist.isBlank()) {
                return badInput(spec, "up", "SLURM_JOB_NODELIST is not set, so the allocation's nodes are unknown");
            }
            if (port < 0 || port > 65535) {
                return badInput(spec, "up", "--port " + port + " is outside 0..65535");
            }
            if (timeout <= 0) {
                return badInput(spec, "up", "--timeout " + timeout + " must be positive");
            }
            List<String> nodes;
            try {
                nodes = Hostlist.parse(nodelist).expand();
            } catch (NodeSetException e) {
                return badInput(spec, "up", "SLURM_JOB_NODELIST '" + nodelist + "': " + e.getMessage());
            }
            Path launcher;
            try {
                launcher = GprocdLauncher.find(env);
            } catch (IllegalArgumentException e) {
                return badInput(spec, "up", e.getMessage());
            }
            SlurmJobDir dir = new SlurmJobDir(cli.home(), jobId);
            if (Files.exists(dir.path())) {
                return badInput(spec, "up", "job " + jobId + " already has daemons or their leftovers in "
                        + dir.path() + "; run 'gproc slurm down' first");
            }
            long t0 = System.nanoTime();
            Map<String, String> addresses = SlurmSteps.addresses(nodes);
            Map<String, Integer> ports = ports(addresses, port);
            dir.create();
            Path userIdentity = cli.identityOption() != null ? cli.identityOption()
                    : cli.home().resolve(".gproc").resolve("id_ed25519");
            Path identity = dir.identity(userIdentity);
            String principal = System.getProperty("user.name", "gproc");
            dir.makeKeys(addresses, SlurmJobDir.loadIdentity(identity).getPublic(), principal);
            for (String node : nodes) {
                Files.writeString(dir.host(node).resolve("listen"), listen(addresses.get(node), ports.get(node)));
            }
            Process srun = SlurmSteps.launch(jobId, nodes, launcher, dir);
            Files.writeString(dir.path().resolve("srun.pid"), Long.toString(srun.pid()));
            Map<String, Integer> serving = new LinkedHashMap<>();
            Map<String, String> failed = new LinkedHashMap<>();
            waitForDaemons(dir, nodes, srun, serving, failed);
            PrintWriter err = spec.commandLine().getErr();
            if (!failed.isEmpty()) {
                stop(dir, jobId, srun);
                failed.forEach((node, why) -> err.println("gproc slurm up: " + node + ": " + why));
                err.println("gproc slurm up: " + failed.size() + " of " + nodes.size() + " daemons did not start;"
                        + " stopped the others (logs kept in " + dir.path().resolve("log") + ")");
                err.flush();
                return 1;
            }
            SlurmSteps.findStep(jobId).ifPresent(step -> write(dir.step(), step));
            List<NodeAddress> inventory = new ArrayList<>();
            for (String node : nodes) {
                inventory.add(new NodeAddress(node, addresses.get(node), serving.get(node)));
            }
            dir.writeInventory(inventory, identity);
            double seconds = (System.nanoTime() - t0) / 1e9;
            err.printf("gproc slurm up: job %s: %d daemons serving after %.1f s; gproc, gproc run and gproc exec in"
                    + " this allocation use them (gproc slurm down stops them)%n", jobId, nodes.size(), seconds);
            for (NodeAddress n : inventory) {
                err.println("  " + n.name() + "  " + n.hostAndPort());
            }
            err.flush();
            PrintWriter out = spec.commandLine().getOut();
            out.println(dir.inventory());
            out.flush();
            return 0;
        }

        /** Port per node: 0 everywhere, or the inventory rule - own address: PORT; shared address: PORT, PORT+1... */
        static Map<String, Integer> ports(Map<String, String> addresses, int port) {
            Map<String, Integer> byNode = new LinkedHashMap<>();
            Map<String, Integer> nextOnAddress = new HashMap<>();
            for (Map.Entry<String, String> e : addresses.entrySet()) {
                if (port == 0) {
                    byNode.put(e.getKey(), 0);
                } else {
                    int k = nextOnAddress.merge(e.getValue(), 1, Integer::sum) - 1;
                    if (port + k > 65535) {
                        throw new IllegalArgumentException("--port " + port + ": " + e.getKey() + " would get port "
                                + (port + k) + ", past 65535 (" + (k + 1) + " nodes share " + e.getValue() + ")");
                    }
                    byNode.put(e.getKey(), port + k);
                }
            }
            return byNode;
        }

        private static String listen(String address, int port) {
            return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
        }

        private static final Pattern SERVING = Pattern.compile("serving \\S+ on \\S+:([0-9]+), host key");

        private void waitForDaemons(SlurmJobDir dir, List<String> nodes, Process srun, Map<String, Integer> serving,
                Map<String, String> failed) throws InterruptedException {
            long deadline = System.nanoTime() + (long) (timeout * 1e9);
            while (serving.size() + failed.size() < nodes.size()) {
                boolean srunEnded = !srun.isAlive();
                for (String node : nodes) {
                    if (serving.containsKey(node) || failed.containsKey(node)) {
                        continue;
                    }
                    Optional<Integer> p = servingPort(dir.log(node + ".out"));
                    if (p.isPresent()) {
                        serving.put(node, p.get());
                    } else if (Files.exists(dir.host(node).resolve("exit"))) {
                        failed.put(node, "gprocd exited before serving: " + SlurmSteps.lastLine(dir.log(node
                                + ".err")).orElse("exit status " + read(dir.host(node).resolve("exit"))));
                    } else if (srunEnded) {
                        failed.put(node, "the job step ended before its gprocd served: " + SlurmSteps
                                .lastLine(dir.log(node + ".err")).or(() -> SlurmSteps.lastLine(dir.log("srun.log")))
                                .orElse("srun exit status " + srun.exitValue()));
                    }
                }
                if (serving.size() + failed.size() == nodes.size()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    for (String node : nodes) {
                        if (!serving.containsKey(node) && !failed.containsKey(node)) {
                            failed.put(node, "gprocd did not serve within " + timeout + " s (see "
                                    + dir.log(node + ".err") + ")");
                        }
                    }
                    break;
                }
                Thread.sleep(50);
            }
        }

        private static Optional<Integer> servingPort(Path out) {
            if (!Files.exists(out)) {
                return Optional.empty();
            }
            try {
                Matcher m = SERVING.matcher(Files.readString(out, StandardCharsets.UTF_8));
                return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = {"Stop the daemons 'gproc slurm up' started for this job (cancels their job step) and",
                    "delete the job's keys and files. The allocation itself stays."})
    static final class Down implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        SlurmCommand slurm;

        @Option(names = {"-j", "--job"}, paramLabel = "JOBID",
                description = "The job whose daemons to stop (default: $SLURM_JOB_ID).")
        String job;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
                description = "How long to wait for the daemons to end (default ${DEFAULT-VALUE}).")
        double timeout;

        @Override
        public Integer call() throws IOException, InterruptedException {
            GprocCli cli = slurm.cli;
            String jobId = job != null ? job : cli.env().get(Inventory.SLURM_JOB_ENV);
            if (jobId == null || jobId.isBlank()) {
                return badInput(spec, "down", notInAllocation("down") + " (or name the job: --job JOBID)");
            }
            SlurmJobDir dir;
            try {
                dir = new SlurmJobDir(cli.home(), jobId);
            } catch (RuntimeException e) {
                return badInput(spec, "down", e.getMessage());
            }
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.exists(dir.path())) {
                err.println("gproc slurm down: job " + jobId + " has no daemons of gproc slurm up (no "
                        + dir.path() + "); nothing to stop");
                err.flush();
                return 0;
            }
            Optional<String> problem = stop(dir, jobId, null);
            boolean ended = waitForExit(dir, jobId);
            if (!ended) {
                err.println("gproc slurm down: job " + jobId + ": the daemons did not end within " + timeout
                        + " s" + problem.map(p -> " (scancel: " + p + ")").orElse("") + "; kept " + dir.path());
                err.flush();
                return 1;
            }
            dir.delete();
            err.println("gproc slurm down: job " + jobId + ": daemons stopped, " + dir.path() + " removed");
            err.flush();
            return 0;
        }

        /** Every prepared node has recorded its exit, or the step is gone from squeue (a KILLed task writes none). */
        private boolean waitForExit(SlurmJobDir dir, String jobId) throws InterruptedException, IOException {
            long deadline = System.nanoTime() + (long) (timeout * 1e9);
            for (int round = 0; System.nanoTime() < deadline; round++) {
                boolean all;
                try (var hosts = Files.list(dir.path().resolve("hosts"))) {
                    all = hosts.allMatch(h -> Files.exists(h.resolve("exit")) || !Files.exists(h.resolve("listen")));
                }
                if (all || (round % 10 == 9 && SlurmSteps.findStep(jobId).isEmpty())) {
                    return true;
                }
                Thread.sleep(100);
            }
            return false;
        }
    }

    /** Cancels the job's gprocd step (the recorded one, else the one squeue names, else the srun process). */
    static Optional<String> stop(SlurmJobDir dir, String jobId, Process srun) throws IOException {
        Optional<String> step = Files.exists(dir.step()) ? Optional.of(read(dir.step())) : SlurmSteps.findStep(jobId);
        if (step.isPresent()) {
            return SlurmSteps.cancel(step.get());
        }
        if (srun != null) {
            srun.destroy();
            return Optional.empty();
        }
        Path pidFile = dir.path().resolve("srun.pid");
        if (Files.exists(pidFile)) {
            // only if that pid is still an srun: a pid can be reused once its process is gone
            ProcessHandle.of(Long.parseLong(read(pidFile)))
                    .filter(h -> h.info().command().map(c -> c.endsWith("/srun") || c.equals("srun")).orElse(false))
                    .ifPresent(ProcessHandle::destroy);
        }
        return Optional.empty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
