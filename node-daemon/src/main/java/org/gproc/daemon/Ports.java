package org.gproc.daemon;

import org.gproc.transport.ssh.SshNodeServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Port choice for {@code --listen HOST:0}: one node takes whatever port the kernel gives; N nodes need N consecutive
 * free ports (the inventory names them BASE..BASE+N-1), found by probing a random base below Linux's ephemeral range
 * and retrying if another process wins a port between the probe and the bind.
 */
final class Ports {
    static final int RANGE_LOW = 20000;
    static final int RANGE_HIGH = 32000;
    private static final int ATTEMPTS = 20;

    interface Starter {
        /** Starts the server on {@code first}..{@code first+count-1}; {@code first} 0 means one kernel-chosen port. */
        SshNodeServer start(int first) throws IOException;
    }

    private Ports() {
    }

    static SshNodeServer bindConsecutive(String host, int port, int count, Starter starter) throws IOException {
        if (port != 0 || count == 1) {
            if (port != 0 && port + count - 1 > 65535) {
                throw new IOException("--listen port " + port + " with --instances " + count
                        + " runs past port 65535");
            }
            return starter.start(port);
        }
        if (count > RANGE_HIGH - RANGE_LOW) {
            throw new IOException("--instances " + count + " with port 0: too many for the free-range search;"
                    + " give --listen HOST:BASEPORT");
        }
        IOException last = null;
        InetAddress address = InetAddress.getByName(host);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(RANGE_LOW, RANGE_HIGH - count);
            if (!allFree(address, base, count)) {
                continue;
            }
            try {
                return starter.start(base);
            } catch (IOException e) {
                last = e; // someone took a port meanwhile: try another range
            }
        }
        throw new IOException("no " + count + " consecutive free ports found on " + host + " in " + RANGE_LOW + ".."
                + RANGE_HIGH + (last != null ? " (last: " + last.getMessage() + ")" : ""), last);
    }

    private static boolean allFree(InetAddress address, int base, int count) {
        for (int p = base; p < base + count; p++) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(false);
                probe.bind(new InetSocketAddress(address, p), 1);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }
}
