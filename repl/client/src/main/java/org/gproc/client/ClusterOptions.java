package org.gproc.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Cluster#connect} reaches the nodes. Identity and known_hosts are explicit files (never
 * {@code ~/.ssh/id_*} behind the user's back); new host keys are accepted only when {@link #acceptNewHostKeys} asks.
 */
public record ClusterOptions(Path identity, Path knownHosts, Duration connectTimeout, Duration requestTimeout,
                             boolean acceptNewHostKeys, ProcessTracker tracker, ProgressListener progress,
                             ClusterListener listener, LaunchGuard guard) {
    public ClusterOptions {
        guard = guard == null ? LaunchGuard.REFUSE : guard;
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        tracker = tracker == null ? new ProcessTracker() : tracker;
        progress = progress == null ? ProgressListener.NONE : progress;
        listener = listener == null ? ClusterListener.NONE : listener;
    }

    public static ClusterOptions defaults() {
        return new ClusterOptions(null, null, Duration.ofSeconds(10), Duration.ofSeconds(60), false, null, null, null,
                null);
    }

    public ClusterOptions withIdentity(Path file) {
        return new ClusterOptions(file, knownHosts, connectTimeout, requestTimeout, acceptNewHostKeys, tracker, progress,
                listener, guard);
    }

    public ClusterOptions withKnownHosts(Path file) {
        return new ClusterOptions(identity, file, connectTimeout, requestTimeout, acceptNewHostKeys, tracker, progress,
                listener, guard);
    }

    public ClusterOptions withConnectTimeout(Duration timeout) {
        return new ClusterOptions(identity, knownHosts, timeout, requestTimeout, acceptNewHostKeys, tracker, progress,
                listener, guard);
    }

    public ClusterOptions withAcceptNewHostKeys(boolean accept) {
        return new ClusterOptions(identity, knownHosts, connectTimeout, requestTimeout, accept, tracker, progress, listener,
                guard);
    }

    public ClusterOptions withTracker(ProcessTracker t) {
        return new ClusterOptions(identity, knownHosts, connectTimeout, requestTimeout, acceptNewHostKeys, t, progress, listener,
                guard);
    }

    public ClusterOptions withProgress(ProgressListener p) {
        return new ClusterOptions(identity, knownHosts, connectTimeout, requestTimeout, acceptNewHostKeys, tracker, p, listener,
                guard);
    }

    /** Installs what is asked before a launch above the inventory's {@code confirmAbove}; {@link LaunchGuard#REFUSE} by default. */
    public ClusterOptions withGuard(LaunchGuard g) {
        return new ClusterOptions(identity, knownHosts, connectTimeout, requestTimeout, acceptNewHostKeys, tracker,
                progress, listener, g);
    }

    /** Installs the listener told about pushes and processes (metrics, traces); {@link ClusterListener#NONE} by default. */
    public ClusterOptions withListener(ClusterListener l) {
        return new ClusterOptions(identity, knownHosts, connectTimeout, requestTimeout, acceptNewHostKeys, tracker,
                progress, l, guard);
    }
}
