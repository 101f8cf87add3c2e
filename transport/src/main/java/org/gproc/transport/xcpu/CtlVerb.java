package org.gproc.transport.xcpu;

/**
 * One row of a ctl file's verb table (Plan 9 {@code Cmdtab}): the verb, how many tokens a command has counting the
 * verb itself, and the usage shown when the count is wrong. The daemon parses with the table; the client writes its
 * commands with the same words, so a renamed verb breaks the build, not a run.
 */
public interface CtlVerb {

    /** The table row itself; the enums of verbs each hold one. */
    record Row(String word, int argc, String usage) {
    }

    Row row();

    default String word() {
        return row().word();
    }

    /** Tokens including the verb; 0 for a verb that takes any number of arguments. */
    default int argc() {
        return row().argc();
    }

    default String usage() {
        return row().usage();
    }

    /** The command line: the verb and its arguments, each quoted as tokenize needs it, ending in a newline. */
    default String line(String... args) {
        StringBuilder line = new StringBuilder(word());
        for (String arg : args) {
            line.append(' ').append(Tokens.quote(arg));
        }
        return line.append('\n').toString();
    }
}
