package org.gproc.daemon.session;

/**
 * One row of a ctl file's verb table (Plan 9 {@code Cmdtab}): the verb, how many tokens a command has counting the
 * verb itself, and the usage shown when the count is wrong.
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
}
