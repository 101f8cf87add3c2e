package org.gproc.client;

/**
 * Told how far a fan-out over many nodes (a push, a start) has got, so a front end can draw a progress line such as
 * {@code pushing: 412/1000 nodes}. The cluster API calls it; the REPL and batch runner supply it.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Draws nothing. */
    ProgressListener NONE = (step, done, total) -> {};

    /**
     * {@code done} of {@code total} nodes have finished {@code step} (a verb such as {@code pushing}); the last call
     * of a step has {@code done == total}. May be called from any thread, often; must not block.
     */
    void progress(String step, int done, int total);
}
