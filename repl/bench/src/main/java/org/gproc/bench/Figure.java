package org.gproc.bench;

import org.gproc.transport.text.Json;

import java.util.Locale;
import java.util.Objects;

/**
 * One measured figure, printed as one JSON line. {@code value} is null when the figure could not be measured, and
 * {@code note} then says why (e.g. {@code n/a (not built yet: gprocd --instances)}).
 */
public record Figure(String bench, String benchCase, int n, String tool, Double value, String unit, String note) {

    public Figure {
        Objects.requireNonNull(bench, "bench");
        Objects.requireNonNull(benchCase, "benchCase");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(unit, "unit");
        if (value != null && (value.isNaN() || value.isInfinite())) {
            throw new IllegalArgumentException(bench + "/" + benchCase + ": value " + value + " is not a number");
        }
        if (value == null && (note == null || note.isBlank())) {
            throw new IllegalArgumentException(bench + "/" + benchCase + ": a figure without a value needs a note");
        }
    }

    public static Figure measured(String bench, String benchCase, int n, String tool, double value, String unit) {
        return new Figure(bench, benchCase, n, tool, value, unit, null);
    }

    public static Figure unavailable(String bench, String benchCase, int n, String tool, String unit, String why) {
        return new Figure(bench, benchCase, n, tool, null, unit, why);
    }

    public Figure withNote(String text) {
        return new Figure(bench, benchCase, n, tool, value, unit, text);
    }

    /**
     * {@code {"bench":"B1","case":"warm","n":1000,"tool":"gproc","value":0.83,"unit":"s"}} plus a note if any. The
     * strings go through {@link Json}; the value is written here because a figure is rounded to four decimals without
     * an exponent ({@link #number}), a format the shared writer (whole numbers only) has no reason to know.
     */
    public String toJson() {
        StringBuilder b = new StringBuilder(128).append('{');
        field(b, "bench", bench).append(',');
        field(b, "case", benchCase).append(',');
        b.append("\"n\":").append(n).append(',');
        field(b, "tool", tool).append(',');
        b.append("\"value\":").append(value == null ? "null" : number(value)).append(',');
        field(b, "unit", unit);
        if (note != null) {
            field(b.append(','), "note", note);
        }
        return b.append('}').toString();
    }

    /** Up to four significant decimals, no exponent, no trailing zeros: 0.83, 412.5, 97.1234. */
    static String number(double v) {
        String s = String.format(Locale.ROOT, v != 0 && Math.abs(v) < 0.01 ? "%.6f" : "%.4f", v);
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s.equals("-0") ? "0" : s;
    }

    private static StringBuilder field(StringBuilder b, String name, String text) {
        Json.string(b.append('"').append(name).append("\":"), text);
        return b;
    }
}
