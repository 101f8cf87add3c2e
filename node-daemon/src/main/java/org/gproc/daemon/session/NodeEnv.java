package org.gproc.daemon.session;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.Tokens;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A node's default environment, the base every session's env is added to. Readers see an immutable snapshot;
 * writers (admins, through {@code /env}) replace it copy-on-write, so a thousand nodes share one initial map.
 */
public final class NodeEnv {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private volatile Map<String, String> vars;

    public NodeEnv(Map<String, String> initial) {
        this.vars = Collections.unmodifiableMap(new TreeMap<>(initial));
    }

    private NodeEnv(NodeEnv template) {
        this.vars = template.vars;
    }

    /** Nodes created from one template share its map until one of them is written. */
    public NodeEnv copy() {
        return new NodeEnv(this);
    }

    public Map<String, String> snapshot() {
        return vars;
    }

    /** Sets every KEY=VALUE token of {@code text}. */
    public synchronized void apply(String text) throws NinePException {
        Map<String, String> changes = parse("env", text);
        Map<String, String> next = new TreeMap<>(vars);
        next.putAll(changes);
        vars = Collections.unmodifiableMap(next);
    }

    /** One KEY=VALUE token per line, quoted as tokenize(2) needs. */
    public static String format(Map<String, String> vars) {
        StringBuilder text = new StringBuilder();
        vars.forEach((k, v) -> text.append(Tokens.quote(k + "=" + v)).append('\n'));
        return text.toString();
    }

    /** KEY=VALUE tokens, in order (a later token for the same key wins); {@code file} names the file in errors. */
    public static Map<String, String> parse(String file, String text) throws NinePException {
        List<String> tokens = Tokens.tokenize(file, text);
        Map<String, String> vars = new TreeMap<>();
        for (String token : tokens) {
            int eq = token.indexOf('=');
            if (eq < 0) {
                throw new NinePException(file + ": token '" + abbreviate(token) + "' is not KEY=VALUE");
            }
            String name = token.substring(0, eq);
            if (!NAME.matcher(name).matches()) {
                throw new NinePException(file + ": '" + abbreviate(name)
                        + "' is not a variable name (letters, digits and _, not starting with a digit)");
            }
            vars.put(name, token.substring(eq + 1));
        }
        return vars;
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
