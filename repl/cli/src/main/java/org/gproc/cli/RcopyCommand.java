package org.gproc.cli;

import org.gproc.client.Cluster;
import org.gproc.client.Launch;
import org.gproc.client.Node;
import org.gproc.client.RemoteProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code gproc rcopy PATH... -w NODES --dest DIR}: rpdcp and {@code clush --rcopy}. Each node's file comes back as
 * {@code DIR/NAME.NODE}: the node runs {@code cat} on it (with {@code -r}, {@code tar} of the directory), like any
 * {@code exec} of that principal, so a gather reads exactly what that principal's exec may read (as its
 * {@code --user-map} user; nothing under {@code --local-exec}), and the node's audit log has it as an exec. The bytes
 * come back through the session's output spool, so a file is limited by the node's {@code --spool-cap}.
 */
@Command(name = "rcopy", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Gather a file (-r: a directory) from every node into a local directory as NAME.NODE"
                + " (rpdcp, clush --rcopy).",
                "The node reads it as your exec would (as your --user-map user); a node where you may only run"
                        + " pushed binaries (--local-exec) refuses. Files are limited by the node's --spool-cap.",
                "Exit status: 0 when every node's copy arrived; else the largest failure; 1 also for an empty or"
                        + " unknown target set."})
final class RcopyCommand implements Callable<Integer> {
    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Mixin
    LaunchOptions launchOptions;

    @Option(names = "--dest", paramLabel = "DIR", required = true, description = "Local directory (created if"
            + " missing).")
    Path dest;

    @Option(names = "-r", description = "Gather directories recursively (through tar on the node and here).")
    boolean recursive;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Absolute paths on the nodes.")
    List<String> paths;

    @Override
    public Integer call() throws Exception {
        for (String p : paths) {
            if (!p.startsWith("/") || name(p).isEmpty() || name(p).equals("..") || name(p).equals(".")) {
                throw new IllegalArgumentException("rcopy: '" + p + "' must be an absolute path on the nodes that"
                        + " ends in a name");
            }
        }
        try {
            if (!launchOptions.dryRun) {
                Files.createDirectories(dest);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("rcopy: cannot create --dest '" + dest + "': " + e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        int status = 0;
        try (Cluster cluster = target.open(cli, "rcopy", launchOptions, err)) {
            String what = "rcopy of " + String.join(" ", paths);
            if (!launchOptions.dryRun) {
                cluster.confirm(cluster.getAll(), what);
            }
            for (String path : paths) {
                List<NodeRun> runs = TargetOptions.runs(cluster);
                Function<NodeRun, RemoteProcess> starter = TargetOptions.inOneJob(cluster, runs,
                        r -> start(cluster.node(r.node), path));
                if (launchOptions.dryRun) {
                    launchOptions.dryRun(cluster, runs, starter, out);
                    continue;
                }
                FanOut fan = new FanOut(runs, target.fanout, starter, r -> { }, err, cli.caller().signals());
                int interrupted = fan.run();
                if (interrupted > 0) {
                    return interrupted;
                }
                for (NodeRun r : runs) {
                    if (r.succeeded()) {
                        store(r, path);
                    }
                }
                status = Math.max(status, OneShot.report(runs, "rcopy of " + path, err));
            }
        }
        return status;
    }

    /** The launch that reads {@code path} on one node, not started yet. */
    private Launch<RemoteProcess> start(Node node, String path) {
        if (recursive) {
            Path p = Path.of(path);
            String parent = p.getParent() == null ? "/" : p.getParent().toString();
            return node.command("/bin/sh").args("-c", "cd -- \"$1\" && exec tar -cf - -- \"$2\"", "gproc-rcopy",
                    parent, name(path));
        }
        return node.command("/bin/sh").args("-c", "if [ -d \"$1\" ]; then echo \"$1: is a directory (use -r)\" >&2;"
                + " exit 1; fi; exec cat -- \"$1\"", "gproc-rcopy", path);
    }

    /** DIR/NAME.NODE, written whole under a temporary name first (a directory: unpacked by the local tar). */
    private void store(NodeRun r, String path) throws IOException, InterruptedException {
        Path target = dest.resolve(name(path) + "." + r.node);
        if (!recursive) {
            Path tmp = dest.resolve("." + target.getFileName() + ".gproc-rcopy");
            Files.write(tmp, r.stdout());
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Path unpack = Files.createTempDirectory(dest, ".gproc-rcopy-");
        Process tar = new ProcessBuilder("tar", "-xf", "-", "-C", unpack.toString())
                .redirectErrorStream(true).start();
        try (var in = tar.getOutputStream()) {
            in.write(r.stdout());
        }
        String said = new String(tar.getInputStream().readAllBytes()).strip();
        if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new IOException("rcopy: unpacking " + r.node + ":" + path + " here failed: " + said);
        }
        if (Files.exists(target)) {
            throw new IOException("rcopy: " + target + " exists already; remove it or choose another --dest");
        }
        Files.move(unpack.resolve(name(path)), target);
        Files.delete(unpack);
    }

    private static String name(String path) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        return p.substring(p.lastIndexOf('/') + 1);
    }
}
