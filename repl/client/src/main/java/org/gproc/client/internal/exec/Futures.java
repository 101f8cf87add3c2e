package org.gproc.client.internal.exec;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers for futures whose failures must reach users with their original message. */
public final class Futures {
    private Futures() {
    }

    /** The cause a CompletionException/ExecutionException wraps, as an unchecked exception to rethrow in a stage. */
    public static CompletionException unwrapped(Throwable t) {
        Throwable cause = cause(t);
        return cause instanceof CompletionException c ? c : new CompletionException(cause);
    }

    public static Throwable cause(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The message a user should read for {@code t}. */
    public static String message(Throwable t) {
        Throwable cause = cause(t);
        if (cause instanceof CancellationException) {
            return "cancelled";
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
