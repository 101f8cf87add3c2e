package org.gproc.cli.agent;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;

/**
 * Who is on the other end of a UNIX socket: the kernel's word (SO_PEERCRED, recorded when the peer connected), never
 * anything the peer says. The agent serves only its own user; principals compare by uid.
 */
final class PeerCheck {
    private static final Path SELF = Path.of("/proc/self");
    private static final int OWN_UID;
    private static final UserPrincipal OWN_USER;

    static {
        try {
            OWN_UID = (Integer) Files.getAttribute(SELF, "unix:uid");
            OWN_USER = Files.getOwner(SELF);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read this process's uid from /proc/self: " + e.getMessage(), e);
        }
    }

    private PeerCheck() {
    }

    static int ownUid() {
        return OWN_UID;
    }

    /** Null when the peer is this user; else its user as the kernel names it (for the refusal's log line). */
    static String stranger(SocketChannel channel) throws IOException {
        UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        return peer.user().equals(OWN_USER) ? null : peer.user().getName();
    }
}
