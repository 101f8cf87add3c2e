package org.gproc.client;

import java.nio.file.Path;

/**
 * Told what the cluster does, for metrics and traces (OkHttp's {@code EventListener}): installed with
 * {@link ClusterOptions#withListener}, one per cluster, so two clusters in one JVM never mix their figures. Every
 * method has a default that does nothing; override the ones you count. Called on transport threads, often: a
 * listener must be thread-safe and must not block.
 */
public interface ClusterListener {

    /** Counts nothing. */
    ClusterListener NONE = new ClusterListener() {
    };

    /** {@code bytes} of {@code file} were sent to {@code node}'s cache; a node that already had it sends none. */
    default void pushed(String node, Path file, long bytes) {
    }

    /** {@code process} runs (its pid is known), or could not start ({@link RemoteProcess#failure()} says why). */
    default void started(RemoteProcess process) {
    }

    /** {@code process} ended: its exit status, or the failure that stopped it, is known. */
    default void ended(RemoteProcess process) {
    }
}
