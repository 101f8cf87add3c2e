package org.gproc.daemon.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Refused logins per source, per 10-second window: the first {@value #PER_SOURCE} from a source and the first
 * {@value #TOTAL} overall are written one by one; the rest are counted, and when the window ends each source held
 * back gets one line {@code N more refusals from ADDR in 10 s} (at most {@value #MAX_SOURCES} such lines, then one
 * for all the other sources). A flood of refusals therefore costs a few kilobytes per window, whatever its rate.
 */
final class RefusalSummary {
    static final long WINDOW_SECONDS = 10;
    static final int PER_SOURCE = 10;
    static final int TOTAL = 200;
    static final int MAX_SOURCES = 100;

    private final AuditLog log;
    private Map<String, int[]> window = new LinkedHashMap<>(); // source -> {written, held back}
    private long windowStart = Long.MIN_VALUE;
    private int written;
    private long otherSourcesHeld;

    RefusalSummary(AuditLog log) {
        this.log = log;
    }

    /** Whether this refusal from {@code source} is written; if not, it is counted for the window's summary. */
    boolean admit(String source, Instant time) {
        Map<String, int[]> ended = null;
        long endedOthers = 0;
        boolean admitted;
        synchronized (this) {
            long second = time.getEpochSecond();
            if (windowStart == Long.MIN_VALUE) {
                windowStart = second;
            } else if (second - windowStart >= WINDOW_SECONDS) {
                ended = window;
                endedOthers = otherSourcesHeld;
                reset(second);
            }
            int[] counts = window.get(source);
            if (counts == null) {
                if (window.size() >= MAX_SOURCES) {
                    otherSourcesHeld++;
                } else {
                    counts = new int[2];
                    window.put(source, counts);
                }
            }
            if (counts == null) {
                admitted = false;
            } else if (counts[0] < PER_SOURCE && written < TOTAL) {
                counts[0]++;
                written++;
                admitted = true;
            } else {
                counts[1]++;
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
        Map<String, int[]> ended;
        long others;
        synchronized (this) {
            ended = window;
            others = otherSourcesHeld;
            reset(Instant.now().getEpochSecond());
        }
        write(ended, others);
    }

    private void reset(long second) {
        window = new LinkedHashMap<>();
        windowStart = second;
        written = 0;
        otherSourcesHeld = 0;
    }

    private void write(Map<String, int[]> ended, long others) {
        for (Map.Entry<String, int[]> e : ended.entrySet()) {
            int held = e.getValue()[1];
            if (held > 0) {
                log.event("auth-summary").field("remote", AuthAudit.bracketed(e.getKey()))
                        .field("refusals", held).field("seconds", WINDOW_SECONDS)
                        .field("message", held + " more refusals from " + AuthAudit.bracketed(e.getKey()) + " in "
                                + WINDOW_SECONDS + " s")
                        .unauthenticated().log();
            }
        }
        if (others > 0) {
            log.event("auth-summary").field("remote", null).field("refusals", others)
                    .field("seconds", WINDOW_SECONDS)
                    .field("message", others + " more refusals from other sources in "
                            + WINDOW_SECONDS + " s")
                    .unauthenticated().log();
        }
    }
}
