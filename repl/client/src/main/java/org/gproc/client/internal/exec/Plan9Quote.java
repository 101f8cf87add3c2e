package org.gproc.client.internal.exec;

import java.util.List;
import java.util.stream.Collectors;

/** Plan 9 tokenize(2) quoting, as the daemon's argv and env files read it: {@code 'it''s'} is one token. */
public final class Plan9Quote {
    private Plan9Quote() {
    }

    public static String quote(String token) {
        if (!token.isEmpty() && token.chars().noneMatch(c -> c == ' ' || c == '\t' || c == '\n' || c == '\r'
                || c == '\'')) {
            return token;
        }
        return "'" + token.replace("'", "''") + "'";
    }

    public static String join(List<String> tokens) {
        return tokens.stream().map(Plan9Quote::quote).collect(Collectors.joining(" "));
    }
}
