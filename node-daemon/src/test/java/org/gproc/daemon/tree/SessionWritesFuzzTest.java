package org.gproc.daemon.tree;

import org.gproc.transport.xcpu.SessionVerb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.gproc.daemon.proc.ProcessLauncher;
import org.gproc.daemon.proc.SpoolWatcher;
import org.gproc.daemon.session.CtlCommand;
import org.gproc.daemon.session.Limits;
import org.gproc.daemon.session.NodeEnv;
import org.gproc.daemon.session.NodeServices;
import org.gproc.daemon.session.Session;
import org.gproc.daemon.session.VirtualNode;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.OpenFile;

/**
 * A session's write path end to end, through the XCPU tree of a real virtual node with small limits: a sequence of
 * writes (at arbitrary offsets) to the session's {@code ctl}, {@code argv}, {@code env} and {@code id} and to the
 * node's {@code ctl}, by the session's owner, sometimes ending with a launch. The contract: every write either
 * succeeds or fails with a {@link NinePException} (never another exception, never a hang); argv and env never
 * exceed their limits; and another principal's session is untouched by whatever the owner writes.
 *
 * <p>The fuzzer may not run arbitrary node programs (this JVM may be root): an {@code exec} of an absolute path is
 * rewritten to {@code exec /bin/true} before it is written; relative paths stay (fs/ holds nothing to run).
 * Regression inputs: {@code src/test/resources/org/gproc/daemon/tree/SessionWritesFuzzTestInputs/writes/}.
 */
class SessionWritesFuzzTest {
    private static final int MAX_ARGV = 256;
    private static final int MAX_ENV = 192;
    private static final String[] FILES = {"ctl", "argv", "env", "id", "/ctl"};
    private static final Node NODE = new Node();

    @FuzzTest(maxDuration = "3m")
    void writes(FuzzedDataProvider data) throws Exception {
        int victim = newSession("bob@lab");
        byte[] victimArgv = "sleep 1".getBytes(StandardCharsets.UTF_8);
        write(NODE.root("bob@lab"), victim + "/argv", 0, victimArgv);
        try {
            int mine = newSession("alice@lab");
            for (int i = 0; i < 12 && data.remainingBytes() > 0; i++) {
                String file = data.pickValue(FILES);
                String path = file.startsWith("/") ? file.substring(1) : mine + "/" + file;
                long offset = data.consumeBoolean() ? 0 : data.consumeBoolean() ? data.consumeLong(0, 300) : Long.MAX_VALUE;
                byte[] bytes = data.consumeBytes(200);
                if (file.endsWith("ctl")) { // "@victim" stands for bob's session number
                    String text = new String(bytes, StandardCharsets.UTF_8).replace("@victim", Integer.toString(victim));
                    bytes = safeCtl(text).getBytes(StandardCharsets.UTF_8);
                }
                write(NODE.root("alice@lab"), path, offset, bytes);
                Session s = NODE.node.sessions().visible(mine, "alice@lab");
                if (s != null) {
                    assertTrue(s.argvBytes().length <= MAX_ARGV, "argv over its limit");
                    assertTrue(s.envBytes().length <= MAX_ENV, "env over its limit");
                }
            }
            Session v = NODE.node.sessions().visible(victim, "bob@lab");
            assertNotNull(v, "alice's writes removed bob's session");
            assertEquals(Session.State.NEW, v.state(), "alice's writes changed bob's session");
            assertArrayEquals(victimArgv, v.argvBytes(), "alice's writes changed bob's argv");
        } finally {
            for (CompletableFuture<Void> f : NODE.node.wipeAll()) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The ctl text with every exec of an absolute path replaced by {@code exec /bin/true}. */
    private static String safeCtl(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            try {
                CtlCommand<SessionVerb> c = CtlCommand.parse("ctl", SessionVerb.values(), line);
                if (c.verb() == SessionVerb.EXEC && c.arg(0).startsWith("/")) {
                    line = "exec /bin/true";
                }
            } catch (NinePException notACommand) {
                // written as it is: the session refuses it the same way
            }
            lines.add(line);
        }
        return String.join("\n", lines);
    }

    private static int newSession(String principal) throws Exception {
        OpenFile clone = NODE.root(principal).walk("clone").open(Message.ORDWR);
        try {
            return Integer.parseInt(new String(await(clone.read(0, 32)), StandardCharsets.UTF_8).trim());
        } finally {
            clone.clunk();
        }
    }

    /** One walk, open, write and clunk; only NinePException may come out of any step. */
    private static void write(FileEntry root, String path, long offset, byte[] bytes) {
        OpenFile f = null;
        try {
            FileEntry e = root;
            for (String name : path.split("/")) {
                e = e.walk(name);
            }
            f = e.open(Message.OWRITE);
            await(f.write(offset, bytes));
        } catch (NinePException refused) {
            assertNotNull(refused.getMessage());
        } finally {
            if (f != null) {
                try {
                    f.clunk();
                } catch (NinePException refused) {
                    assertNotNull(refused.getMessage());
                }
            }
        }
    }

    private static <T> T await(CompletableFuture<T> f) throws NinePException {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NinePException n) {
                throw n;
            }
            throw new AssertionError("a write failed with " + e.getCause(), e.getCause());
        } catch (TimeoutException | InterruptedException | CancellationException e) {
            throw new AssertionError("a write did not complete: " + e, e);
        }
    }

    /** One real virtual node for the whole run (its spawn helper compiles once). */
    private static final class Node {
        final VirtualNode node;
        final XcpuTree tree;

        Node() {
            try {
                Path state = Files.createTempDirectory("gproc-fuzz-node");
                SpoolWatcher watcher = new SpoolWatcher();
                ProcessLauncher launcher = new ProcessLauncher(state.resolve("shared"), watcher);
                Limits limits = Limits.DEFAULTS.withMaxSessionsPerPrincipal(4).withMaxArgvBytes(MAX_ARGV)
                        .withMaxEnvBytes(MAX_ENV).withMaxPushBytes(1 << 16).withSpoolCapBytes(1 << 16)
                        .withCacheQuotaBytes(1 << 20).withGrace(Duration.ofMinutes(5));
                node = new VirtualNode("n1", state.resolve("n1"), limits, Set.of("root@lab"),
                        new NodeServices(launcher, watcher, Executors.newSingleThreadScheduledExecutor(r -> {
                            Thread t = new Thread(r, "fuzz-node-timer");
                            t.setDaemon(true);
                            return t;
                        })), new NodeEnv(Map.of("PATH", "/usr/bin:/bin")));
                tree = new XcpuTree(node, "fuzz");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        FileEntry root(String principal) throws NinePException {
            return tree.attach(principal, "", "");
        }
    }
}
