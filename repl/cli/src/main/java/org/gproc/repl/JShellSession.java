package org.gproc.repl;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.gproc.client.Cluster;
import org.gproc.client.NodeSet;
import org.gproc.client.ProcessTracker;
import org.gproc.transport.ninep.NinePClient;

import jdk.jshell.tool.JavaShellToolBuilder;

/**
 * {@code gproc jshell}: the JDK's JShell with the client API on its class path and {@code cluster} and {@code nodes}
 * bound. Snippets run in this JVM (JShell's local execution), so they share the cluster this session connected; the
 * startup snippet reads it from {@link #cluster()}. Every foreground process a snippet starts ({@code run()}, not
 * {@code start()}) streams its output as {@code node: line} while it runs, as in the Groovy REPL; JShell has no
 * end-of-evaluation hook, so the prompt does not wait for them: {@code job.waitFor()} does.
 */
public final class JShellSession {
    private static volatile Cluster current;

    private JShellSession() {
    }

    /** The cluster the running {@code gproc jshell} connected; what the startup snippet binds as {@code cluster}. */
    public static Cluster cluster() {
        Cluster cluster = current;
        if (cluster == null) {
            throw new IllegalStateException("no gproc jshell session is running in this JVM");
        }
        return cluster;
    }

    /** The nodes that are up, bound as {@code nodes}. */
    public static NodeSet nodes() {
        return cluster().getNodes();
    }

    /**
     * Runs JShell on {@code in} until it ends ({@code /exit} or end of input) with {@code cluster} bound; the
     * cluster's tracker must be {@code tracker}. Returns JShell's exit status.
     */
    public static int run(Cluster cluster, ProcessTracker tracker, InputStream in, PrintStream out, PrintStream err,
                          boolean interactive, List<String> jshellArgs) throws Exception {
        StreamOutput output = new StreamOutput(out, err, false);
        Path startup = Files.createTempFile("gproc-jshell", ".jsh");
        current = cluster;
        try (ProcessTracker.Capture capture = tracker.capture(process -> process.subscribe(
                (p, stream, line) -> output.nodeLine(p.node(), stream, line)))) {
            Files.writeString(startup, STARTUP);
            List<String> args = new ArrayList<>(List.of("--execution", "local", "--class-path", classPath(),
                    "--startup", "DEFAULT", "--startup", startup.toString()));
            args.addAll(jshellArgs);
            return JavaShellToolBuilder.builder()
                    .in(in, null).out(out).err(err)
                    .persistence(new HashMap<>())
                    .interactiveTerminal(interactive)
                    .start(args.toArray(new String[0]));
        } finally {
            current = null;
            Files.deleteIfExists(startup);
        }
    }

    private static final String STARTUP = """
            import org.gproc.client.*;
            import java.time.Duration;
            Cluster cluster = org.gproc.repl.JShellSession.cluster();
            NodeSet nodes = org.gproc.repl.JShellSession.nodes();
            """;

    /**
     * What JShell compiles snippets against: the JVM's class path, and the jars (or class directories) of the client
     * API and the transport, which a launcher's class path may only name indirectly (a manifest-only jar).
     */
    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(e);
            }
        }
        for (Class<?> c : List.of(Cluster.class, JShellSession.class, NinePClient.class)) {
            CodeSource source = c.getProtectionDomain().getCodeSource();
            if (source != null) {
                try {
                    entries.add(Path.of(source.getLocation().toURI()).toString());
                } catch (URISyntaxException e) {
                    throw new UncheckedIOException(new IOException("class path entry " + source.getLocation(), e));
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
