package org.gproc.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Slurm commands {@code gproc slurm} runs ({@code scontrol}, {@code srun}, {@code squeue}, {@code scancel}) and
 * the task script each allocated node runs. Every daemon runs as the user in one job step, so Slurm itself stops
 * them with the job (its end, {@code scancel}) and {@code gproc slurm down} stops them by cancelling that step.
 */
final class SlurmSteps {
    /** The step's name in squeue, and how {@code slurm down} finds the step when no step file was written. */
    static final String STEP_NAME = "gprocd";

    /**
     * Run by bash on each node, with $0 = the gprocd launcher and $1 = the job directory. Its node's files are found
     * by $SLURMD_NODENAME (not srun's %N, which is the host name: nodes sharing a host would share files). The state
     * directory is node-local scratch, removed when the daemon ends; TERM (Slurm's way of ending a step) is passed
     * to gprocd, which stops its processes within --stop-timeout, well inside Slurm's KillWait; the exit status is
     * recorded so {@code slurm up} and {@code slurm down} can tell.
     */
    private static final String TASK = String.join("\n",
            "node=$SLURMD_NODENAME; d=$1; h=$d/hosts/$node",
            "exec >\"$d/log/$node.out\" 2>\"$d/log/$node.err\"",
            "if [ ! -f \"$h/listen\" ]; then echo \"gproc slurm: no daemon was prepared for node $node\" >&2; exit 3; fi",
            "state=\"${TMPDIR:-/tmp}/gproc-slurm-$SLURM_JOB_ID-$node\"",
            "pid=",
            "trap '[ -n \"$pid\" ] && kill -TERM \"$pid\" 2>/dev/null' TERM INT HUP",
            "\"$0\" --listen \"$(cat \"$h/listen\")\" --host-key \"$h/host_ed25519\""
                    + " --host-cert \"$h/host_ed25519-cert.pub\" --authorized-keys \"$d/authorized_keys\""
                    + " --state-dir \"$state\" --audit-log \"$d/log/$node.audit\" --stop-timeout 2 &",
            "pid=$!",
            "wait \"$pid\"; rc=$?",
            "while kill -0 \"$pid\" 2>/dev/null; do wait \"$pid\"; rc=$?; done",
            "rm -rf \"$state\"",
            "echo \"$rc\" > \"$h/exit\"",
            "exit \"$rc\"");

    private SlurmSteps() {
    }

    /**
     * Each node's address as Slurm reaches it (NodeAddr of {@code scontrol show node}); a node scontrol does not
     * describe keeps its name as its address.
     */
    static Map<String, String> addresses(List<String> nodes) throws IOException {
        Map<String, String> byNode = new LinkedHashMap<>();
        nodes.forEach(n -> byNode.put(n, n));
        Result r = run(List.of("scontrol", "show", "node", "-o", String.join(",", nodes)), 30);
        if (r.code() != 0) {
            throw new IOException("scontrol show node failed (exit " + r.code() + "): " + r.output().strip());
        }
        Pattern name = Pattern.compile("(?:^|\\s)NodeName=(\\S+)");
        Pattern addr = Pattern.compile("\\sNodeAddr=(\\S+)");
        for (String line : r.output().split("\n")) {
            Matcher n = name.matcher(line);
            Matcher a = addr.matcher(line);
            if (n.find() && a.find() && byNode.containsKey(n.group(1))) {
                byNode.put(n.group(1), a.group(1));
            }
        }
        return byNode;
    }

    /** Starts the job step: one task per node, detached (its own session), so it outlives this command. */
    static Process launch(String jobId, List<String> nodes, Path launcher, SlurmJobDir dir) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setsid", "srun", "--overlap", "--jobid=" + jobId,
                "--job-name=" + STEP_NAME, "--nodes=" + nodes.size(), "--ntasks=" + nodes.size(),
                "--ntasks-per-node=1", "--nodelist=" + String.join(",", nodes), "--kill-on-bad-exit=0",
                "--input=none",
                "bash", "-c", TASK, launcher.toString(), dir.path().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.log("srun.log").toFile()));
        try {
            return pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run srun (is Slurm's client installed and on PATH?): " + e.getMessage(), e);
        }
    }

    /** The id ({@code JOBID.STEPID}) of the job's running gprocd step, if squeue lists one. */
    static Optional<String> findStep(String jobId) throws IOException {
        Result r = run(List.of("squeue", "-h", "-s", "-j", jobId, "-o", "%i %j"), 30);
        if (r.code() != 0) {
            return Optional.empty();
        }
        for (String line : r.output().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 2 && f[1].equals(STEP_NAME) && f[0].startsWith(jobId + ".")) {
                return Optional.of(f[0]);
            }
        }
        return Optional.empty();
    }

    /** Cancels one step (Slurm sends TERM, then KILL after KillWait); returns scancel's complaint, if any. */
    static Optional<String> cancel(String step) throws IOException {
        Result r = run(List.of("scancel", step), 30);
        return r.code() == 0 ? Optional.empty() : Optional.of(r.output().strip());
    }

    record Result(int code, String output) {
    }

    private static Result run(List<String> cmd, int timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + cmd.get(0) + " (is Slurm's client installed and on PATH?): "
                    + e.getMessage(), e);
        }
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": interrupted", e);
        }
    }

    /** The last non-blank line of a file (a daemon's error), or empty. */
    static Optional<String> lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return Optional.of(lines.get(i).strip());
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
