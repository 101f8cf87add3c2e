package org.gproc.daemon.session;

/**
 * One row of a ctl file's verb table (Plan 9 {@code Cmdtab}): the verb, how many tokens a command has counting the
 * verb itself, and the usage shown when the count is wrong.
 */
public interface CtlVerb {

    String word();

    /** Tokens including the verb. */
    int argc();

    String usage();
}
