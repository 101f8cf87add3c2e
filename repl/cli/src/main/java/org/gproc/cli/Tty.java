package org.gproc.cli;

import java.io.Console;
import java.io.InputStream;
import java.lang.reflect.Method;

/** Whether gproc talks to a person: standard input and output are a terminal. */
final class Tty {
    private Tty() {
    }

    /**
     * True when {@code stdin} is the process's own and it and standard output are a terminal. On JDK 22 and later
     * {@code System.console()} exists without a terminal too, so its {@code isTerminal()} is asked when present.
     */
    static boolean interactive(InputStream stdin) {
        if (stdin != System.in) {
            return false;
        }
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException olderJdk) {
            return true; // before JDK 22 a console exists only on a terminal
        }
    }
}
