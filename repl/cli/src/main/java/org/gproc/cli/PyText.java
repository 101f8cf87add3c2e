package org.gproc.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The bits of Python that ClusterShell's nodeset applies to what the user typed: the separator is read as the
 * body of a {@code '''...'''} string literal (so {@code \n}, {@code \t}, {@code \x41} are escapes), and the output
 * format is applied with the {@code %} operator; arguments and standard input are cut into lines as Python cuts them.
 * Done here by hand, with Python's rules and its error texts.
 */
final class PyText {
    /** A bad separator or format; the message is Python's (or ClusterShell's) own. */
    static final class PyError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PyError(String message) {
            super(message, null, false, false);
        }
    }

    private PyText() {
    }

    /** {@code eval("'''" + text + "'''")}: the escapes decoded, or a PyError when Python would not parse it. */
    static String literal(String text) {
        StringBuilder out = new StringBuilder();
        String s = text + "'''";
        int i = 0;
        while (true) {
            if (i >= s.length()) {
                throw new PyError("invalid separator");
            }
            if (s.startsWith("'''", i)) {
                if (i != text.length()) {
                    throw new PyError("invalid separator");
                }
                return out.toString();
            }
            char c = s.charAt(i);
            if (c != '\\') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= s.length()) {
                throw new PyError("invalid separator");
            }
            char e = s.charAt(i + 1);
            i += 2;
            switch (e) {
                case '\n' -> { }
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x' -> {
                    i = hex(s, i, 2, out);
                }
                case 'u' -> {
                    i = hex(s, i, 4, out);
                }
                case 'U' -> {
                    i = hex(s, i, 8, out);
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int value = e - '0';
                        int n = 1;
                        while (n < 3 && i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7') {
                            value = value * 8 + (s.charAt(i++) - '0');
                            n++;
                        }
                        out.appendCodePoint(value);
                    } else {
                        out.append('\\').append(e);
                    }
                }
            }
        }
    }

    private static int hex(String s, int from, int digits, StringBuilder out) {
        if (from + digits > s.length()) {
            throw new PyError("invalid separator");
        }
        String h = s.substring(from, from + digits);
        for (char c : h.toCharArray()) {
            if (Character.digit(c, 16) < 0) {
                throw new PyError("invalid separator");
            }
        }
        int cp = (int) Long.parseLong(h, 16);
        if (cp > 0x10FFFF) {
            throw new PyError("invalid separator");
        }
        out.appendCodePoint(cp);
        return from + digits;
    }

    /**
     * Python's {@code format % value} for one value, a string or an integer: {@code %s %r %d %i %%} with flags and
     * width. Errors carry Python's message (ClusterShell prints them after "nodeset: ").
     */
    static String format(String format, Object value) {
        StringBuilder out = new StringBuilder();
        boolean used = false;
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            StringBuilder flags = new StringBuilder();
            while (i < format.length() && "-+ #0".indexOf(format.charAt(i)) >= 0) {
                flags.append(format.charAt(i++));
            }
            int width = 0;
            while (i < format.length() && Character.isDigit(format.charAt(i))) {
                width = width * 10 + (format.charAt(i++) - '0');
            }
            Integer precision = null;
            if (i < format.length() && format.charAt(i) == '.') {
                i++;
                int p = 0;
                while (i < format.length() && Character.isDigit(format.charAt(i))) {
                    p = p * 10 + (format.charAt(i++) - '0');
                }
                precision = p;
            }
            if (i >= format.length()) {
                throw new PyError("incomplete format");
            }
            char conv = format.charAt(i++);
            if (conv == '%') {
                out.append('%');
                continue;
            }
            if ("srdiuaxXoeEfFgGc".indexOf(conv) < 0) {
                throw new PyError(String.format("unsupported format character '%c' (0x%x) at index %d", conv,
                        (int) conv, i - 1));
            }
            if (used) {
                throw new PyError("not enough arguments for format string");
            }
            used = true;
            String text;
            if (conv == 's' || conv == 'r' || conv == 'a') {
                String v = String.valueOf(value);
                text = conv == 's' ? v : (value instanceof String ? NodesetOptions.pyRepr(v) : v);
                if (precision != null && precision < text.length()) {
                    text = text.substring(0, precision);
                }
            } else if (conv == 'd' || conv == 'i' || conv == 'u') {
                if (!(value instanceof Number)) {
                    throw new PyError("%" + conv + " format: a real number is required, not str");
                }
                text = String.valueOf(value);
                if (flags.indexOf("+") >= 0 && !text.startsWith("-")) {
                    text = "+" + text;
                } else if (flags.indexOf(" ") >= 0 && !text.startsWith("-")) {
                    text = " " + text;
                }
                if (flags.indexOf("0") >= 0 && flags.indexOf("-") < 0 && text.length() < width) {
                    boolean sign = text.startsWith("-") || text.startsWith("+") || text.startsWith(" ");
                    String digits = sign ? text.substring(1) : text;
                    text = (sign ? text.substring(0, 1) : "") + "0".repeat(width - text.length()) + digits;
                }
            } else {
                throw new PyError("%" + conv + " format: a " + (conv == 'c' ? "int or char" : "real number")
                        + " is required, not " + (value instanceof String ? "str" : "int"));
            }
            if (text.length() < width) {
                String pad = " ".repeat(width - text.length());
                text = flags.indexOf("-") >= 0 ? text + pad : pad + text;
            }
            out.append(text);
        }
        if (!used) {
            throw new PyError("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    /** Python's str.splitlines(). */
    static List<String> splitLines(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : linesKeepingEnds(text)) {
            int end = line.length();
            if (end > 0 && isLineBreak(line.charAt(end - 1))) {
                end--;
                if (end > 0 && line.charAt(end) == '\n' && line.charAt(end - 1) == '\r') {
                    end--;
                }
            }
            lines.add(line.substring(0, end));
        }
        return lines;
    }

    private static boolean isLineBreak(char c) {
        return c == '\n' || c == '\r' || c == '\u000b' || c == '\f' || c == '\u001c' || c == '\u001d'
                || c == '\u001e' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }

    /** Lines with their line break (a CR LF pair is one), as Python iterates them; no empty last line. */
    static List<String> linesKeepingEnds(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isLineBreak(c)) {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                lines.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }
}
