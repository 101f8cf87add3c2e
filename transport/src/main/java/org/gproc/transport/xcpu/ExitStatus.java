package org.gproc.transport.xcpu;

import org.gproc.transport.ninep.NinePException;

/**
 * How a process ended, exactly as wait(2) says: it exited with {@code code} ({@code signal == 0}), or a signal killed
 * it ({@code signal > 0}, {@code core} if it dumped core). For a signal death {@code code} is {@code 128 + signal},
 * the shell's {@code $?} convention, so callers that only want a number have one; {@link #signal()} tells them apart.
 * Text form (the session's {@code wait} file): {@code exit 0}, {@code signal 9}, {@code signal 11 core}.
 */
public record ExitStatus(int code, int signal, boolean core) {

    /** The highest Linux signal number (SIGRTMAX). */
    public static final int MAX_SIGNAL = 64;

    public ExitStatus {
        if (signal == 0 && (code < 0 || code > 255 || core)) {
            throw new IllegalArgumentException("exit status: code " + code + (core ? " with core" : "")
                    + " (an exit code is 0-255 and never dumps core)");
        }
        if (signal != 0 && (signal < 1 || signal > MAX_SIGNAL || code != 128 + signal)) {
            throw new IllegalArgumentException("exit status: signal " + signal + " with code " + code
                    + " (signals are 1-" + MAX_SIGNAL + ", code 128+signal)");
        }
    }

    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0, false);
    }

    public static ExitStatus killed(int signal, boolean core) {
        if (signal < 1) {
            throw new IllegalArgumentException("exit status: signal " + signal + " (signals are 1-" + MAX_SIGNAL
                    + ")");
        }
        return new ExitStatus(128 + signal, signal, core);
    }

    public boolean signaled() {
        return signal != 0;
    }

    /** The text form, as the {@code wait} file holds it (without the newline). */
    public String format() {
        return signal == 0 ? "exit " + code : "signal " + signal + (core ? " core" : "");
    }

    @Override
    public String toString() {
        return format();
    }

    /** Parses the text form; surrounding whitespace (a trailing newline) is ignored. */
    public static ExitStatus parse(String text) throws NinePException {
        String[] words = text == null ? new String[0] : text.strip().split(" ", -1);
        try {
            if (words.length == 2 && words[0].equals("exit") && isNumber(words[1])) {
                return exited(Integer.parseInt(words[1]));
            }
            if ((words.length == 2 || words.length == 3 && words[2].equals("core"))
                    && words[0].equals("signal") && isNumber(words[1])) {
                return killed(Integer.parseInt(words[1]), words.length == 3);
            }
        } catch (IllegalArgumentException outOfRange) {
            throw new NinePException("wait: bad exit status " + Tokens.shown(String.valueOf(text).strip()) + ": "
                    + outOfRange.getMessage().substring("exit status: ".length()));
        }
        throw new NinePException("wait: bad exit status " + Tokens.shown(String.valueOf(text).strip())
                + " (expected 'exit N', 'signal N' or 'signal N core')");
    }

    private static boolean isNumber(String word) {
        return !word.isEmpty() && word.length() <= 3 && word.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
