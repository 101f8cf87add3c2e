package org.gproc.transport.xcpu;

/** The verbs a session's {@code ctl} accepts. */
public enum SessionVerb implements CtlVerb {
    EXEC("exec", 2, "exec <path>  (relative: inside the session's fs/; absolute: the node's own file)"),
    SIGNAL("signal", 2, "signal <number|name>  (to the whole process group)"),
    KILL("kill", 1, "kill  (signal KILL to the whole process group)"),
    WIPE("wipe", 1, "wipe  (kill if running and remove the session now)"),
    CLOSE("close", 2, "close stdin"),
    DIR("dir", 2, "dir <path>  (working directory; relative: inside fs/)"),
    LINK("link", 4, "link <sha256> <path> <octal mode>  (a cached blob into fs/)"),
    ID("id", 2, "id <job>/<rank>"),
    TYPE("type", 2, "type normal|persistent"),
    /** The argv file's content as a ctl line, so one Twrite can set argv and exec (argc 0: any token count). */
    ARGV("argv", 0, "argv <argv0> <arg>...  (as writing the argv file)"),
    ENV("env", 0, "env KEY=VALUE...  (as writing the env file)");

    private final Row row;

    SessionVerb(String word, int argc, String usage) {
        this.row = new Row(word, argc, usage);
    }

    @Override
    public Row row() {
        return row;
    }
}
