package org.gproc.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Human forms of the numbers the status and ps tables show (JSON output keeps the numbers). */
final class Units {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM dd", Locale.ROOT);

    private Units() {
    }

    /** {@code 512 B}, {@code 12.3 KiB}, {@code 4.0 MiB}, {@code 15.6 GiB}, {@code 1.2 TiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** A start time as ps shows it: the time of day when it is today (here), else the date. */
    static String start(long unixSeconds, ZoneId zone) {
        ZonedDateTime at = Instant.ofEpochSecond(unixSeconds).atZone(zone);
        return at.toLocalDate().equals(LocalDate.now(zone)) ? TIME.format(at) : DAY.format(at);
    }
}
