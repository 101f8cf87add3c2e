package org.gproc.transport.ssh;

import java.time.Duration;
import java.util.Locale;

/**
 * OpenSSH 9.8's PerSourcePenalties, as sshd_config spells it: space- or comma-separated {@code KEY:VALUE} words, or
 * {@code no}. A connection that closes without authenticating earns its source netblock a penalty: {@code authfail}
 * when it tried a method and failed, {@code grace-exceeded} when the auth timeout closed it, else {@code noauth}.
 * Penalties add up, capped at {@code max}; once at least {@code min} has accrued, new connections from the netblock
 * are refused at accept until it has run out. A connection that authenticates earns nothing, and connections already
 * open (authenticated users among them) are never touched. At most {@code max-sources4} IPv4 and
 * {@code max-sources6} IPv6 netblocks are tracked; past that, new sources are not penalised (OpenSSH's
 * {@code overflow:permissive}). Durations: {@code 90}, {@code 5s}, {@code 10m}, {@code 1h}.
 *
 * <p>Defaults (as OpenSSH's): {@code authfail:5s noauth:1s grace-exceeded:10s min:15s max:10m max-sources4:65536
 * max-sources6:65536}.
 */
public record PerSourcePenalties(boolean enabled, Duration authfail, Duration noauth, Duration graceExceeded,
                                 Duration min, Duration max, int maxSources4, int maxSources6) {

    public static final PerSourcePenalties DEFAULTS = new PerSourcePenalties(true, Duration.ofSeconds(5),
            Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofMinutes(10), 65536,
            65536);
    public static final PerSourcePenalties OFF = new PerSourcePenalties(false, Duration.ZERO, Duration.ZERO,
            Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, 0);

    /** {@code no}/{@code off}, or the words to change from {@link #DEFAULTS}; errors quote the word at fault. */
    public static PerSourcePenalties parse(String text) {
        String trimmed = text.trim();
        if (trimmed.equalsIgnoreCase("no") || trimmed.equalsIgnoreCase("off")) {
            return OFF;
        }
        PerSourcePenalties p = DEFAULTS;
        for (String word : trimmed.split("[\\s,]+")) {
            if (word.isEmpty() || word.equalsIgnoreCase("yes")) {
                continue;
            }
            int colon = word.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + word + "' is not KEY:VALUE (e.g. authfail:5s)");
            }
            String key = word.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = word.substring(colon + 1);
            p = switch (key) {
                case "authfail" -> new PerSourcePenalties(true, duration(word, value), p.noauth, p.graceExceeded,
                        p.min, p.max, p.maxSources4, p.maxSources6);
                case "noauth" -> new PerSourcePenalties(true, p.authfail, duration(word, value), p.graceExceeded,
                        p.min, p.max, p.maxSources4, p.maxSources6);
                case "grace-exceeded" -> new PerSourcePenalties(true, p.authfail, p.noauth, duration(word, value),
                        p.min, p.max, p.maxSources4, p.maxSources6);
                case "min" -> new PerSourcePenalties(true, p.authfail, p.noauth, p.graceExceeded,
                        duration(word, value), p.max, p.maxSources4, p.maxSources6);
                case "max" -> new PerSourcePenalties(true, p.authfail, p.noauth, p.graceExceeded, p.min,
                        duration(word, value), p.maxSources4, p.maxSources6);
                case "max-sources4" -> new PerSourcePenalties(true, p.authfail, p.noauth, p.graceExceeded, p.min,
                        p.max, count(word, value), p.maxSources6);
                case "max-sources6" -> new PerSourcePenalties(true, p.authfail, p.noauth, p.graceExceeded, p.min,
                        p.max, p.maxSources4, count(word, value));
                default -> throw new IllegalArgumentException("'" + word + "': unknown penalty '" + key
                        + "' (authfail, noauth, grace-exceeded, min, max, max-sources4, max-sources6)");
            };
        }
        if (p.max.compareTo(p.min) < 0) {
            throw new IllegalArgumentException("max:" + p.max.toSeconds() + "s is below min:" + p.min.toSeconds()
                    + "s, so no penalty could ever be enforced");
        }
        return p;
    }

    private static Duration duration(String word, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("s") || v.endsWith("m") || v.endsWith("h")) {
            unit = v.endsWith("s") ? 1 : v.endsWith("m") ? 60 : 3600;
            v = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return Duration.ofSeconds(n * unit);
            }
        } catch (NumberFormatException e) {
            // the message below says what was expected
        }
        throw new IllegalArgumentException("'" + word + "': '" + value + "' is not a duration (e.g. 5s, 10m)");
    }

    private static int count(String word, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("'" + word + "': '" + value + "' is not a positive number");
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "no";
        }
        return "authfail:" + authfail.toSeconds() + "s noauth:" + noauth.toSeconds() + "s grace-exceeded:"
                + graceExceeded.toSeconds() + "s min:" + min.toSeconds() + "s max:" + max.toSeconds()
                + "s max-sources4:" + maxSources4 + " max-sources6:" + maxSources6;
    }
}
