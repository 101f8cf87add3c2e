package org.gproc.cli.agent;

import org.gproc.cli.Caller;
import org.gproc.cli.CommandSignals;
import org.gproc.cli.GprocCli;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's command, run in the agent exactly as {@code gproc} would run it: the same picocli command line with
 * the client's argv, environment and working directory, its stdin, stdout and stderr carried in {@link Wire} frames,
 * its signals delivered to the handlers the command installed (a signal with none installed ends the command with
 * 128 + its number, as it ends a JVM), and the exit status sent back last. Commands that need a terminal or print
 * the agent's own log lines (the REPL, -v) are not served: the client is told to run them itself.
 */
final class AgentRequest implements CommandSignals {
    /** The commands the agent runs; every other one the client runs itself. */
    static final Set<String> SERVED = Set.of("exec", "ps", "kill", "status", "attach");
    private static final Map<Integer, String> SIGNALS = Map.of(1, "HUP", 2, "INT", 15, "TERM");

    private final SocketChannel channel;
    private final AgentServer server;
    private final Object writeLock = new Object();
    private FrameWriter writer;
    private final Map<String, List<Runnable>> handlers = new ConcurrentHashMap<>();
    private final Stdin stdin = new Stdin();

    AgentRequest(SocketChannel channel, AgentServer server) {
        this.channel = channel;
        this.server = server;
    }

    /** Reads the request, runs it, answers; never throws (a broken client only ends its own request). */
    void serve() {
        try {
            Wire.Frame first = Wire.read(channel);
            if (first == null) {
                return;
            }
            if (first.type() != Wire.VERSION_FRAME || !first.text().equals(Wire.VERSION)) {
                send(Wire.FALLBACK, "the agent speaks '" + Wire.VERSION + "', not '"
                        + (first.type() == Wire.VERSION_FRAME ? first.text() : "(no version)") + "'");
                return;
            }
            List<String> args = new ArrayList<>();
            Map<String, String> env = new LinkedHashMap<>();
            Path cwd = null;
            int tty = 0;
            for (Wire.Frame f = Wire.read(channel); ; f = Wire.read(channel)) {
                if (f == null) {
                    return;
                }
                switch (f.type()) {
                    case Wire.QUERY -> {
                        send(Wire.ANSWER, server.answer(f.text()));
                        if (f.text().equals("stop")) {
                            server.log("stopping: asked to");
                            server.stopSoon();
                        }
                        return;
                    }
                    case Wire.ARG -> args.add(f.text());
                    case Wire.ENV -> {
                        String e = f.text();
                        int eq = e.indexOf('=');
                        if (eq > 0) {
                            env.put(e.substring(0, eq), e.substring(eq + 1));
                        }
                    }
                    case Wire.DIR -> cwd = Path.of(f.text());
                    case Wire.TTY -> tty = f.payload().length == 1 ? f.payload()[0] : 0;
                    case Wire.GO -> {
                        if (cwd == null || !cwd.isAbsolute()) {
                            send(Wire.FALLBACK, "the request named no absolute working directory");
                            return;
                        }
                        if (server.buildChanged()) {
                            send(Wire.FALLBACK, "gproc was rebuilt since this agent started; it stops now");
                            server.stopSoon();
                            return;
                        }
                        run(args, env, cwd, tty);
                        return;
                    }
                    default -> throw new IOException("unexpected frame '" + (char) f.type() + "' before G");
                }
            }
        } catch (IOException | RuntimeException e) {
            server.log("request ended: " + e.getMessage());
        } finally {
            close();
        }
    }

