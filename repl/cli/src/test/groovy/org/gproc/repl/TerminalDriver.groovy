package org.gproc.repl

import java.nio.charset.StandardCharsets
import java.nio.file.Path
import java.util.concurrent.LinkedBlockingQueue
import java.util.regex.Matcher
import java.util.regex.Pattern

import org.gproc.client.ProcessTracker
import org.jline.terminal.Size
import org.jline.terminal.Terminal
import org.jline.terminal.impl.ExternalTerminal

/**
 * Drives a Repl through a real JLine terminal (an ExternalTerminal with JLine's own line discipline, so Ctrl-C
 * typed as \u0003 raises Signal.INT) whose keyboard and screen are in-memory pipes.
 */
class TerminalDriver implements Closeable {

    static final String CTRL_C = '\u0003'
    static final String CTRL_D = '\u0004'

    final Keyboard keyboard = new Keyboard()
    final ByteArrayOutputStream screen = new ByteArrayOutputStream()
    final Terminal terminal
    final Repl repl
    Thread thread
    volatile Throwable failure

    TerminalDriver(String type, Map<String, Object> bindings, ProcessTracker tracker, Path history,
                   Map<String, String> env = [:]) {
        def out = new OutputStream() {
            @Override void write(int b) { synchronized (screen) { screen.write(b) } }
            @Override void write(byte[] b, int off, int len) { synchronized (screen) { screen.write(b, off, len) } }
        }
        // built directly: TerminalBuilder would put a real pty in between, whose kernel line discipline sends
        // SIGINT to the pty's process group instead of raising Signal.INT in this JVM
        terminal = new ExternalTerminal('test', type, keyboard, out, StandardCharsets.UTF_8)
        terminal.setSize(new Size(160, 50))
        repl = new Repl(terminal, bindings, tracker, history, env)
    }

    TerminalDriver start() {
        thread = Thread.start('repl-under-test') {
            try { repl.run() } catch (Throwable t) { failure = t }
        }
        this
    }

    void type(String keys) {
        keyboard.type(keys)
    }

    /** Everything the REPL wrote, escape sequences included. */
    String raw() {
        synchronized (screen) { new String(screen.toByteArray(), StandardCharsets.UTF_8) }
    }

    private static final Pattern CSI = Pattern.compile(/\u001B\[([0-9;?]*)[ -\/]*([@-~])/)
    private static final Pattern OTHER_ESCAPE = Pattern.compile(/\u001B[()][A-Z0-9]|\u001B[=>]/)

    /**
     * What a user would read on the screen: a small emulation of carriage return, backspace, cursor left/right and
     * clear-to-end-of-line (what line redraws and the progress line use); other escape sequences are dropped.
     */
    String text() {
        String s = raw()
        List<String> lines = []
        StringBuilder line = new StringBuilder()
        int col = 0
        int i = 0
        while (i < s.length()) {
            char c = s.charAt(i)
            if (c == (char) 0x1B) {
                Matcher csi = CSI.matcher(s).region(i, s.length())
                if (csi.lookingAt()) {
                    int n = csi.group(1).isInteger() ? csi.group(1).toInteger() : 1
                    switch (csi.group(2)) {
                        case 'K': line.setLength(Math.min(col, line.length())); break
                        case 'C': col += n; break
                        case 'D': col = Math.max(0, col - n); break
                    }
                    i = csi.end()
                    continue
                }
                Matcher other = OTHER_ESCAPE.matcher(s).region(i, s.length())
                i = other.lookingAt() ? other.end() : i + 1
                continue
            }
            if (c == (char) '\r') {
                col = 0
            } else if (c == (char) '\n') {
                lines << line.toString()
                line = new StringBuilder()
                col = 0
            } else if (c == (char) '\b') {
                col = Math.max(0, col - 1)
            } else if (c >= (char) ' ') {
                while (line.length() < col) line.append(' ')
                if (col < line.length()) line.setCharAt(col, c) else line.append(c)
                col++
            }
            i++
        }
        lines << line.toString()
        lines.join('\n')
    }

    int prompts() {
        text().count(Repl.PROMPT)
    }

    boolean finished() {
        thread != null && !thread.alive
    }

    @Override
    void close() {
        keyboard.close()
        terminal.close()
        thread?.join(10_000)
    }

    /** A blocking in-memory keyboard; close() is end of input. */
    static class Keyboard extends InputStream {
        private final LinkedBlockingQueue<Integer> keys = new LinkedBlockingQueue<>()

        void type(String text) { text.getBytes(StandardCharsets.UTF_8).each { keys.put(it & 0xff) } }

        @Override int read() {
            int key = keys.take()
            if (key < 0) keys.offer(key) // end of input stays the end
            key
        }

        @Override int read(byte[] b, int off, int len) {
            if (len == 0) return 0
            int first = read()
            if (first < 0) return -1
            b[off] = (byte) first
            int n = 1
            while (n < len && !keys.isEmpty()) {
                int next = keys.peek()
                if (next < 0) break
                b[off + n++] = (byte) keys.take()
            }
            n
        }

        @Override int available() { keys.size() }

        @Override void close() { keys.put(-1) }
    }
}
