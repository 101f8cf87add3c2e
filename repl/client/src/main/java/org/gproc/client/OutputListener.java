package org.gproc.client;

/** Receives a remote process's output one line at a time (without the newline). */
public interface OutputListener {

    enum Stream { STDOUT, STDERR }

    void onLine(RemoteProcess process, Stream stream, String line);

    /** Both streams reached EOF and the exit status is known. */
    default void onEnd(RemoteProcess process) {}
}
