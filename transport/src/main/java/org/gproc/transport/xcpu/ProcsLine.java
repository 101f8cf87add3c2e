package org.gproc.transport.xcpu;

import org.gproc.transport.ninep.NinePException;

import java.util.List;
import java.util.Locale;

/**
 * One line of a node's {@code procs}: {@code session pid state owner cpu rss start argv...}, fields separated by
 * single spaces, owner and argv in tokenize quoting so a line splits back into exactly these fields.
 * {@code cpu} is the percent of one CPU over the process's life (like ps %CPU), one decimal; {@code rss} is KiB;
 * {@code start} is Unix seconds; {@code state} is the session's state word ({@code running}, {@code exited}, ...).
 */
public record ProcsLine(int session, long pid, String state, String owner, double cpu, long rssKiB,
                        long startSeconds, List<String> argv) {

    public ProcsLine {
        if (session < 0) {
            throw new IllegalArgumentException("procs: session " + session + " (sessions are numbered from 0)");
        }
        if (pid < 1) {
            throw new IllegalArgumentException("procs: pid " + pid + " (a listed process has a pid of 1 or more)");
        }
        if (state == null || state.isEmpty() || !state.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
            throw new IllegalArgumentException("procs: state " + Tokens.shown(state)
                    + " (a state is one lower-case word)");
        }
        if (!Principal.isValid(owner)) {
            throw new IllegalArgumentException("procs: owner " + Tokens.shown(owner) + " (" + Principal.RULE + ")");
        }
        if (!(cpu >= 0) || Double.isInfinite(cpu) || rssKiB < 0 || startSeconds < 0) {
            throw new IllegalArgumentException("procs: cpu " + cpu + ", rss " + rssKiB + ", start " + startSeconds
                    + " (none of them is negative)");
        }
        cpu = Math.round(cpu * 10) / 10.0; // the text form has one decimal: keep parse(format(x)) equal to x
        argv = argv.stream().map(ProcsLine::printable).toList();
    }

    /**
     * An argument as {@code ps} shows it: a control character (a newline above all, which would end the line) is a
     * {@code ?}, so one process with {@code $'a\nb'} in its argv cannot break the listing of the whole node.
     */
    private static String printable(String word) {
        StringBuilder shown = null;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            boolean control = c < 0x20 || c == 0x7f;
            if (control && shown == null) {
                shown = new StringBuilder(word.substring(0, i));
            }
            if (shown != null) {
                shown.append(control ? '?' : c);
            }
        }
        return shown == null ? word : shown.toString();
    }

    public String format() {
        return session + " " + pid + " " + state + " " + Tokens.quote(owner) + " "
                + String.format(Locale.ROOT, "%.1f", cpu) + " " + rssKiB + " " + startSeconds
                + (argv.isEmpty() ? "" : " " + Tokens.join(argv));
    }

    @Override
    public String toString() {
        return format();
    }

    /** Parses one line (a trailing newline is ignored). */
    public static ProcsLine parse(String line) throws NinePException {
        List<String> f = Tokens.tokenize("procs", line == null ? "" : line);
        if (f.size() < 7) {
            throw bad(line, "expected 'session pid state owner cpu rss start argv...', got " + f.size() + " fields");
        }
        try {
            return new ProcsLine(Integer.parseInt(digits(f.get(0))), Long.parseLong(digits(f.get(1))), f.get(2),
                    f.get(3), Double.parseDouble(decimal(f.get(4))), Long.parseLong(digits(f.get(5))),
                    Long.parseLong(digits(f.get(6))), f.subList(7, f.size()));
        } catch (NumberFormatException e) {
            throw bad(line, "session, pid, rss and start are whole numbers and cpu a decimal like 12.5");
        } catch (IllegalArgumentException e) {
            throw bad(line, e.getMessage().substring("procs: ".length()));
        }
    }

    private static NinePException bad(String line, String rule) {
        return new NinePException("procs: bad line " + Tokens.shown(String.valueOf(line).strip()) + ": " + rule);
    }

    /** Only plain digits: Java's parsers would also take a sign, which the daemon never writes. */
    private static String digits(String field) {
        if (field.isEmpty() || field.length() > 19 || !field.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException(field);
        }
        return field;
    }

    private static String decimal(String field) {
        int dot = field.indexOf('.');
        if (dot < 0) {
            return digits(field);
        }
        digits(field.substring(0, dot));
        digits(field.substring(dot + 1));
        return field;
    }
}
