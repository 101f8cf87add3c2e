package org.gproc.repl

import java.util.concurrent.atomic.AtomicInteger

import org.gproc.client.ProcessTracker

/** A "node" that runs its processes locally and reports them to the tracker, as the cluster API will. */
class LocalNode {

    final String name
    final ProcessTracker tracker
    final List<LocalProcess> started = Collections.synchronizedList([])
    private final AtomicInteger sessions = new AtomicInteger()

    LocalNode(String name, ProcessTracker tracker) {
        this.name = name
        this.tracker = tracker
    }

    /** Runs in the foreground of the current evaluation. */
    LocalProcess run(String... command) { launch(false, command) }

    /** Runs in the background. */
    LocalProcess start(String... command) { launch(true, command) }

    private LocalProcess launch(boolean background, String... command) {
        def process = new LocalProcess(name, String.valueOf(sessions.incrementAndGet()), command as List)
        started << process
        tracker.started(process, background)
        process
    }

    String toString() { name }

    static List<LocalNode> cluster(ProcessTracker tracker, String... names) {
        names.collect { new LocalNode(it, tracker) }
    }
}
