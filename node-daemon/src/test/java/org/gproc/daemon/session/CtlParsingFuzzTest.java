package org.gproc.daemon.session;

import org.gproc.transport.xcpu.CtlVerb;
import org.gproc.transport.xcpu.NodeVerb;
import org.gproc.transport.xcpu.SessionVerb;
import org.gproc.transport.xcpu.Tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.gproc.transport.ninep.NinePException;

/**
 * The text a client writes to a session's {@code ctl}, {@code argv} and {@code env} files, and the paths {@code exec},
 * {@code dir} and {@code link} resolve inside {@code fs/}, against arbitrary input. The contract: only
 * {@link NinePException} escapes, with a message naming the file; what is accepted round-trips (quoting is the
 * inverse of tokenizing, env text re-parses to the same variables) and a resolved path never leaves {@code fs/},
 * also not through a symbolic link planted there.
 * Regression inputs: {@code src/test/resources/org/gproc/daemon/session/CtlParsingFuzzTestInputs/<method>/}.
 */
class CtlParsingFuzzTest {
    private static final Path FS = plantedFs();

    @FuzzTest(maxDuration = "3m")
    void tokenize(byte[] bytes) {
        String text = utf8(bytes);
        List<String> tokens;
        try {
            tokens = Tokens.tokenize("argv", text);
        } catch (NinePException refused) {
            assertTrue(refused.getMessage().startsWith("argv: "), refused.getMessage());
            return;
        }
        for (String token : tokens) {
            assertNotNull(token);
        }
        assertEquals(tokens, retokenize(Tokens.join(tokens)), "join is not the inverse of tokenize");
    }

    @FuzzTest(maxDuration = "3m")
    void ctlLines(byte[] bytes) {
        String text = utf8(bytes);
        parseAll(SessionVerb.values(), text);
        parseAll(NodeVerb.values(), text);
    }

    @FuzzTest(maxDuration = "3m")
    void envFile(byte[] bytes) {
        String text = utf8(bytes);
        Map<String, String> vars;
        try {
            vars = NodeEnv.parse("env", text);
        } catch (NinePException refused) {
            assertTrue(refused.getMessage().startsWith("env: "), refused.getMessage());
            return;
        }
        for (String name : vars.keySet()) {
            assertTrue(name.matches("[A-Za-z_][A-Za-z0-9_]*"), () -> "accepted variable name '" + name + "'");
        }
        try {
            assertEquals(vars, NodeEnv.parse("env", NodeEnv.format(vars)), "format does not re-parse to the same env");
        } catch (NinePException e) {
            throw new AssertionError("format wrote text parse refuses: " + e.getMessage(), e);
        }
    }

    @FuzzTest(maxDuration = "3m")
    void argvFile(byte[] bytes) {
        String text = utf8(bytes);
        ExecPlan plan = new ExecPlan(FS, "/bin/true", text, "", "");
        List<String> argv;
        try {
            argv = plan.argv();
        } catch (NinePException refused) {
            assertTrue(refused.getMessage().startsWith("argv: "), refused.getMessage());
            return;
        }
        assertEquals("/bin/true", argv.get(0));
        List<String> tokens = retokenize(text);
        assertEquals(Math.max(1, tokens.size()), argv.size());
        assertEquals(tokens.size() > 1 ? tokens.subList(1, tokens.size()) : List.of(), argv.subList(1, argv.size()));
    }

    /** exec, dir and link paths: whatever is accepted stays inside fs/, every existing prefix included. */
    @FuzzTest(maxDuration = "3m")
    void pathInsideFs(byte[] bytes) {
        String relative = utf8(bytes);
        Path resolved;
        try {
            resolved = ExecPlan.resolveInside(FS, "dir", relative);
        } catch (NinePException refused) {
            assertTrue(refused.getMessage().startsWith("ctl: dir: "), refused.getMessage());
            return;
        }
        assertTrue(resolved.startsWith(FS), () -> "'" + relative + "' resolved to " + resolved);
        try {
            Path real = FS.toRealPath();
            for (Path p = resolved; p != null && p.startsWith(FS); p = p.getParent()) {
                if (Files.exists(p)) {
                    Path target = p.toRealPath();
                    assertTrue(target.startsWith(real), () -> "'" + relative + "' passes through " + target);
                } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new AssertionError("'" + relative + "' passes through the dangling link " + p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As the daemon reads a write: UTF-8, malformed sequences replaced. */
    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static <V extends CtlVerb> void parseAll(V[] table, String text) {
        List<CtlCommand<V>> commands;
        try {
            commands = CtlCommand.parseAll("ctl", table, text);
        } catch (NinePException refused) {
            assertTrue(refused.getMessage().startsWith("ctl: "), refused.getMessage());
            return;
        }
        assertTrue(!commands.isEmpty(), "an accepted write holds at least one command");
        for (CtlCommand<V> c : commands) {
            if (c.verb().argc() != 0) {
                assertEquals(c.verb().argc() - 1, c.args().size(), () -> c + " has the wrong argument count");
            }
        }
    }

    private static List<String> retokenize(String text) {
        try {
            return Tokens.tokenize("argv", text);
        } catch (NinePException e) {
            throw new AssertionError("tokenize refused its own output or accepted input: " + e.getMessage(), e);
        }
    }

    /** A session-like fs/ with links leading out of it: to /, upwards, dangling, and a loop. */
    private static Path plantedFs() {
        try {
            Path base = Files.createTempDirectory("gproc-fuzz-fs");
            base.toFile().deleteOnExit();
            Path fs = Files.createDirectories(base.resolve("fs"));
            Files.createDirectories(fs.resolve("bin/sub"));
            Files.writeString(fs.resolve("bin/prog"), "#!/bin/sh\n");
            Files.createSymbolicLink(fs.resolve("root"), Path.of("/"));
            Files.createSymbolicLink(fs.resolve("bin/up"), Path.of("../.."));
            Files.createSymbolicLink(fs.resolve("dangling"), Path.of("/nonexistent/gproc"));
            Files.createSymbolicLink(fs.resolve("loop"), Path.of("loop"));
            Files.createSymbolicLink(fs.resolve("inside"), Path.of("bin/sub"));
            return fs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
