package org.gproc.daemon.proc;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.text.EditDistance;
import org.gproc.transport.xcpu.ExitStatus;
import org.gproc.transport.xcpu.Tokens;

import java.util.Arrays;
import java.util.Locale;

/**
 * Signal names and numbers as Linux defines them (x86-64, arm64 and most others share this table). Accepted spellings:
 * a number {@code 1..64}, a name ({@code TERM}) or a prefixed name ({@code SIGTERM}), in any case; {@code RTMIN+n}
 * and {@code RTMAX-n} for real-time signals.
 */
public final class Signals {

    public static final int HUP = 1;
    public static final int INT = 2;
    public static final int KILL = 9;
    public static final int TERM = 15;
    public static final int MAX = ExitStatus.MAX_SIGNAL;

    private static final int RTMIN = 34;

    /** Index = signal number; null where Linux has no classic name. */
    private static final String[] NAMES = {
        null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM",
        "PROF", "WINCH", "IO", "PWR", "SYS"
    };

    private static final String[][] ALIASES = {{"IOT", "6"}, {"POLL", "29"}, {"CLD", "17"}};

    private Signals() {
    }

    /** The signal {@code nameOrNumber} spells; an unknown one is an error naming it and the nearest known name. */
    public static int parse(String nameOrNumber) throws NinePException {
        String text = nameOrNumber == null ? "" : nameOrNumber.trim();
        if (!text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int number = text.length() > 3 ? -1 : Integer.parseInt(text);
            if (number < 1 || number > MAX) {
                throw new NinePException("signal: no signal number " + Tokens.shown(text) + " (Linux signals are 1-" + MAX
                        + ")");
            }
            return number;
        }
        String name = text.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        for (int sig = 1; sig < NAMES.length; sig++) {
            if (NAMES[sig].equals(name)) {
                return sig;
            }
        }
        for (String[] alias : ALIASES) {
            if (alias[0].equals(name)) {
                return Integer.parseInt(alias[1]);
            }
        }
        int realtime = realtime(name);
        if (realtime > 0) {
            return realtime;
        }
        throw new NinePException("signal: unknown signal " + Tokens.shown(text) + " " + suggestion(name));
    }

    /** The conventional name without the SIG prefix: {@code TERM}, {@code RTMIN+3}; a bare number otherwise. */
    public static String name(int sig) {
        if (sig > 0 && sig < NAMES.length) {
            return NAMES[sig];
        }
        if (sig >= RTMIN && sig <= MAX) {
            return sig == RTMIN ? "RTMIN" : "RTMIN+" + (sig - RTMIN);
        }
        return Integer.toString(sig);
    }

    private static int realtime(String name) {
        String base = name.startsWith("RTMIN") ? "RTMIN" : name.startsWith("RTMAX") ? "RTMAX" : null;
        if (base == null) {
            return -1;
        }
        String rest = name.substring(base.length());
        int offset = 0;
        if (!rest.isEmpty()) {
            char sign = rest.charAt(0);
            String digits = rest.substring(1);
            if ((sign != '+' && sign != '-') || digits.isEmpty() || digits.length() > 2
                    || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return -1;
            }
            offset = (sign == '+' ? 1 : -1) * Integer.parseInt(digits);
        }
        int sig = (base.equals("RTMIN") ? RTMIN : MAX) + offset;
        return sig >= RTMIN && sig <= MAX ? sig : -1;
    }

    private static String suggestion(String name) {
        return EditDistance.didYouMean(name, Arrays.asList(NAMES).subList(1, NAMES.length))
                .orElse("(use a name such as TERM, KILL, INT, HUP or a number 1-" + MAX + ")");
    }
}
