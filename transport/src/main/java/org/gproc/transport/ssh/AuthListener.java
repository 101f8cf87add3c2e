package org.gproc.transport.ssh;

/**
 * Told of every public-key authentication verdict (see {@link AuthEvent} for which requests fire). Called on an
 * SSH I/O thread while the client waits for the answer: it must not block (hand the event to a queue or append to
 * an already open file). An exception it throws is logged and changes nothing about the verdict.
 */
@FunctionalInterface
public interface AuthListener {
    void onAuth(AuthEvent event);
}
