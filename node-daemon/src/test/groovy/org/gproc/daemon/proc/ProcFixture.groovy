package org.gproc.daemon.proc

import org.gproc.transport.xcpu.ExitStatus
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** Shared helpers for specs that run real processes. */
class ProcFixture {

    /** Where specs keep the compiled spawn helper, so it is built once per build, not once per spec. */
    static final Path HELPER_DIR = Path.of('target', 'spawn-helper').toAbsolutePath()

    static final Map<String, String> ENV = [PATH: '/usr/bin:/bin']

    /** A session-like directory: spools, exit status and fifo go here. */
    static Path sessionDir(Path root, String name = 's') {
        Files.createDirectories(root.resolve(name))
    }

    static LaunchSpec spec(Path session, List<String> argv, Map<String, String> env = ENV, Path dir = session) {
        new LaunchSpec(argv, env, dir, session.resolve('stdout'), session.resolve('stderr'))
    }

    static ExitStatus await(RunningProcess process, long seconds = 30) {
        process.onExit().get(seconds, TimeUnit.SECONDS)
    }

    static String stdout(Path session) {
        Files.exists(session.resolve('stdout')) ? Files.readString(session.resolve('stdout')) : ''
    }

    /** Direct children of {@code parents} that are zombies (state Z in /proc/PID/stat). */
    static List<Long> zombieChildren(Collection<Long> parents) {
        def zombies = []
        Files.list(Path.of('/proc')).withCloseable { stream ->
            stream.filter { it.fileName.toString().isLong() }.forEach { proc ->
                try {
                    def stat = Files.readString(proc.resolve('stat'))
                    def fields = stat.substring(stat.lastIndexOf(')') + 2).split(' ')
                    if (fields[0] == 'Z' && (fields[1] as long) in parents) {
                        zombies << (proc.fileName.toString() as long)
                    }
                } catch (IOException ignored) {
                    // the process went away while we looked
                }
            }
        }
        zombies
    }

    static int openFds() {
        Files.list(Path.of('/proc/self/fd')).withCloseable { it.count() as int }
    }

    /** Whether {@code pid} is gone or a zombie (dead, not yet reaped by whoever inherited it). */
    static boolean dead(long pid) {
        def stat = Path.of("/proc/$pid/stat")
        try {
            def text = Files.readString(stat)
            text.substring(text.lastIndexOf(')') + 2).startsWith('Z')
        } catch (IOException ignored) {
            true
        }
    }
}
