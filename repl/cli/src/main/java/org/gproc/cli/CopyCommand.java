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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code gproc copy FILE... -w NODES --dest DIR}: pdcp and {@code clush --copy}. Each file goes through the node's
 * content-addressed cache (a node that has the bytes receives nothing) into a session's staging directory, and a
 * {@code /bin/sh} run in that session, like any {@code exec}, puts it at {@code DIR/NAME} with its mode. So a copy
 * may write exactly where that principal's exec may: as its {@code --user-map} user, and not at all under
 * {@code --local-exec} (which refuses node programs such as {@code /bin/sh}); the node's audit log has it as an exec.
 */
@Command(name = "copy", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Copy files (-r: directories) to a directory on every node, with their modes (pdcp, clush"
                + " --copy).",
                "The bytes go through each node's content-addressed cache, so a second copy of the same files sends"
                        + " nothing. The files are written by /bin/sh on the node, run as your exec would be (as your"
                        + " --user-map user); a node where you may only run pushed binaries (--local-exec) refuses.",
                "Exit status: 0 when every node has every file; else the largest failure (1 a copy failed there,"
                        + " 255 a node could not run it); 1 also for an empty or unknown target set."})
final class CopyCommand implements Callable<Integer> {
    /**
     * Puts each staged file in place: directories first, files through a temporary name, directory modes last. One
     * line: the node lists argv in its line-based {@code procs}.
     */
    private static final String PLACE = String.join(" ",
            "dest=$1; shift; mkdir -p -- \"$dest\" || exit 1; mode='';",
            "for word in \"$@\"; do",
            "if [ -z \"$mode\" ]; then mode=$word; continue; fi;",
            "case $mode in",
            "d*) mkdir -p -- \"$dest/$word\" || exit 1 ;;",
            "*) mkdir -p -- \"$(dirname -- \"$dest/$word\")\" || exit 1; tmp=\"$dest/$word.gproc-copy.$$\";",
            "cp -- \"$word\" \"$tmp\" && chmod \"$mode\" -- \"$tmp\" && mv -f -- \"$tmp\" \"$dest/$word\"",
            "|| { rm -f -- \"$tmp\"; exit 1; } ;;",
            "esac; mode=''; done;",
            "for word in \"$@\"; do",
            "if [ -z \"$mode\" ]; then mode=$word; continue; fi;",
            "case $mode in d*) chmod \"${mode#d}\" -- \"$dest/$word\" || exit 1 ;; esac; mode=''; done");

    @ParentCommand
    GprocCli cli;

    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Mixin
    LaunchOptions launchOptions;

    @Option(names = "--dest", paramLabel = "DIR", description = "Absolute directory on the nodes (created if"
            + " missing; default: each file's own directory here, as clush).")
    String dest;

    @Option(names = "-r", description = "Copy directories recursively.")
    boolean recursive;

    // Refused with a pointer to exec --push --libs: copy places files and starts nothing, and a library closure
    // beside a file would only be used by a process started through the pushed loader, which copy never starts.
    @Option(names = "--libs", hidden = true)
    boolean libs;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Local files (and with -r directories).")
    List<Path> files;

    /** One file or directory to place: its path here, its path under the destination, and its octal mode. */
    private record Entry(Path local, String name, String mode) {
        boolean directory() {
            return mode.startsWith("d");
        }
    }

    @Override
    public Integer call() throws Exception {
        if (libs) {
            throw new IllegalArgumentException("copy: --libs is for programs gproc starts: copy places"
                    + " files and runs nothing, so a library closure beside them would not be used; push and run the"
                    + " program with its libraries with: gproc exec --push --libs PROGRAM [ARGS]");
        }
        String destination = destination();
        List<Entry> entries = entries();
        PrintWriter err = spec.commandLine().getErr();
        try (Cluster cluster = target.open(cli, "copy", launchOptions, err)) {
            List<NodeRun> runs = TargetOptions.runs(cluster);
            Function<NodeRun, RemoteProcess> starter = TargetOptions.inOneJob(cluster, runs,
                    r -> start(cluster.node(r.node), destination, entries));
            if (launchOptions.dryRunOrConfirm(cluster, runs, starter, "copy to " + destination,
                    spec.commandLine().getOut())) {
                return 0;
            }
            FanOut fan = new FanOut(runs, target.fanout, starter, r -> { }, err, cli.caller().signals());
            int interrupted = fan.run();
            int status = OneShot.report(runs, "copy to " + destination, err);
            return interrupted > 0 ? interrupted : status;
        }
    }

    /** The launch that places the entries on one node, not started yet. */
    private Launch<RemoteProcess> start(Node node, String destination, List<Entry> entries) {
        Launch<RemoteProcess> launch = node.command("/bin/sh");
        List<Object> words = new ArrayList<>(List.of("-c", PLACE, "gproc-copy", destination));
        for (Entry e : entries) {
            if (!e.directory()) {
                launch.file(e.local(), e.name());
            }
            words.add(e.mode());
            words.add(e.name());
        }
        return launch.args(words.toArray());
    }

    private String destination() {
        if (dest == null) {
            Path parent = files.get(0).toAbsolutePath().normalize().getParent();
            for (Path f : files) {
                if (!f.toAbsolutePath().normalize().getParent().equals(parent)) {
                    throw new IllegalArgumentException("copy: the files are in different directories here; say"
                            + " where they go on the nodes with --dest DIR");
                }
            }
            return parent.toString();
        }
        if (!dest.startsWith("/")) {
            throw new IllegalArgumentException("copy: --dest '" + dest + "' must be an absolute path on the nodes");
        }
        return dest;
    }

    private List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        for (Path f : files) {
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException("copy: '" + f + "': no such file here");
            }
            if (Files.isDirectory(f)) {
                if (!recursive) {
                    throw new IllegalArgumentException("copy: '" + f + "' is a directory (use -r to copy it)");
                }
                Path base = f.toAbsolutePath().normalize();
                Path top = base.getParent();
                try (Stream<Path> walk = Files.walk(base)) {
                    walk.forEach(p -> entries.add(entry(p, top.relativize(p).toString())));
                } catch (IOException | UncheckedIOException e) {
                    throw new IllegalArgumentException("copy: cannot read '" + f + "': " + e.getMessage());
                }
            } else if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("copy: '" + f + "' is neither a file nor a directory");
            } else {
                entries.add(entry(f, f.getFileName().toString()));
            }
        }
        return entries;
    }

    private static Entry entry(Path p, String name) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("copy: cannot read the mode of '" + p + "': " + e.getMessage());
        }
        int mode = 0;
        for (PosixFilePermission bit : perms) {
            mode |= 1 << (8 - bit.ordinal());
        }
        String octal = Integer.toOctalString(mode);
        if (Files.isDirectory(p)) {
            return new Entry(p, name, "d" + octal);
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("copy: '" + p + "' is neither a file nor a directory");
        }
        return new Entry(p, name, octal);
    }
}
