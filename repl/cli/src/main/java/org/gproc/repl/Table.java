package org.gproc.repl;

import org.codehaus.groovy.runtime.DefaultGroovyMethods;
import org.codehaus.groovy.runtime.FormatHelper;
import org.gproc.transport.text.Json;

import java.io.PrintWriter;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one table renderer of the REPL and the CLI: aligned columns with upper-case headers for people, one JSON
 * object per row (keys are the lower-cased headers) for {@code --json}, where numbers, booleans, lists and maps stay
 * JSON values and a {@link #shown} cell gives people a readable text ({@code 1.5 GiB}) and scripts its value (the
 * bytes). Rows are added cell by cell
 * ({@code new Table("NODE", "PID").row(...)}) or built from objects ({@link #of}): a map, a record (columns in
 * component order) or any object (its Groovy properties, {@code class} excluded), the first row deciding the columns.
 */
public final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<List<Object>> values = new ArrayList<>();

    /** A cell shown as {@code text} in the aligned table and written as {@code value} in JSON. */
    public record Shown(Object value, String text) {
    }

    /** A cell that reads as {@code text} for people and is {@code value} for {@code --json}. */
    public static Shown shown(Object value, String text) {
        return new Shown(value, text);
    }

    public Table(String... headers) {
        this(List.of(headers));
    }

    private Table(List<String> headers) {
        this.headers = headers.stream().map(h -> h.toUpperCase(Locale.ROOT)).toList();
    }

    /** A table of {@code objects}, one row each. */
    public static Table of(Iterable<?> objects) {
        List<Map<String, Object>> maps = new ArrayList<>();
        for (Object o : objects) {
            maps.add(columns(o));
        }
        List<String> keys = maps.isEmpty() ? List.of() : new ArrayList<>(maps.get(0).keySet());
        Table table = new Table(keys);
        for (Map<String, Object> m : maps) {
            table.row(keys.stream().map(k -> m.containsKey(k) ? m.get(k) : "").toArray());
        }
        return table;
    }

    /** {@code objects} as aligned text; empty when there are none. */
    public static String render(Iterable<?> objects) {
        return of(objects).render();
    }

    /** Adds a row; a missing cell is blank, a null one too (and null in JSON). */
    public Table row(Object... cells) {
        List<String> row = new ArrayList<>(headers.size());
        List<Object> raw = new ArrayList<>(headers.size());
        for (int i = 0; i < headers.size(); i++) {
            Object cell = i < cells.length ? cells[i] : "";
            row.add(cell instanceof Shown s ? s.text() : text(cell));
            raw.add(cell instanceof Shown s ? s.value() : jsonValue(cell));
        }
        rows.add(row);
        values.add(raw);
        return this;
    }

    /** Headers and rows in aligned columns, without a trailing newline; empty for a table without rows. */
    public String render() {
        if (rows.isEmpty()) {
            return "";
        }
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, widths);
        for (List<String> row : rows) {
            line(out.append('\n'), row, widths);
        }
        return out.toString();
    }

    /** One JSON object per row, one per line. */
    public List<String> jsonLines() {
        List<String> lines = new ArrayList<>(rows.size());
        for (List<Object> row : values) {
            Map<String, Object> object = new LinkedHashMap<>();
            for (int i = 0; i < headers.size(); i++) {
                object.put(headers.get(i).toLowerCase(Locale.ROOT), row.get(i));
            }
            lines.add(Json.write(object));
        }
        return lines;
    }

    /** The header line is printed even for an empty table, so a script reading it sees the columns. */
    public void print(PrintWriter out, boolean json) {
        if (json) {
            jsonLines().forEach(out::println);
        } else if (rows.isEmpty()) {
            out.println(String.join("  ", headers));
        } else {
            out.println(render());
        }
        out.flush();
    }

    private static void line(StringBuilder out, List<String> cells, int[] widths) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            boolean last = i == cells.size() - 1;
            l.append(last ? cells.get(i) : String.format("%-" + widths[i] + "s  ", cells.get(i)));
        }
        out.append(l.toString().stripTrailing());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> columns(Object row) {
        Map<String, Object> columns = new LinkedHashMap<>();
        if (row instanceof Map<?, ?> map) {
            map.forEach((k, v) -> columns.put(String.valueOf(k), v));
        } else if (row != null && row.getClass().isRecord()) {
            for (RecordComponent c : row.getClass().getRecordComponents()) {
                try {
                    columns.put(c.getName(), c.getAccessor().invoke(row));
                } catch (ReflectiveOperationException e) {
                    columns.put(c.getName(), "?");
                }
            }
        } else if (row instanceof CharSequence || row instanceof Number || row == null) {
            columns.put("value", row);
        } else {
            columns.putAll((Map<String, Object>) (Map<?, ?>) DefaultGroovyMethods.getProperties(row));
            columns.remove("class");
            columns.remove("metaClass");
        }
        return columns;
    }

    /** What a plain cell is in JSON: numbers, booleans, lists and maps as themselves, anything else as its text. */
    private static Object jsonValue(Object cell) {
        if (cell == null) {
            return null;
        }
        if (cell instanceof Number || cell instanceof Boolean || cell instanceof java.util.Collection<?>
                || cell instanceof Map<?, ?>) {
            return cell;
        }
        return text(cell);
    }

    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof CharSequence ? value.toString() : FormatHelper.toString(value);
    }
}
