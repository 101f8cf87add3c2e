package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.ExitStatus;

import java.io.File;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The fallback when no C compiler is available: {@link ProcessBuilder} running the command under util-linux
 * {@code setsid}, exit through {@link Process#onExit()}. Its limits, which the native helper does not have: the JDK
 * parks one "process reaper" thread per running process; it reports a signal death as exit 128+N, so an exit code
 * above 128 is taken for a signal ({@code exit 137} reads as {@code signal 9}) and the core flag is never set; each
 * signal costs a {@code /bin/kill} process.
 */
final class JdkSpawner {

    private final Executor stdinExecutor;
    private final String setsid = onDaemonPath("setsid");
    private final String kill = onDaemonPath("kill");

    JdkSpawner(Executor stdinExecutor) {
        this.stdinExecutor = stdinExecutor;
    }

    RunningProcess start(LaunchSpec spec) throws NinePException {
        if (spec.runAs() != null) {
            throw new NinePException("exec: cannot run " + spec.argv().get(0) + " as unix user '" + spec.runAs().user()
                    + "': the JDK fallback launcher cannot drop privileges (no C compiler for the native spawn"
                    + " helper; set GPROC_CC or install cc)");
        }
        checkProgram(spec);
        checkIdentity(spec);
        List<String> command = new ArrayList<>();
        if (setsid != null) {
            command.add(setsid);
        }
        command.addAll(spec.argv());
        ProcessBuilder builder = new ProcessBuilder(command).directory(spec.dir().toFile());
        builder.environment().clear();
        builder.environment().putAll(spec.env());
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(spec.stdoutFile().toFile()));
        if (spec.stdoutFile().equals(spec.stderrFile())) {
            builder.redirectErrorStream(true);
        } else {
            builder.redirectError(ProcessBuilder.Redirect.appendTo(spec.stderrFile().toFile()));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new NinePException("exec " + spec.argv().get(0) + ": " + e.getMessage(), e);
        }
        if (setsid != null) {
            awaitOwnSession(process);
        }
        return new JdkProcess(process, new StdinPipe(process.pid(), Channels.newChannel(process.getOutputStream()),
                stdinExecutor));
    }

    /**
     * start() returns before the child has run setsid; a group signal sent in between would find no group. So wait
     * (microseconds, normally) until /proc says the process leads its own group, or is gone.
     */
    private static void awaitOwnSession(Process process) {
        Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try {
                String text = Files.readString(stat);
                String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
                if (fields[2].equals(Long.toString(process.pid())) || fields[0].equals("Z")) {
                    return;
                }
            } catch (IOException | RuntimeException gone) {
                return;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private final class JdkProcess extends LaunchedProcess {
        private final Process process;

        JdkProcess(Process process, StdinPipe stdin) {
            this.process = process;
            attachStdin(stdin);
            process.onExit().thenAccept(p -> {
                int code = p.exitValue();
                exited(code > 128 && code - 128 <= Signals.MAX ? ExitStatus.killed(code - 128, false)
                        : ExitStatus.exited(code & 0xff));
            });
        }

        @Override
        public long pid() {
            return process.pid();
        }

        /** The fallback has no subreaper: what is still a descendant of the process, and itself while it runs. */
        @Override
        public List<Long> members() {
            List<Long> pids = new ArrayList<>();
            if (process.isAlive()) {
                pids.add(process.pid());
            }
            process.descendants().filter(ProcessHandle::isAlive).forEach(h -> pids.add(h.pid()));
            return pids;
        }

        @Override
        void deliver(int sig) throws NinePException {
            String target = setsid != null ? "-" + pid() : Long.toString(pid());
            try {
                Process killer = new ProcessBuilder(kill != null ? kill : "kill", "-s", Integer.toString(sig), "--",
                        target).redirectErrorStream(true).start();
                killer.getOutputStream().close();
                String diagnostics = new String(killer.getInputStream().readAllBytes()).strip();
                if (!killer.waitFor(10, TimeUnit.SECONDS) || killer.exitValue() != 0) {
                    killer.destroyForcibly();
                    throw new NinePException("signal " + Signals.name(sig) + " to process group " + pid() + ": "
                            + diagnostics);
                }
            } catch (IOException e) {
                throw new NinePException("signal " + Signals.name(sig) + ": cannot run kill: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NinePException("signal " + Signals.name(sig) + ": interrupted", e);
            }
        }
    }

    /** The native helper reports a missing program from its exec; here setsid would, so look first. */
    private static void checkProgram(LaunchSpec spec) throws NinePException {
        String program = spec.argv().get(0);
        if (program.contains("/")) {
            Path path = spec.dir().resolve(program);
            if (!Files.exists(path)) {
                throw new NinePException("exec " + program + ": No such file or directory");
            }
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new NinePException("exec " + program + ": Permission denied");
            }
            return;
        }
        String searchPath = spec.env().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : searchPath.split(":", -1)) {
            Path candidate = (dir.isEmpty() ? spec.dir() : spec.dir().resolve(dir)).resolve(program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return;
            }
        }
        throw new NinePException("exec " + program + ": No such file or directory");
    }

    /**
     * The fallback cannot execute through a descriptor, so the daemon's check and the exec are not atomic here; this
     * narrows the window to the time ProcessBuilder takes to start.
     */
    private static void checkIdentity(LaunchSpec spec) throws NinePException {
        if (spec.program() == null) {
            return;
        }
        Path program = spec.dir().resolve(spec.argv().get(0));
        try {
            Map<String, Object> a = Files.readAttributes(program, "unix:dev,ino");
            if ((Long) a.get("dev") != spec.program().dev() || (Long) a.get("ino") != spec.program().ino()) {
                throw new NinePException("exec " + program + ": the file changed between the daemon's check and exec"
                        + " (refused)");
            }
        } catch (IOException e) {
            throw new NinePException("exec " + program + ": " + e.getMessage(), e);
        }
    }

    private static String onDaemonPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
