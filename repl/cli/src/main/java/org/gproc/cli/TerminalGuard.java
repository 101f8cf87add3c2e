package org.gproc.cli;

import org.gproc.client.LaunchGuard;
import org.gproc.client.NodeSet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Shows the target set of a launch above {@code confirmAbove} and asks on the terminal; only "y" or "yes" starts. */
final class TerminalGuard implements LaunchGuard {
    private final BufferedReader in;
    private final PrintWriter out;

    TerminalGuard(InputStream stdin, PrintWriter out) {
        this.in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
        this.out = out;
    }

    @Override
    public boolean approve(NodeSet targets, String what, int limit) {
        out.println("gproc: " + what + " would start on " + targets.size() + " nodes (above confirmAbove = " + limit
                + "): " + targets.getNames());
        out.print("start? [y/N] ");
        out.flush();
        try {
            String answer = in.readLine();
            return answer != null && (answer.strip().toLowerCase(Locale.ROOT).equals("y")
                    || answer.strip().toLowerCase(Locale.ROOT).equals("yes"));
        } catch (IOException e) {
            return false;
        }
    }
}
