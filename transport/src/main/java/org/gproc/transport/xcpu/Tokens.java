package org.gproc.transport.xcpu;

import org.gproc.transport.ninep.NinePException;

import java.util.ArrayList;
import java.util.List;

/**
 * Plan 9 {@code tokenize(2)} quoting, as {@code argv}, {@code env}, {@code ctl} and {@code procs} lines use it: tokens
 * are separated by unquoted blanks (space, tab, CR, LF); a single quote starts or ends a quoted run, which may sit in
 * the middle of a token; inside quotes {@code ''} is one literal quote. So {@code sh -c 'exit 7'} is three tokens and
 * {@code 'it''s'} is {@code it's}. Unlike Plan 9 an unterminated quote is an error, not a silent end of token: a
 * line cut short must not run a different command.
 */
public final class Tokens {

    private Tokens() {
    }

    /** Splits {@code text}; {@code what} names the file in errors (e.g. "argv"). */
    public static List<String> tokenize(String what, String text) throws NinePException {
        List<String> tokens = new ArrayList<>();
        StringBuilder token = new StringBuilder();
        boolean inToken = false;
        boolean quoted = false;
        int quoteStart = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '\'') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '\'') {
                        token.append('\'');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    token.append(c);
                }
            } else if (isBlank(c)) {
                if (inToken) {
                    tokens.add(token.toString());
                    token.setLength(0);
                    inToken = false;
                }
            } else if (c == '\'') {
                quoted = true;
                quoteStart = i;
                inToken = true;
            } else {
                token.append(c);
                inToken = true;
            }
        }
        if (quoted) {
            throw new NinePException(what + ": unterminated quote starting at byte " + quoteStart
                    + " (a quoted run ends with ' and '' inside quotes is one literal quote)");
        }
        if (inToken) {
            tokens.add(token.toString());
        }
        return tokens;
    }

    /** The inverse of {@link #tokenize}: quotes a token only if it must be. */
    public static String quote(String token) {
        if (!token.isEmpty() && token.chars().noneMatch(c -> isBlank((char) c) || c == '\'')) {
            return token;
        }
        return "'" + token.replace("'", "''") + "'";
    }

    /** The tokens quoted and joined by single spaces. */
    public static String join(List<String> tokens) {
        StringBuilder line = new StringBuilder();
        for (String token : tokens) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(quote(token));
        }
        return line.toString();
    }

    /**
     * {@code culprit} as an error message shows it: in single quotes, control characters as {@code \xNN} (so a
     * hostile line cannot forge log lines), cut after 40 characters.
     */
    public static String shown(String culprit) {
        String text = String.valueOf(culprit);
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        StringBuilder out = new StringBuilder("'");
        for (char c : cut.toCharArray()) {
            out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.append('\'').toString();
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
