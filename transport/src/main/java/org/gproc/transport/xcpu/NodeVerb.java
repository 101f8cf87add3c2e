package org.gproc.transport.xcpu;

/** The verbs the node's root {@code ctl} accepts; each acts on a session the caller may see. */
public enum NodeVerb implements CtlVerb {
    KILL("kill", 3, "kill <signal> <session>"),
    WIPE("wipe", 2, "wipe <session>");

    private final Row row;

    NodeVerb(String word, int argc, String usage) {
        this.row = new Row(word, argc, usage);
    }

    @Override
    public Row row() {
        return row;
    }
}
