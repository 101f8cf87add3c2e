package org.gproc.cli.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** The JVM side's own few questions to a running agent ({@code gproc agent status|stop}); the thin client runs commands. */
final class AgentClient {
    private AgentClient() {
    }

    /** The agent's answer to {@code query}, or null when no agent answers on {@code socket}. */
    static String ask(Path socket, String query) throws IOException {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return null; // no socket, or a stale one nobody listens on
        }
        try (channel) {
            String stranger = PeerCheck.stranger(channel);
            if (stranger != null) {
                throw new IOException(socket + " is served by user " + stranger + ", not by this user");
            }
            Wire.write(channel, Wire.VERSION_FRAME, Wire.VERSION);
            Wire.write(channel, Wire.QUERY, query);
            Wire.Frame answer = Wire.read(channel);
            if (answer == null) {
                throw new IOException("the agent on " + socket + " closed the connection without answering");
            }
            if (answer.type() != Wire.ANSWER) {
                throw new IOException("the agent on " + socket + " answered: " + answer.text());
            }
            return answer.text();
        }
    }
}
