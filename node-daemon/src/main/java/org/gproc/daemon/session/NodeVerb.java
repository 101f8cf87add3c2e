package org.gproc.daemon.session;

/** The verbs the node's root {@code ctl} accepts; each acts on a session the caller may see. */
public enum NodeVerb implements CtlVerb {
    KILL("kill", 3, "kill <signal> <session>"),
    WIPE("wipe", 2, "wipe <session>");

    private final String word;
    private final int argc;
    private final String usage;

    NodeVerb(String word, int argc, String usage) {
        this.word = word;
        this.argc = argc;
        this.usage = usage;
    }

    @Override
    public String word() {
        return word;
    }

    @Override
    public int argc() {
        return argc;
    }

    @Override
    public String usage() {
        return usage;
    }
}
