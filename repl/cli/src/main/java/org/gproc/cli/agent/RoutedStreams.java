package org.gproc.cli.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code System.out} and {@code System.err} in the agent: what a request's own thread prints there goes to that
 * request's client (a library that prints instead of taking a writer still reaches the right terminal); everything
 * else goes to the agent's log, as before. Only the request thread itself is routed, never threads it starts: a
 * pool thread outlives its request and must not write to a client that has gone.
 */
final class RoutedStreams {
    private static final ThreadLocal<OutputStream[]> ROUTE = new ThreadLocal<>();
    private static boolean installed;

    private RoutedStreams() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        System.setOut(new PrintStream(new Routed(System.out, 0), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Routed(System.err, 1), true, StandardCharsets.UTF_8));
    }

    /** Routes this thread's System.out and System.err to these until {@link #clear()}. */
    static void route(OutputStream out, OutputStream err) {
        ROUTE.set(new OutputStream[] {out, err});
    }

    static void clear() {
        ROUTE.remove();
    }

    private static final class Routed extends OutputStream {
        private final OutputStream log;
        private final int which;

        Routed(OutputStream log, int which) {
            this.log = log;
            this.which = which;
        }

        private OutputStream target() {
            OutputStream[] r = ROUTE.get();
            return r == null ? log : r[which];
        }

        @Override
        public void write(int b) throws IOException {
            target().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            target().flush();
        }
    }
}
