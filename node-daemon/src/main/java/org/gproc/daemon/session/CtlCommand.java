package org.gproc.daemon.session;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.text.EditDistance;
import org.gproc.transport.xcpu.CtlVerb;
import org.gproc.transport.xcpu.Tokens;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A parsed ctl command: the verb from the table and its arguments (verb excluded). Parsing follows Plan 9's
 * {@code parsecmd}/{@code lookupcmd}: tokenize the line, look the first token up in a {@code {verb, argc}} table, check
 * the count. An unknown verb names itself and the nearest known verb by edit distance.
 */
public record CtlCommand<V extends CtlVerb>(V verb, List<String> args) {

    public CtlCommand {
        args = List.copyOf(args);
    }

    public String arg(int i) {
        return args.get(i);
    }

    /** Every non-blank line of one write, parsed in order; {@code file} names the ctl file in errors. */
    public static <V extends CtlVerb> List<CtlCommand<V>> parseAll(String file, V[] table, String text)
            throws NinePException {
        List<CtlCommand<V>> commands = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (!line.isBlank()) {
                commands.add(parse(file, table, line));
            }
        }
        if (commands.isEmpty()) {
            throw new NinePException(file + ": empty command (verbs: " + verbList(table) + ")");
        }
        return commands;
    }

    public static <V extends CtlVerb> CtlCommand<V> parse(String file, V[] table, String line) throws NinePException {
        List<String> tokens = Tokens.tokenize(file, line);
        if (tokens.isEmpty()) {
            throw new NinePException(file + ": empty command (verbs: " + verbList(table) + ")");
        }
        String word = tokens.get(0);
        for (V verb : table) {
            if (verb.word().equals(word)) {
                if (verb.argc() != 0 && tokens.size() != verb.argc()) {
                    throw new NinePException(file + ": '" + word + "' takes " + plural(verb.argc() - 1, "argument")
                            + ", got " + (tokens.size() - 1) + " (usage: " + verb.usage() + ")");
                }
                return new CtlCommand<>(verb, tokens.subList(1, tokens.size()));
            }
        }
        throw new NinePException(file + ": unknown verb '" + word + "' " + suggestion(word, table));
    }

    private static <V extends CtlVerb> String suggestion(String word, V[] table) {
        return EditDistance.didYouMean(word, Arrays.stream(table).map(CtlVerb::word).toList())
                .orElse("(verbs: " + verbList(table) + ")");
    }

    private static <V extends CtlVerb> String verbList(V[] table) {
        StringBuilder list = new StringBuilder();
        for (V verb : table) {
            if (list.length() > 0) {
                list.append(", ");
            }
            list.append(verb.word());
        }
        return list.toString();
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
