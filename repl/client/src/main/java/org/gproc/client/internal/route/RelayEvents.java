package org.gproc.client.internal.route;

import org.gproc.client.internal.exec.NodeChannel;
import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePClient;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Follows one relay's {@code n/events} (read through the relay's own prefix when it is itself relayed): one read
 * parked at a time, and for each line {@code lost NAME HOST:PORT} the relay writes when its connection to child NAME
 * closes, {@code lost} is told NAME. So a relay that dies under a live one is known at once, while its nodes are
 * idle, not at the next read under it. Ends, telling {@code ended}, when the open or a read fails (with the error:
 * the relay's own route may have broken, or it is an older gprocd without {@code n/events}) or a read answers empty
 * (with null: the relay is shutting down, and its children's connections with it).
 */
public final class RelayEvents {
    private static final int CHUNK = 4096;

    private final NodeChannel relay;
    private final Consumer<String> lost;
    private final Consumer<Throwable> ended;
    private final StringBuilder partial = new StringBuilder();

    private RelayEvents(NodeChannel relay, Consumer<String> lost, Consumer<Throwable> ended) {
        this.relay = relay;
        this.lost = lost;
        this.ended = ended;
    }

    /** Starts following {@code relay}; nothing waits for it. */
    public static void follow(NodeChannel relay, Consumer<String> lost, Consumer<Throwable> ended) {
        RelayEvents events = new RelayEvents(relay, lost, ended);
        relay.open("n/events", Message.OREAD).whenComplete((fid, e) -> {
            if (e != null) {
                ended.accept(e);
            } else {
                events.readFrom(fid, 0);
            }
        });
    }

    private void readFrom(Fid fid, long offset) {
        NinePClient client = relay.client();
        client.read(fid, offset, CHUNK).whenComplete((bytes, e) -> {
            if (e != null || bytes.length == 0) {
                if (client.isOpen() && !fid.isClunked()) {
                    client.clunk(fid);
                }
                ended.accept(e);
                return;
            }
            partial.append(new String(bytes, StandardCharsets.UTF_8));
            for (int nl = partial.indexOf("\n"); nl >= 0; nl = partial.indexOf("\n")) {
                String[] f = partial.substring(0, nl).split(" ");
                partial.delete(0, nl + 1);
                if (f.length >= 2 && f[0].equals("lost")) {
                    lost.accept(f[1]);
                }
            }
            readFrom(fid, offset + bytes.length);
        });
    }
}
