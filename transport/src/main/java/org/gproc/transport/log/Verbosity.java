package org.gproc.transport.log;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A log level for gproc's own loggers ({@code org.gproc.*}); every other library (Apache SSHD, BouncyCastle) logs
 * only errors up to INFO and then one level behind ({@link #libraries()}), because SSHD's INFO and WARN
 * lines (provider registration, "Session ... authenticated", a peer that closed while a reply was on its way)
 * repeat what gproc's own lines say with the principal and the node, or report what is normal for a client that
 * leaves. {@link #apply()} sets slf4j-simple's system properties; a property already given with {@code -D} wins, so
 * {@code GPROCD_JAVA_OPTS} and {@code GPROC_JAVA_OPTS} can still tune one logger. It must run before the first
 * logger is created: slf4j-simple reads its settings once.
 *
 * <p>Line shape: {@code WARN message}, without thread or logger names (journald stamps the time and the unit) except
 * at DEBUG and TRACE, where the thread and the short logger name say who spoke.
 */
public enum Verbosity {
    ERROR, WARN, INFO, DEBUG, TRACE;

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    /** gproc classes that extend SSHD's: SSHD's inherited code logs under their names, so they count as library. */
    private static final List<String> SSHD_SUBCLASSES = List.of(
            "org.gproc.transport.ssh.SubsystemOnlyChannel",
            "org.gproc.transport.ssh.SshNodeServer$MultiBindServer",
            "org.gproc.transport.ssh.SshFrameChannel$XcpuClientChannel",
            "org.gproc.transport.ssh.PublicKeyAuthFactory$Auth");

    /** Its name as the flags spell it: {@code info}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code steps} levels louder, TRACE at most: {@code gproc -vv} is WARN louder by two. */
    public Verbosity louder(int steps) {
        return values()[Math.min(TRACE.ordinal(), ordinal() + Math.max(0, steps))];
    }

    /** The level libraries get: ERROR up to INFO, then INFO at DEBUG and DEBUG at TRACE. */
    public Verbosity libraries() {
        return compareTo(DEBUG) < 0 ? ERROR : values()[ordinal() - 1];
    }

    /** {@code debug}, {@code DEBUG} → DEBUG; anything else names the accepted words. */
    public static Verbosity parse(String text) {
        for (Verbosity v : values()) {
            if (v.label().equalsIgnoreCase(text.strip())) {
                return v;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a log level (use " + choices() + ")");
    }

    /** {@code error, warn, info, debug or trace}. */
    public static String choices() {
        String all = Arrays.stream(values()).map(Verbosity::label).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return all.substring(0, last) + " or " + all.substring(last + 2);
    }

    /** Sets slf4j-simple's levels and line shape for this verbosity, leaving alone what {@code -D} already set. */
    public void apply() {
        boolean detailed = compareTo(DEBUG) >= 0;
        setDefault("defaultLogLevel", libraries().label());
        setDefault("log.org.gproc", label());
        SSHD_SUBCLASSES.forEach(name -> setDefault("log." + name, libraries().label()));
        setDefault("showThreadName", Boolean.toString(detailed));
        setDefault("showShortLogName", Boolean.toString(detailed));
        setDefault("showLogName", "false");
        setDefault("levelInBrackets", "false");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
