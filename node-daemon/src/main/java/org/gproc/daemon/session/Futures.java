package org.gproc.daemon.session;

import org.gproc.transport.ninep.NinePException;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Future plumbing for parked reads. Results fail with the original {@link NinePException} (not a
 * {@link CompletionException} around it) so the server core can put its message in the Rerror; cancelling a
 * derived future (a flushed read) never cancels the session-wide future it waits on.
 */
final class Futures {

    private Futures() {
    }

    static <T, R> CompletableFuture<R> map(CompletableFuture<T> source, Function<T, R> fn) {
        CompletableFuture<R> result = new CompletableFuture<>();
        source.whenComplete((value, failure) -> {
            if (failure != null) {
                result.completeExceptionally(unwrap(failure));
            } else {
                try {
                    result.complete(fn.apply(value));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }
        });
        return result;
    }

    /** {@code result} takes {@code inner}'s outcome; cancelling {@code result} cancels {@code inner}. */
    static <T> void relay(CompletableFuture<T> inner, CompletableFuture<T> result) {
        result.whenComplete((value, failure) -> {
            if (result.isCancelled()) {
                inner.cancel(true);
            }
        });
        inner.whenComplete((value, failure) -> {
            if (failure != null) {
                result.completeExceptionally(unwrap(failure));
            } else {
                result.complete(value);
            }
        });
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof CancellationException) {
            return t;
        }
        return t;
    }
}
