package org.gproc.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Sees every process the cluster API starts, so a REPL or batch runner can treat the processes started during one
 * evaluation as the foreground job: stream their output, wait for them, and interrupt them all on Ctrl-C.
 * Processes started with {@code start()} (background) are reported with {@code background = true}.
 */
public final class ProcessTracker {

    /** The processes started while a capture was open. */
    public final class Capture implements AutoCloseable {
        private final List<RemoteProcess> started = new CopyOnWriteArrayList<>();
        private final Consumer<RemoteProcess> onStart;

        private Capture(Consumer<RemoteProcess> onStart) {
            this.onStart = onStart;
        }

        public List<RemoteProcess> started() {
            return List.copyOf(started);
        }

        @Override
        public void close() {
            captures.remove(this);
        }
    }

    private final List<Capture> captures = new CopyOnWriteArrayList<>();
    private final List<RemoteProcess> background = new CopyOnWriteArrayList<>();

    /** Opens a capture: every foreground process started until it is closed is recorded in it. */
    public Capture capture() {
        return capture(process -> {});
    }

    /**
     * As {@link #capture()}, and hands each foreground process to {@code onStart} as it starts, so its output can
     * stream while the evaluation is still running. Runs on the thread that started the process; must not block.
     */
    public Capture capture(Consumer<RemoteProcess> onStart) {
        Capture capture = new Capture(onStart);
        captures.add(capture);
        return capture;
    }

    /** Called by the cluster API for every process it starts. */
    public void started(RemoteProcess process, boolean inBackground) {
        if (inBackground) {
            background.add(process);
            return;
        }
        for (Capture capture : captures) {
            capture.started.add(process);
            capture.onStart.accept(process);
        }
    }

    /** Background processes still known (for {@code /jobs}); ended ones are dropped. */
    public List<RemoteProcess> background() {
        background.removeIf(p -> !p.isAlive());
        return new ArrayList<>(background);
    }
}
