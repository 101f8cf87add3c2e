package org.gproc.daemon.session;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.Tokens;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How {@code exec} turns a session's settings into a launch: a relative program path or {@code dir} names a file
 * inside the session's {@code fs/} (and may not leave it, also not through a symbolic link); an absolute one names
 * the node's own file. argv is the whole command line including argv[0], which is replaced by the resolved program
 * path; an empty argv runs the program with no arguments. The working directory defaults to {@code fs/}.
 */
record ExecPlan(Path fsRoot, String program, String argvText, String envText, String dirText) {

    Path programPath() throws NinePException {
        if (program.isEmpty()) {
            throw new NinePException("ctl: exec: empty program path");
        }
        Path path = pathOf("exec", program);
        if (path.isAbsolute()) {
            return path;
        }
        Path inside = insideFs("exec", program);
        if (!Files.isRegularFile(inside)) {
            throw new NinePException("ctl: exec: '" + program + "' is not a file in the session's fs/"
                    + " (push or link it there, or give an absolute path)");
        }
        return inside.toAbsolutePath();
    }

    List<String> argv() throws NinePException {
        List<String> tokens = Tokens.tokenize("argv", argvText);
        List<String> argv = new ArrayList<>(Math.max(1, tokens.size()));
        argv.add(programPath().toString());
        if (tokens.size() > 1) {
            argv.addAll(tokens.subList(1, tokens.size()));
        }
        return argv;
    }

    Map<String, String> env() throws NinePException {
        return NodeEnv.parse("env", envText);
    }

    Path workingDirectory() throws NinePException {
        if (dirText.isEmpty()) {
            return fsRoot;
        }
        Path path = pathOf("dir", dirText).isAbsolute() ? pathOf("dir", dirText) : insideFs("dir", dirText);
        if (!Files.isDirectory(path)) {
            throw new NinePException("ctl: dir: '" + dirText + "' is not a directory");
        }
        return path;
    }

    /** The path a client wrote; one the platform cannot hold (a NUL byte) is the client's error, not ours. */
    private static Path pathOf(String verb, String text) throws NinePException {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new NinePException("ctl: " + verb + ": bad path '" + text + "': " + e.getReason());
        }
    }

    /** {@code relative} resolved inside fs/; neither {@code ..} nor a symbolic link may lead out of it. */
    Path insideFs(String verb, String relative) throws NinePException {
        return resolveInside(fsRoot, verb, relative);
    }

    static Path resolveInside(Path root, String verb, String relative) throws NinePException {
        Path candidate;
        try {
            candidate = root.resolve(relative).normalize();
        } catch (RuntimeException e) {
            throw new NinePException("ctl: " + verb + ": bad path '" + relative + "': " + e.getMessage());
        }
        if (pathOf(verb, relative).isAbsolute() || !candidate.startsWith(root)) {
            throw new NinePException("ctl: " + verb + ": '" + relative + "' leads outside the session's fs/");
        }
        boolean escapes;
        try {
            Path realRoot = root.toRealPath();
            Path existing = candidate;
            while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            escapes = existing != null && !existing.toRealPath().startsWith(realRoot);
        } catch (IOException e) {
            throw new NinePException("ctl: " + verb + ": cannot resolve '" + relative + "': " + e.getMessage(), e);
        }
        if (escapes) {
            throw new NinePException("ctl: " + verb + ": '" + relative
                    + "' leads outside the session's fs/ through a symbolic link");
        }
        return candidate;
    }
}
