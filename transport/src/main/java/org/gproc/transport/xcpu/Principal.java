package org.gproc.transport.xcpu;

import java.util.regex.Pattern;

/**
 * What a user principal may look like: the name an authorized_keys entry or a user certificate gives the key, which
 * owns sessions and ends up in {@code procs} lines, session status and audit logs. One token of letters, digits and
 * {@code . _ @ + = -}, starting with a letter or digit, at most 128 characters: it needs no quoting anywhere and
 * cannot forge a field or a line.
 */
public final class Principal {

    /** The rule in words, for error messages. */
    public static final String RULE = "a principal is one token of letters, digits and . _ @ + = -, at most 128"
            + " characters, starting with a letter or digit";

    /** The syntax itself, for code that checks lists of names against a pattern. */
    public static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+=-]{0,127}");

    private Principal() {
    }

    public static boolean isValid(String name) {
        return name != null && SYNTAX.matcher(name).matches();
    }

    /** {@code name}, or an {@link IllegalArgumentException} that shows it and states the rule. */
    public static String require(String what, String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException(what + " " + Tokens.shown(name) + " is not a valid principal ("
                    + RULE + ")");
        }
        return name;
    }
}
