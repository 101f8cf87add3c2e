package org.gproc.client.internal.nodeset;

import java.util.ArrayList;
import java.util.List;

/**
 * A node name pattern as ClusterShell keys it: literal text with one {@code %s} per index dimension and {@code %%}
 * for a literal percent sign ({@code "r%sn%s"} for {@code r1n4}). Patterns sort by that key string, as ClusterShell
 * sorts its pattern dictionary.
 */
final class Pattern {
    final String key;
    private final String[] literals;

    private Pattern(String key, String[] literals) {
        this.key = key;
        this.literals = literals;
    }

    static Pattern of(String key) {
        List<String> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '%' && i + 1 < key.length()) {
                char n = key.charAt(++i);
                if (n == 's') {
                    parts.add(lit.toString());
                    lit.setLength(0);
                } else {
                    lit.append(n);
                }
            } else {
                lit.append(c);
            }
        }
        parts.add(lit.toString());
        return new Pattern(key, parts.toArray(String[]::new));
    }

    int dims() {
        return literals.length - 1;
    }

    String format(String... indexes) {
        if (indexes.length != dims()) {
            throw new IllegalArgumentException("pattern " + key + " takes " + dims() + " indexes");
        }
        StringBuilder sb = new StringBuilder(literals[0]);
        for (int i = 0; i < indexes.length; i++) {
            sb.append(indexes[i]).append(literals[i + 1]);
        }
        return sb.toString();
    }

    /** The escaped form ClusterShell builds patterns from. */
    static String escape(String text) {
        return text.replace("%", "%%");
    }

    /** The text of a pattern without indexes ({@code pat % ()}). */
    static String unescape(String text) {
        return text.replace("%%", "%");
    }
}
