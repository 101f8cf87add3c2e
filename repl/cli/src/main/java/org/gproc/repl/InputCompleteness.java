package org.gproc.repl;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Decides whether typed Groovy is finished or the REPL should ask for another line: an unclosed bracket, triple-quoted
 * string or block comment, a trailing backslash, or a line ending in an operator that needs a right-hand side
 * ({@code .}, {@code ,}, {@code =}, {@code +}, {@code &&}, {@code ->}, ...) means "more to come". Anything it cannot
 * judge counts as finished, so the compiler reports the real error instead of the REPL waiting forever.
 */
final class InputCompleteness {

    private InputCompleteness() {}

    static boolean incomplete(String source) {
        Deque<Character> open = new ArrayDeque<>();
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                i = lineEnd(source, i);
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                if (end < 0) {
                    return true;
                }
                i = end + 2;
            } else if (source.startsWith("'''", i) || source.startsWith("\"\"\"", i)) {
                int end = closing(source, i + 3, source.substring(i, i + 3));
                if (end < 0) {
                    return true;
                }
                i = end + 3;
            } else if (c == '\'' || c == '"') {
                int end = closing(source, i + 1, String.valueOf(c));
                if (end < 0) {
                    return false; // an unterminated one-line string: the compiler says so
                }
                i = end + 1;
            } else {
                if (c == '(' || c == '[' || c == '{') {
                    open.push(c);
                } else if (c == ')' || c == ']' || c == '}') {
                    if (open.isEmpty() || open.pop() != opening(c)) {
                        return false; // mismatched: let the compiler report it
                    }
                }
                i++;
            }
        }
        return !open.isEmpty() || endsWithContinuation(withoutTrailingComment(source));
    }

    private static boolean endsWithContinuation(String source) {
        String s = source.stripTrailing();
        if (s.isEmpty()) {
            return false;
        }
        if (s.endsWith("\\")) {
            return true;
        }
        if (s.endsWith("++") || s.endsWith("--") || s.endsWith(".*")) {
            return false;
        }
        for (String operator : new String[] {".", ",", "=", "+", "-", "&&", "||", "->", "?", ":", "<<"}) {
            if (s.endsWith(operator)) {
                return true;
            }
        }
        return false;
    }

    /** Drops a {@code //} comment from the last line (only when it is not inside a string). */
    private static String withoutTrailingComment(String source) {
        int lineStart = source.lastIndexOf('\n') + 1;
        String last = source.substring(lineStart);
        int comment = last.indexOf("//");
        if (comment < 0 || last.substring(0, comment).chars().filter(ch -> ch == '\'' || ch == '"').count() % 2 != 0) {
            return source;
        }
        return source.substring(0, lineStart + comment);
    }

    private static int closing(String source, int from, String quote) {
        for (int i = from; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '\\') {
                i++;
            } else if (quote.length() == 1 && c == '\n') {
                return -1;
            } else if (source.startsWith(quote, i)) {
                return i;
            }
        }
        return -1;
    }

    private static int lineEnd(String source, int from) {
        int end = source.indexOf('\n', from);
        return end < 0 ? source.length() : end;
    }

    private static char opening(char closing) {
        return switch (closing) {
            case ')' -> '(';
            case ']' -> '[';
            default -> '{';
        };
    }
}
