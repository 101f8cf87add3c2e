package org.gproc.daemon.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Refused logins per source, per 10-second window: the first {@value #PER_SOURCE} from a source and the first
 * {@value #TOTAL} overall are written one by one; the rest are counted, and when the window ends each source held
 * back gets one line {@code N more refusals from ADDR in 10 s} with the count of each reason held back (at most
 * {@value #MAX_SOURCES} such lines, then one for all the other sources). The reasons come from a fixed vocabulary,
 * never from the client, so an operator still sees that a revoked key was tried even when its lines were held back.
 * A flood of refusals therefore costs a few kilobytes per window, whatever its rate.
 */
final class RefusalSummary {
    static final long WINDOW_SECONDS = 10;
    static final int PER_SOURCE = 10;
    static final int TOTAL = 200;
    static final int MAX_SOURCES = 100;

    private final AuditLog log;
    private Map<String, Source> window = new LinkedHashMap<>();
    private long windowStart = Long.MIN_VALUE;
    private int written;
    private Source otherSources = new Source();

    RefusalSummary(AuditLog log) {
        this.log = log;
    }

    /** Whether this refusal from {@code source} is written; if not, it and its reason are counted for the summary. */
    boolean admit(String source, String reason, Instant time) {
        Map<String, Source> ended = null;
        Source endedOthers = null;
        boolean admitted;
        synchronized (this) {
            long second = time.getEpochSecond();
            if (windowStart == Long.MIN_VALUE) {
                windowStart = second;
            } else if (second - windowStart >= WINDOW_SECONDS) {
                ended = window;
                endedOthers = otherSources;
                reset(second);
            }
            Source counts = window.get(source);
            if (counts == null && window.size() < MAX_SOURCES) {
                counts = new Source();
                window.put(source, counts);
            }
            if (counts == null) {
                otherSources.holdBack(reason);
                admitted = false;
            } else if (counts.written < PER_SOURCE && written < TOTAL) {
                counts.written++;
                written++;
                admitted = true;
            } else {
                counts.holdBack(reason);
                admitted = false;
            }
        }
        if (ended != null) {
            write(ended, endedOthers);
        }
        return admitted;
    }

    /** Writes the current window's summaries and starts a new window. */
    void flush() {
        Map<String, Source> ended;
        Source others;
        synchronized (this) {
            ended = window;
            others = otherSources;
            reset(Instant.now().getEpochSecond());
        }
        write(ended, others);
    }

    private void reset(long second) {
        window = new LinkedHashMap<>();
        windowStart = second;
        written = 0;
        otherSources = new Source();
    }

    private void write(Map<String, Source> ended, Source others) {
        for (Map.Entry<String, Source> e : ended.entrySet()) {
            if (e.getValue().held > 0) {
                writeSummary(AuthAudit.bracketed(e.getKey()), e.getValue());
            }
        }
        if (others.held > 0) {
            writeSummary(null, others);
        }
    }

    private void writeSummary(String remote, Source held) {
        String from = remote == null ? "other sources" : remote;
        log.event("auth-summary").field("remote", remote).field("refusals", held.held)
                .field("reasons", held.reasons).field("seconds", WINDOW_SECONDS)
                .field("message", held.held + " more refusals from " + from + " in " + WINDOW_SECONDS + " s")
                .unauthenticated().log();
    }

    /** One source's refusals in a window: how many were written, how many held back and for which reasons. */
    private static final class Source {
        int written;
        long held;
        final Map<String, Long> reasons = new LinkedHashMap<>();

        void holdBack(String reason) {
            held++;
            reasons.merge(reason, 1L, Long::sum);
        }
    }
}
