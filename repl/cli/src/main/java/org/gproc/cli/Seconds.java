package org.gproc.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A time in seconds given on the command line ({@code -t 30}, {@code --connect-timeout 2.5}): a positive number of
 * at most a day, so {@code 0}, {@code -1}, {@code 1e9} or {@code 5s} are refused. picocli names the option and the
 * value in its error and exits 2.
 */
final class Seconds implements ITypeConverter<Double> {
    static final double MAX = 86_400;

    @Override
    public Double convert(String value) {
        double seconds;
        try {
            seconds = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a number of seconds (e.g. 30 or 2.5)");
        }
        if (!(seconds > 0) || seconds > MAX) {
            throw new TypeConversionException("'" + value + "' is not a positive number of seconds (at most "
                    + (int) MAX + ")");
        }
        return seconds;
    }

    static Duration duration(double seconds) {
        return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
    }
}
