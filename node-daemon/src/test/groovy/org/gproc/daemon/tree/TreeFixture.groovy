package org.gproc.daemon.tree

import org.gproc.daemon.proc.ProcessLauncher
import org.gproc.daemon.proc.SpoolWatcher
import org.gproc.daemon.audit.AuditLog
import org.gproc.daemon.policy.ExecPolicy
import org.gproc.daemon.session.FileHashes
import org.gproc.daemon.session.Limits
import org.gproc.daemon.session.StateQuota
import org.gproc.daemon.session.NodeEnv
import org.gproc.daemon.session.NodeServices
import org.gproc.daemon.session.VirtualNode
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.server.FileEntry
import org.gproc.transport.ninep.server.OpenFile

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.Executors
import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.TimeUnit

/** A real virtual node (real processes, real files) driven through its FileTree directly, without 9P. */
class TreeFixture implements AutoCloseable {
    /** Where the spawn helper is compiled once for every fixture in this JVM; one watcher for all, as in a daemon. */
    static final Path SHARED_DIR = Files.createTempDirectory('gproc-tree-shared')
    static final SpoolWatcher WATCHER = new SpoolWatcher()

    final Path stateDir
    final SpoolWatcher watcher = WATCHER
    final ProcessLauncher launcher
    final ScheduledExecutorService timer
    final VirtualNode node
    final XcpuTree tree

    TreeFixture(Limits limits = Limits.DEFAULTS, Set<String> admins = ['root@lab'] as Set,
                ProcessLauncher launcher = new ProcessLauncher(SHARED_DIR, WATCHER), Path stateDir = null,
                StateQuota quota = StateQuota.NONE) {
        this.launcher = launcher
        this.stateDir = stateDir ?: Files.createTempDirectory('gproc-tree')
        timer = Executors.newSingleThreadScheduledExecutor()
        node = new VirtualNode('n1', this.stateDir.resolve('n1'), limits, admins,
                new NodeServices(launcher, watcher, timer, AuditLog.disabled(), ExecPolicy.OPEN, new FileHashes(), quota), new NodeEnv(['PATH': '/usr/bin:/bin', 'HOME': '/tmp']))
        tree = new XcpuTree(node, 'test')
    }

    FileEntry root(String principal = 'alice@lab') {
        tree.attach(principal, 'ignored', '')
    }

    FileEntry walk(String path, String principal = 'alice@lab') {
        FileEntry e = root(principal)
        for (String name : path.split('/').findAll { it }) {
            e = name == '..' ? e.parent() : e.walk(name)
        }
        e
    }

    OpenFile open(String path, int mode = Message.OREAD, String principal = 'alice@lab') {
        walk(path, principal).open(mode)
    }

    /** Clones a session; the returned file is the clone fid (lands on N/ctl). */
    OpenFile cloneFile(String principal = 'alice@lab') {
        open('clone', Message.ORDWR, principal)
    }

    int newSession(String principal = 'alice@lab') {
        OpenFile f = cloneFile(principal)
        int n = text(f) as int
        f.clunk()
        n
    }

    static <T> T await(CompletableFuture<T> f, long seconds = 30) {
        try {
            f.get(seconds, TimeUnit.SECONDS)
        } catch (ExecutionException e) {
            throw e.cause
        }
    }

    /** Everything from offset 0 until an empty read. */
    static byte[] readAll(OpenFile f, int count = 8192) {
        def out = new ByteArrayOutputStream()
        long offset = 0
        while (true) {
            byte[] b = await(f.read(offset, count))
            if (b.length == 0) {
                return out.toByteArray()
            }
            out.write(b)
            offset += b.length
        }
    }

    static String text(OpenFile f) {
        new String(readAll(f), StandardCharsets.UTF_8)
    }

    String read(String path, String principal = 'alice@lab') {
        OpenFile f = open(path, Message.OREAD, principal)
        try {
            text(f)
        } finally {
            f.clunk()
        }
    }

    void write(String path, String data, String principal = 'alice@lab', long offset = 0) {
        OpenFile f = open(path, Message.OWRITE, principal)
        try {
            await(f.write(offset, data.getBytes(StandardCharsets.UTF_8)))
        } finally {
            f.clunk()
        }
    }

    @Override
    void close() {
        node.wipeAll().each { it.get(30, TimeUnit.SECONDS) }
        launcher.close()
        timer.shutdownNow()
        stateDir.toFile().deleteDir()
    }
}
