package org.gproc.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --validity}: how long from now a certificate is valid, in ssh-keygen's relative form: {@code 30m},
 * {@code 8h}, {@code 2d}, {@code 1w}, {@code 1h30m}, optionally with a leading {@code +}. Every number needs its unit
 * (s, m, h, d, w). picocli reports a bad value naming the option and the value, and exits 2.
 */
final class Validity implements ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("\\+?(?:[0-9]{1,9}[smhdwSMHDW])+");
    private static final Pattern PART = Pattern.compile("([0-9]+)([smhdwSMHDW])");
    /** A certificate for longer than this is a mistake (ssh-keygen -V +520w is its own way to say forever). */
    static final Duration MAX = Duration.ofDays(3660);

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        String v = value == null ? "" : value.strip();
        if (!FORM.matcher(v).matches()) {
            throw new TypeConversionException("'" + value + "' is not a validity; use a number and a unit, like 30m,"
                    + " 8h, 2d, 1w or +1h30m (s, m, h, d, w)");
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(v);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (Character.toLowerCase(m.group(2).charAt(0))) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            });
        }
        if (total.isZero()) {
            throw new TypeConversionException("'" + value + "' is no time at all; a certificate must be valid for"
                    + " at least a second");
        }
        if (total.compareTo(MAX) > 0) {
            throw new TypeConversionException("'" + value + "' is more than " + MAX.toDays() + " days; issue a"
                    + " shorter-lived certificate and renew it");
        }
        return total;
    }
}