    private void run(List<String> args, Map<String, String> env, Path cwd, int tty) throws IOException {
        boolean stdinTerminal = (tty & 1) != 0;
        Caller caller = new Caller(env, server.home(), cwd, stdin, stdinTerminal, stdinTerminal && (tty & 2) != 0,
                this, server.pool());
        SpareCommandLine.Unbound ready = server.commandLines().take();
        GprocCli cli = ready.cli();
        cli.bind(caller);
        CommandLine cl = ready.line();
        OutputStream out = new FrameStream(Wire.STDOUT);
        OutputStream err = new FrameStream(Wire.STDERR);
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        cl.setOut(outWriter);
        cl.setErr(errWriter);
        AtomicBoolean served = new AtomicBoolean(true);
        CommandLine.IExecutionStrategy strategy = cl.getExecutionStrategy();
        cl.setExecutionStrategy(parsed -> {
            List<CommandLine> chain = parsed.asCommandLineList();
            String command = chain.size() > 1 ? chain.get(1).getCommandName() : "";
            if (!SERVED.contains(command) || cli.verboseRequested() || cli.noAgentRequested()) {
                served.set(false);
                return 0;
            }
            return strategy.execute(parsed);
        });
        writer = new FrameWriter(channel, Thread.currentThread().getName() + "-writer");
        Thread reader = new Thread(this::readControl, "gproc-agent-control");
        reader.setDaemon(true);
        reader.start();
        int status;
        RoutedStreams.route(out, err);
        try {
            status = cl.execute(args.toArray(String[]::new));
        } finally {
            RoutedStreams.clear();
            outWriter.flush();
            errWriter.flush();
        }
        if (!served.get()) {
            writer.finish(Wire.FALLBACK, "not served by the agent".getBytes(StandardCharsets.UTF_8));
        } else {
            writer.finish(Wire.EXIT, ByteBuffer.allocate(4).putInt(status).array());
        }
        try {
            writer.awaitEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After G: stdin and signals until the client hangs up (its stdin then ends too). */
    private void readControl() {
        try {
            for (Wire.Frame f = Wire.read(channel); f != null; f = Wire.read(channel)) {
                if (f.type() == Wire.STDIN) {
                    stdin.offer(f.payload());
                } else if (f.type() == Wire.SIGNAL && f.payload().length == 1) {
                    signal(f.payload()[0] & 0xff);
                } else {
                    throw new IOException("unexpected frame '" + (char) f.type() + "' while the command runs");
                }
            }
        } catch (IOException e) {
            // the client has gone: as for a JVM whose terminal went, nothing more is read
        } finally {
            stdin.offer(new byte[0]);
        }
    }

    private void signal(int number) {
        String name = SIGNALS.get(number);
        if (name == null) {
            return;
        }
        List<Runnable> installed = handlers.get(name);
        if (installed == null || installed.isEmpty()) {
            exitNow(128 + number);
        } else {
            installed.get(installed.size() - 1).run();
        }
    }

    @Override
    public Object register(String name, Runnable handler) {
        handlers.computeIfAbsent(name, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(handler);
        return handler;
    }

    @Override
    public void unregister(String name, Object previous) {
        List<Runnable> installed = handlers.get(name);
        if (installed != null) {
            installed.remove(previous);
        }
    }

    /** The command's threads may go on until their remote processes end; this client hears no more. */
    @Override
    public void exitNow(int status) {
        writer.finish(Wire.EXIT, ByteBuffer.allocate(4).putInt(status).array());
    }

    private void send(byte type, String text) throws IOException {
        synchronized (writeLock) {
            Wire.write(channel, type, text);
        }
    }

    private void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Writes become frames of one type; after the exit status, nothing more is sent. */
    private final class FrameStream extends OutputStream {
        private final byte type;

        FrameStream(byte type) {
            this.type = type;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0) {
                writer.send(type, b, off, len);
            }
        }
    }

    /** The client's stdin: asked for (N) on the first read, so a command that never reads leaves it unread. */
    private final class Stdin extends InputStream {
        private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        private byte[] current = new byte[0];
        private int pos;
        private boolean asked;
        private boolean ended;

        void offer(byte[] chunk) {
            chunks.add(chunk);
        }

        @Override
        public synchronized int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos >= current.length) {
                if (ended) {
                    return -1;
                }
                if (!asked) {
                    asked = true;
                    writer.send(Wire.NEED_STDIN, new byte[0], 0, 0);
                }
                try {
                    current = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading stdin");
                }
                pos = 0;
                if (current.length == 0) {
                    ended = true;
                    return -1;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
