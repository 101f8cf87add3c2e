package org.gproc.cli.agent;

import picocli.CommandLine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --idle}: a whole number with s, m or h (a bare number is seconds), e.g. 10m; at least 1 s. */
final class Idle implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("([0-9]{1,9})([smh]?)");

    @Override
    public Duration convert(String value) {
        Matcher m = FORM.matcher(value.strip());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
            if (!d.isZero()) {
                return d;
            }
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not an idle time: give a whole number"
                + " of seconds, minutes or hours of at least 1 s, e.g. 30s, 10m or 1h");
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
