package org.gproc.transport.xcpu;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A relay's error for a child it cannot reach: {@code /n/NAME: child NAME (HOST:PORT): REASON}. The relay answers
 * every request under {@code n/NAME/} with it once the child is down, and a relay above passes it on unchanged, so
 * the client can tell which hop of a route broke (the NAME) from an error of the node itself. {@link #LOST} is the
 * reason for a child whose connection was up and went away.
 */
public record ChildUnreachable(String child, String address, String reason) {

    /** The reason for a child whose connection closed after it was up. */
    public static final String LOST = "connection lost";

    private static final Pattern TEXT = Pattern.compile("/n/([A-Za-z0-9][A-Za-z0-9._-]{0,63}): child \\1 \\(([^()]*)\\): (.*)",
            Pattern.DOTALL);

    /** The error text the relay sends. */
    public String message() {
        return "/n/" + child + ": child " + child + " (" + address + "): " + reason;
    }

    /** Whether the child was up and its connection went away (rather than never being reached). */
    public boolean lost() {
        return reason.equals(LOST);
    }

    /** The relay's error in {@code text} (which may carry a prefix of the caller's), if that is what it is. */
    public static Optional<ChildUnreachable> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = TEXT.matcher(text);
        return m.find() ? Optional.of(new ChildUnreachable(m.group(1), m.group(2), m.group(3))) : Optional.empty();
    }
}
