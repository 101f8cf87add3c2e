package org.gproc.daemon.session;

import org.gproc.daemon.audit.AuditLog;
import org.gproc.daemon.policy.ExecPolicy;
import org.gproc.daemon.policy.LoaderEnvPolicy;
import org.gproc.daemon.proc.LaunchSpec;
import org.gproc.transport.ninep.NinePException;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The policy half of {@code exec}: which file runs (its sha256 for the audit log, its identity for the spawn helper),
 * whether the principals involved may run it ({@code --local-exec}), and as which Unix user ({@code --user-map}).
 *
 * <p>The pushed-binaries-only rule, for a principal not in {@code --local-exec} (the session's owner and, if another,
 * the admin writing {@code exec}): the program must be a relative path that resolves inside the session's {@code fs/}
 * without any symbolic link, to a regular file whose sha256 names a blob in the node's cache. Absolute paths (which
 * covers {@code /usr/bin/env}, {@code /bin/sh -c} and PATH lookups, since a relative name never searches PATH) and
 * {@code ..} are refused. The spawn helper then executes exactly the inode checked here, so renaming or swapping the
 * file after the check is refused too. What the rule does not do: a pushed binary is arbitrary code and may itself
 * run any node file its Unix user can (so may a {@code #!} script's interpreter); combine it with {@code --user-map}.
 * The loader's environment variables are judged by {@link LoaderEnvPolicy}: for such a principal they may name
 * cached blobs only; for everyone the audit line records the environment's keys and what the loader is told to load.
 */
final class ExecChecks {

    /** A refusal by policy (as opposed to a failure such as a missing file); audited as {@code refused}. */
    static final class Refused extends NinePException {
        Refused(String message) {
            super(message);
        }
    }

    record Checked(LaunchSpec.FileId program, LaunchSpec.RunAs runAs) {
    }

    private ExecChecks() {
    }

    static Checked check(Session s, String actor, ExecPlan plan, AuditLog.Event event) throws NinePException {
        ExecPolicy policy = s.node().services().policy();
        String restricted = null;
        Set<String> principals = new LinkedHashSet<>();
        principals.add(s.owner());
        principals.add(actor);
        for (String p : principals) {
            if (!policy.mayExecLocal(p)) {
                restricted = p;
                break;
            }
        }
        String rule = restricted == null ? null
                : "exec: principal '" + restricted + "' may only run pushed binaries (gprocd --local-exec): ";
        if (restricted != null && Path.of(plan.program()).isAbsolute()) {
            throw new Refused(rule + "'" + plan.program() + "' is a node file");
        }
        Path program = plan.programPath();
        Path real;
        try {
            real = program.toRealPath();
            if (restricted != null) {
                Path root = plan.fsRoot().toAbsolutePath();
                Path expected = root.toRealPath().resolve(root.relativize(program));
                if (!real.equals(expected) || !Files.isRegularFile(program, LinkOption.NOFOLLOW_LINKS)) {
                    throw new Refused(rule + "'" + plan.program() + "' is reached through a symbolic link");
                }
            }
        } catch (NoSuchFileException e) {
            throw new NinePException("exec " + plan.program() + ": No such file or directory", e);
        } catch (IOException e) {
            throw new NinePException("exec: cannot resolve '" + plan.program() + "': " + e.getMessage(), e);
        }
        String hash;
        LaunchSpec.FileId id;
        try {
            hash = s.node().services().hashes().sha256(real);
            FileHashes.FileId fileId = FileHashes.id(real);
            id = new LaunchSpec.FileId(fileId.dev(), fileId.ino());
        } catch (IOException e) {
            throw new NinePException("exec: cannot read '" + plan.program() + "' to hash it: " + e.getMessage(), e);
        }
        event.field("binary", real.toString()).field("sha256", hash);
        if (restricted != null && !s.node().cache().contains(hash)) {
            throw new Refused(rule + "'" + plan.program() + "' (sha256 " + hash + ") is not a blob in cache/");
        }
        Map<String, String> sessionEnv = plan.env();
        Map<String, String> fullEnv = new LinkedHashMap<>(s.node().env().snapshot());
        fullEnv.putAll(sessionEnv);
        event.field("envKeys", List.copyOf(fullEnv.keySet()));
        try {
            LoaderEnvPolicy loader = new LoaderEnvPolicy(s.node().services().hashes()::sha256,
                    s.node().cache()::contains);
            List<LoaderEnvPolicy.Load> loads = new ArrayList<>(loader.check(sessionEnv, restricted,
                    plan.workingDirectory()));
            if (LoaderEnvPolicy.isLoader(real)) {
                loads.addAll(loader.checkLoaderArgs(plan.argv(), restricted, plan.workingDirectory()));
            }
            if (!loads.isEmpty()) {
                event.field("loads", loads.stream().map(LoaderEnvPolicy.Load::toMap).toList());
            }
        } catch (LoaderEnvPolicy.Refused e) {
            throw new Refused(e.getMessage());
        }
        LaunchSpec.RunAs runAs;
        try {
            runAs = policy.runAs(s.owner());
        } catch (IllegalStateException e) {
            throw new Refused("exec: " + e.getMessage());
        }
        if (runAs != null && !s.node().services().launcher().isNative()) {
            throw new Refused("exec: gprocd runs as root and would run principal '" + s.owner() + "' as unix user '"
                    + runAs.user() + "', but the JDK fallback launcher cannot drop privileges (no native spawn helper:"
                    + " install cc or set GPROC_CC)");
        }
        if (runAs != null) {
            event.field("user", runAs.user()).field("uid", runAs.uid());
        }
        return new Checked(id, runAs);
    }

    /**
     * Gives {@code fs/} to the user the process runs as, so it can write there, without following symbolic links and
     * leaving hard-linked cache blobs (link count above 1) to the daemon: owning one would let the user rewrite a blob
     * every session shares.
     */
    static void handOver(Path fsRoot, LaunchSpec.RunAs user) throws NinePException {
        try {
            Files.walkFileTree(fsRoot, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    chown(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile() && (Integer) Files.getAttribute(file, "unix:nlink",
                            LinkOption.NOFOLLOW_LINKS) > 1) {
                        return FileVisitResult.CONTINUE;
                    }
                    chown(file);
                    return FileVisitResult.CONTINUE;
                }

                private void chown(Path p) throws IOException {
                    Files.setAttribute(p, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(p, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
                }
            });
        } catch (IOException e) {
            throw new NinePException("exec: cannot give fs/ to unix user '" + user.user() + "': " + e.getMessage(), e);
        }
    }
}
