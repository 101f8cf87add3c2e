package org.gproc.repl;

import java.io.Writer;

import org.gproc.client.OutputListener;
import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp.Capability;

/**
 * All REPL output goes through here, one writer at a time, so lines from many nodes, the script's own
 * {@code println}, and the progress line never interleave mid-line. Whole lines go through
 * {@link LineReader#printAbove}, which redraws the prompt and the half-typed input under them when the user is
 * typing and is a plain write otherwise. The progress line is drawn in place only on a terminal that can move to
 * the start of a line and clear it.
 */
final class TerminalOutput implements NodeOutput {

    private final Terminal terminal;
    private final NodeColours colours;
    private final boolean canRedraw;
    private volatile LineReader reader;
    private String status;
    private boolean midLine;

    TerminalOutput(Terminal terminal, NodeColours colours) {
        this.terminal = terminal;
        this.colours = colours;
        this.canRedraw = !terminal.getType().startsWith(Terminal.TYPE_DUMB)
                && terminal.getStringCapability(Capability.clr_eol) != null;
    }

    void attach(LineReader reader) {
        this.reader = reader;
    }

    NodeColours colours() {
        return colours;
    }

    @Override
    public void nodeLine(String node, OutputListener.Stream stream, String line) {
        AttributedStringBuilder text = new AttributedStringBuilder();
        text.styled(colours.node(node), node);
        if (stream == OutputListener.Stream.STDERR) {
            text.append(' ').styled(colours.error(), "err");
        }
        text.styled(colours.node(node), ":").append(' ').append(line);
        print(text.toAttributedString());
    }

    @Override
    public void note(String text) {
        print(new AttributedString(text, colours.note()));
    }

    @Override
    public void error(String text) {
        print(new AttributedString(text, colours.error()));
    }

    /** A result or a command's output; one or more whole lines. */
    void plain(String text) {
        print(new AttributedString(text, AttributedStyle.DEFAULT));
    }

    synchronized void print(AttributedString line) {
        clearStatus();
        if (midLine) {
            terminal.writer().println();
            midLine = false;
        }
        LineReader current = reader;
        if (current != null) {
            current.printAbove(line);
        } else {
            terminal.writer().println(line.toAnsi(terminal));
        }
        drawStatus();
        terminal.flush();
    }

    @Override
    public synchronized void status(String text) {
        if (!canRedraw) {
            return;
        }
        clearStatus();
        status = text;
        if (!midLine) {
            drawStatus();
        }
        terminal.flush();
    }

    /** Text the script prints; not necessarily whole lines. */
    synchronized void text(char[] chars, int offset, int length) {
        if (length == 0) {
            return;
        }
        clearStatus();
        terminal.writer().write(chars, offset, length);
        midLine = chars[offset + length - 1] != '\n';
        if (!midLine) {
            drawStatus();
        }
        terminal.flush();
    }

    /** The script's {@code out}: writes through this output so they keep clear of node lines and progress. */
    Writer scriptWriter() {
        return new Writer() {
            @Override
            public void write(char[] chars, int offset, int length) {
                text(chars, offset, length);
            }

            @Override
            public void flush() {
                terminal.flush();
            }

            @Override
            public void close() {
                flush();
            }
        };
    }

    /** Ends a half-written line, so that the prompt starts at the left margin. */
    synchronized void endLine() {
        clearStatus();
        status = null;
        if (midLine) {
            terminal.writer().println();
            midLine = false;
        }
        terminal.flush();
    }

    private void clearStatus() {
        if (status != null && !midLine) {
            terminal.puts(Capability.carriage_return);
            terminal.puts(Capability.clr_eol);
        }
    }

    private void drawStatus() {
        if (status != null) {
            terminal.writer().print(new AttributedString(status, colours.note()).toAnsi(terminal));
        }
    }
}
