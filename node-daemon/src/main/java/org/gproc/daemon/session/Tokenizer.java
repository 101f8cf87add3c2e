package org.gproc.daemon.session;

import org.gproc.transport.ninep.NinePException;

import java.util.ArrayList;
import java.util.List;

/**
 * Plan 9 {@code tokenize(2)} quoting, as used by {@code argv}, {@code env} and {@code ctl} lines: tokens are separated
 * by unquoted blanks (space, tab, CR, LF); a single quote starts or ends a quoted run, which may sit in the middle of
 * a token; inside quotes {@code ''} is one literal quote. So {@code sh -c 'exit 7'} is three tokens and
 * {@code 'it''s'} is {@code it's}. Unlike Plan 9 an unterminated quote is an error, not a silent end of token.
 */
public final class Tokenizer {

    private Tokenizer() {
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

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
