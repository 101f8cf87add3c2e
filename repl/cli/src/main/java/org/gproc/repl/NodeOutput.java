package org.gproc.repl;

import org.gproc.client.OutputListener;

/** Where a foreground job's output and the front end's notes go: a terminal (REPL) or standard streams (batch). */
interface NodeOutput {

    /** One line a process printed, shown as {@code node: line}. */
    void nodeLine(String node, OutputListener.Stream stream, String line);

    /** A note from gproc itself (an interrupt, a failure summary); one or more whole lines. */
    void note(String text);

    /** An error report; one or more whole lines. */
    void error(String text);

    /** The progress line, redrawn in place; null removes it. Outputs that cannot redraw in place ignore it. */
    void status(String text);
}
