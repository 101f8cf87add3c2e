package org.gproc.transport.ssh;

/**
 * Told of every {@code direct-tcpip} request a gateway judged, accepted or refused. Called on an SSH I/O thread: it
 * must not block. An exception it throws is logged and changes nothing about the verdict.
 */
@FunctionalInterface
public interface JumpListener {
    void onJump(JumpEvent event);

    /**
     * Why no jump may be allowed now (e.g. the audit log that must record it cannot be written), or null. Asked for
     * each request that would be allowed; a non-null answer refuses it with that reason.
     */
    default String refusal() {
        return null;
    }
}
