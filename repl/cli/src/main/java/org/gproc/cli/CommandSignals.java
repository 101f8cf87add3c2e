package org.gproc.cli;

import org.jline.utils.Signals;

/**
 * Where a running command hears SIGINT, SIGTERM and SIGHUP and how it leaves at once: this JVM's own signals and
 * {@link System#exit} for a command run directly, the thin client's forwarded signals and the end of that one request
 * for a command the control-node agent runs for a client. Handlers run on a thread of their own and must not block.
 */
public interface CommandSignals {
    /** Installs {@code handler} for the signal {@code name} ({@code INT}, {@code TERM}, {@code HUP}); the previous one. */
    Object register(String name, Runnable handler);

    /** Puts back what {@link #register} returned. */
    void unregister(String name, Object previous);

    /** Ends the command now with {@code status}, whatever its threads are doing. */
    void exitNow(int status);

    /** The JVM's signals (through JLine, which also works where {@code sun.misc.Signal} is hidden). */
    CommandSignals JVM = new CommandSignals() {
        @Override
        public Object register(String name, Runnable handler) {
            return Signals.register(name, handler);
        }

        @Override
        public void unregister(String name, Object previous) {
            Signals.unregister(name, previous);
        }

        @Override
        public void exitNow(int status) {
            System.exit(status);
        }
    };
}
