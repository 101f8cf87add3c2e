package org.gproc.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.gproc.transport.text.EditDistance;

/**
 * The drivers' command lines: {@code --name value} options and {@code --switch}es, nothing else. Mains are run by
 * scripts, so this stays tiny, but a typo still names the culprit and the closest known option.
 */
final class Flags {
    private final String program;
    private final Map<String, String> values = new HashMap<>();

    private Flags(String program) {
        this.program = program;
    }

    static Flags parse(String program, String[] args, Set<String> options, Set<String> switches) {
        Flags f = new Flags(program);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (switches.contains(a)) {
                f.values.put(a, "true");
            } else if (options.contains(a)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(program + ": option " + a + " needs a value");
                }
                f.values.put(a, args[++i]);
            } else {
                List<String> known = new ArrayList<>(options);
                known.addAll(switches);
                throw new IllegalArgumentException(program + ": unknown option '" + a + "' "
                        + EditDistance.didYouMean(a, known)
                        .orElse("(known: " + String.join(" ", known.stream().sorted().toList()) + ")"));
            }
        }
        return f;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback, int min) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min) {
                throw new IllegalArgumentException(program + ": " + name + " " + n + " is below " + min);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(program + ": " + name + " '" + v + "' is not a whole number");
        }
    }

}
