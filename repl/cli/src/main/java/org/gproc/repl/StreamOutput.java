package org.gproc.repl;

import java.io.PrintStream;

import org.gproc.client.OutputListener;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;

/**
 * Batch output, pdsh-style: a process's standard output as {@code node: line} on our standard output, its standard
 * error the same way on our standard error, gproc's notes and errors on standard error. Colours and the in-place
 * progress line only when standard error is a terminal.
 */
final class StreamOutput implements NodeOutput {

    private static final String CLEAR_LINE = "\r\033[K";

    private final PrintStream out;
    private final PrintStream err;
    private final NodeColours colours;
    private String status;

    StreamOutput(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.colours = new NodeColours(terminal);
    }

    boolean terminal() {
        return colours.enabled();
    }

    @Override
    public synchronized void nodeLine(String node, OutputListener.Stream stream, String line) {
        AttributedString text = new AttributedStringBuilder()
                .styled(colours.node(node), node + ":").append(' ').append(line).toAttributedString();
        print(stream == OutputListener.Stream.STDERR ? err : out, text);
    }

    @Override
    public synchronized void note(String text) {
        print(err, new AttributedString(text, colours.note()));
    }

    @Override
    public synchronized void error(String text) {
        print(err, new AttributedString(text, colours.error()));
    }

    @Override
    public synchronized void status(String text) {
        if (!terminal()) {
            return;
        }
        status = text;
        err.print(CLEAR_LINE + (text == null ? "" : text));
        err.flush();
    }

    private void print(PrintStream stream, AttributedString text) {
        if (status != null) {
            err.print(CLEAR_LINE);
            err.flush();
        }
        stream.println(terminal() ? text.toAnsi() : text.toString());
        stream.flush();
        if (status != null) {
            err.print(status);
            err.flush();
        }
    }
}
