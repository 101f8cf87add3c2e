package org.gproc.daemon.session;

import org.gproc.daemon.proc.SessionCgroup;
import org.gproc.daemon.proc.Spool;
import org.gproc.transport.xcpu.Tokens;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The two texts that report on a session: ctl's status line and the answer of {@code wait}. Control nodes parse them
 * (the pid from the status line, the exit status from wait) and people read them, so their wording is part of the
 * 9P interface.
 */
final class SessionStatusText {

    private SessionStatusText() {
    }

    /** See {@link Session#statusLine()}. */
    static String statusLine(Session s) {
        StringBuilder line = new StringBuilder();
        synchronized (s) { // one consistent snapshot of the state machine
            line.append(s.id()).append(' ').append(s.pid()).append(' ').append(s.state().name().toLowerCase())
                    .append(" type=").append(s.type().name().toLowerCase())
                    .append(" owner=").append(Tokens.quote(s.owner()))
                    .append(" spool=").append(s.spoolState())
                    .append(" id=").append(Tokens.quote(s.jobId()));
        }
        CompletableFuture<?> exit = s.exit();
        if (exit.isDone() && !exit.isCompletedExceptionally()) {
            line.append(" status=").append(Tokens.quote(exit.join().toString()));
        }
        int orphans = s.orphans();
        if (orphans > 0) {
            line.append(" orphans=").append(orphans);
        }
        SessionCgroup cgroup = s.cgroup();
        String limit = cgroup == null ? null : cgroup.limitHit();
        if (limit != null) {
            line.append(" limit=").append(limit);
        }
        return line.append('\n').toString();
    }

    /** See {@link Session#waitText()}. */
    static CompletableFuture<String> waitText(Session s, SessionOutput output) {
        return Futures.map(s.exit(), status -> {
            StringBuilder text = new StringBuilder(status.toString());
            if (output.capped()) {
                text.append("\nspool capped:").append(cappedStreams(output)).append(" at ")
                        .append(s.node().limits().spoolCapBytes()).append(" bytes");
            }
            for (Session.Stream stream : Session.Stream.values()) {
                Spool spool = output.spool(stream);
                if (spool != null && !spool.capReached() && spool.isCut()) {
                    text.append("\nspool cut:").append(stream.name().toLowerCase()).append(' ')
                            .append(spool.cutText());
                }
            }
            SessionCgroup cgroup = s.cgroup();
            String limit = cgroup == null ? null : cgroup.limitHitText();
            if (limit != null) {
                text.append("\nlimit ").append(limit);
            }
            return text.toString();
        });
    }

    /** The streams that hit the cap: {@code stdout}, {@code stdout+stderr}. */
    private static String cappedStreams(SessionOutput output) {
        List<String> names = new ArrayList<>(2);
        for (Session.Stream stream : Session.Stream.values()) {
            if (output.capReached(stream)) {
                names.add(stream.name().toLowerCase());
            }
        }
        return String.join("+", names);
    }
}
